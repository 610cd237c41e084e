"""The gateway's connections to the services behind it."""

import uvicorn
from carrel_gateway.entrypoints.http import SERVICE_KEEPALIVE_SECONDS


def test_idle_connections_are_dropped_before_a_service_would_close_them() -> None:
    # Found by the soak: at equal keep-alives, a request sent on a connection
    # the service was closing failed with RemoteProtocolError (a 503).
    service_keepalive = uvicorn.Config(app="service:app").timeout_keep_alive
    assert service_keepalive > SERVICE_KEEPALIVE_SECONDS
