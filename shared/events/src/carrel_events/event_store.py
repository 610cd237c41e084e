"""The eventsourcing library's PostgreSQL factory, with TLS to the server.

The library's own factory hands psycopg only host, port, user, password and
database name. This one adds libpq's TLS parameters from the application's
environment (``POSTGRES_SSLMODE``, ``POSTGRES_SSLROOTCERT``,
``POSTGRES_SSLCERT``, ``POSTGRES_SSLKEY``, which
:func:`carrel_events.settings.eventsourcing_env` fills from the settings)
before the connection pool opens.
"""

from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment, EnvType

from carrel_events.settings import PG_TLS_PARAMETERS


class TlsPostgresFactory(PostgresFactory):
    """``PostgresFactory`` whose connections carry the TLS settings."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        tls = {
            name: value
            for name in PG_TLS_PARAMETERS
            if (value := self.env.get(f"POSTGRES_{name.upper()}"))
        }
        kwargs = self.datastore.pool.kwargs
        # The pool is made closed; it connects with these kwargs once opened.
        if isinstance(kwargs, dict):
            kwargs.update(tls)
