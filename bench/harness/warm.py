"""Imported by the tests' fork server (bench.harness.forked): what every bot process reads first, read once."""

from routing.boundaries import packaged_index
from routing.regions import Hierarchy

Hierarchy.from_lokal()
packaged_index("districts")
packaged_index("provinces")
