"""Rows of the LIBER Digital Scholarship topic guides (CC BY 4.0) as listed sources."""

import csv
from pathlib import Path

from carrel_resources.domain.entries import ListedSource

LIBER_FILE = "liber_ds_topic_guides_learning_resources.csv"
SOURCE = "liber-ds-topic-guides"


def read_liber(data_dir: Path) -> list[ListedSource]:
    """Every row of the LIBER file, in file order."""
    with (data_dir / LIBER_FILE).open(newline="", encoding="utf-8") as listing:
        return [
            ListedSource(
                source=SOURCE,
                source_id=row["resource_id"],
                topic=row["topic"],
                resource_type=row["resource_type"],
                section=row["section"],
                title=row["title"],
                url=row["url"],
                context=row["context"],
            )
            for row in csv.DictReader(listing)
        ]
