"""``python -m carrel_resources.entrypoints.seed``: load the LIBER guides.

It goes through the application's commands, so every entry is a
ResourceCatalogued event like any other; an entry already present is skipped.
"""

import logging
import sys
from uuid import uuid4

from carrel_events.observability import configure_logging

from carrel_resources.adapters.liber import read_liber
from carrel_resources.domain.entries import drafts_from_listing
from carrel_resources.entrypoints.wiring import build_application
from carrel_resources.settings import ResourcesSettings

logger = logging.getLogger(__name__)


def main() -> int:
    configure_logging("resources-seed")
    settings = ResourcesSettings()
    application = build_application(settings)
    try:
        drafts = drafts_from_listing(read_liber(settings.data_dir))
        report = application.seed(drafts, correlation_id=uuid4())
    finally:
        application.close()
    print(
        f"read {report.rows} rows as {report.entries} entries: "
        f"{report.added} added, {report.already_present} already present"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
