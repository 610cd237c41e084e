"""Refill the teams read tables from the event log.

``python -m carrel_teams.entrypoints.rebuild`` writes the row of every
mentorship and consortium member team; run it once on a store whose events
were recorded before those tables existed. Rows already there are kept unless
the log holds a newer version, so running it twice changes nothing.
"""

import logging

from carrel_events.observability import configure_logging, load_settings

from carrel_teams.application import TeamsApplication
from carrel_teams.settings import TeamsSettings

logger = logging.getLogger(__name__)


def main() -> None:
    configure_logging("teams-rebuild")
    settings = load_settings(TeamsSettings)
    application = TeamsApplication(settings.application_env(), settings.policy())
    try:
        written = application.rebuild_read_tables()
    finally:
        application.close()
    logger.info("teams read tables rebuilt: %d rows written", written)


if __name__ == "__main__":
    main()
