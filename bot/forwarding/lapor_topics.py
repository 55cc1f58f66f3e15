"""Our categories on SP4N-LAPOR!'s topic tree (lapor_topics.csv, or the operator's LAPOR_TOPICS_FILE): what a
LAPOR! forwarder files a report under. The shipped file is a sample: see its first lines."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHIPPED = Path(__file__).with_name("lapor_topics.csv")


@dataclass(frozen=True)
class LaporTopic:
    topic_id: str | None  # LAPOR!'s own id, where the operator filled it in
    path: str  # "Infrastruktur > Jalan"


def topic_of(category: str) -> LaporTopic | None:
    return topics(Path(os.environ.get("LAPOR_TOPICS_FILE") or SHIPPED)).get(category)


@cache
def topics(path: Path = SHIPPED) -> dict[str, LaporTopic]:
    """Category code -> topic, from the file at ``path`` (comment lines start with #)."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = csv.DictReader(line for line in file if not line.startswith("#"))
        return {row["category"]: LaporTopic(row["lapor_topic_id"] or None, row["lapor_topic"]) for row in rows}
