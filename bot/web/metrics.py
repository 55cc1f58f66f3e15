"""Prometheus metrics of one bot process (prometheus-client), in a registry of its own so that several bots
in one test process never clash.

Counters and the latency histogram are kept as things happen; the queue depths, overdue reports and broadcast
progress are read from the database when Prometheus scrapes (``refresh``), so every process reports the
cluster's queues, not only its own.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.db import Transactions
from bot.web.queues import read_gauges

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter("lapor_updates", "Updates handled, by outcome (handled, failed, deferred)", ["outcome"],
                               registry=registry)
        self.handling_seconds = Histogram("lapor_update_handling_seconds", "Time to handle one update (a turn)",
                                          buckets=LATENCY_BUCKETS, registry=registry)
        self.delivery = Counter("lapor_delivery", "Outbox messages by outcome (sent, refused, retried, blocked)",
                                ["outcome"], registry=registry)
        self.queue_depth = Gauge("lapor_queue_depth", "Items waiting: updates in the inbox, messages in the outbox",
                                 ["queue"], registry=registry)
        self.queue_oldest = Gauge("lapor_queue_oldest_seconds", "Age of the oldest item waiting", ["queue"], registry=registry)
        self.overdue = Gauge("lapor_reports_overdue", "Open reports past their deadline", registry=registry)
        self.broadcast_copies = Gauge("lapor_broadcast_copies", "Copies of announcements still being sent, by state",
                                      ["state"], registry=registry)

    async def exposition(self, transactions: Transactions) -> bytes:
        """The text Prometheus scrapes, with the database's figures read now."""
        gauges = await read_gauges(transactions)
        for queue, depth in (("inbox", gauges.inbox.depth), ("outbox", gauges.outbox.depth)):
            self.queue_depth.labels(queue).set(depth)
        for queue, oldest in (("inbox", gauges.inbox.oldest_seconds), ("outbox", gauges.outbox.oldest_seconds)):
            self.queue_oldest.labels(queue).set(oldest)
        self.overdue.set(gauges.overdue_reports)
        for state, count in gauges.broadcast_copies.items():
            self.broadcast_copies.labels(state).set(count)
        return generate_latest(self.registry)
