"""The gateway's session secret and operator key, made once and kept.

They live in ``var/demo/secrets.json`` (mode 0600), so a second ``make run``
signs sessions with the same secret and the links it printed stay valid.
"""

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

SECRETS_FILE = "secrets.json"


@dataclass(frozen=True)
class Keys:
    session_secret: str
    operator_key: str

    def gateway_environment(self) -> dict[str, str]:
        """The gateway's settings for these keys, with the used-links ledger in
        PostgreSQL so that a restarted gateway still refuses a used link."""
        return {
            "CARREL_SESSION_SECRET": self.session_secret,
            "CARREL_OPERATOR_KEY": self.operator_key,
            "CARREL_GATEWAY_DATABASE": "carrel_gateway",
        }


def kept_keys(folder: Path) -> Keys:
    """The keys in ``folder``, made and written there first if missing."""
    path = folder / SECRETS_FILE
    if path.exists():
        return Keys(**json.loads(path.read_text(encoding="utf-8")))
    keys = Keys(secrets.token_urlsafe(48), secrets.token_urlsafe(32))
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(asdict(keys), file)
    return keys
