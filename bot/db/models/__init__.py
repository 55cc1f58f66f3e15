"""The schema. Every change goes through an alembic migration in ``bot/migrations``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.domain.flows import Flow


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in and out, also on SQLite (which forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, dict[str, Any] | None: JSON}


class User(Base):
    """A person who has talked to the bot, on one channel or more (``Contact``). A Telegram user's id is their
    Telegram user id; people of other channels get ids from ``bot.services.contacts.OWN_IDS_FROM`` up."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Look-ups of other people's tracking IDs in the current window (rate-limited against guessing).
    lookups_since: Mapped[datetime | None] = mapped_column()
    lookups: Mapped[int] = mapped_column(Integer, default=0)
    # The private chat (bot.db.models.contacts) they last wrote from, where they are told things (None: their id's).
    last_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class Conversation(Base):
    """One chat's open conversation (a flow such as intake), its step and state, so a restart loses nothing.

    The state is typed in ``bot.domain.conversation_state``: read and write it through ``state_of`` and
    ``save_state`` of ``bot.services.conversations``, never as JSON."""

    __tablename__ = "conversations"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    flow: Mapped[str] = mapped_column(String(16), default=Flow.INTAKE.value)  # the state's tag
    step: Mapped[str] = mapped_column(String(32))
    # The column keeps the name of the intake's draft, the first state it held (renaming is no additive migration).
    state_json: Mapped[dict[str, Any]] = mapped_column("draft", default=dict)
    state_version: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    # A command's own question asked while the flow is open (``tracking_id``): its answer comes before the flow's.
    question: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxUpdate(Base):
    """The durable inbox: an update is stored here before Telegram is told it arrived, and handled
    from here once, in order per chat. Its content is cleared once handled."""

    __tablename__ = "inbox_updates"
    __table_args__ = (Index("ix_inbox_chat_state", "chat_id", "state", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    # A channel whose messages have ids of their own (WhatsApp's wamid) keys them here; their ``update_id`` is made
    # from it (bot.channels.whatsapp.inbound), and a different key under the same id is a collision, not a repeat.
    message_key: Mapped[str | None] = mapped_column(String(160))


class Report(Base):
    __tablename__ = "reports"
    # The staff inbox: a view filters by status and pages oldest first; hub admins read by province; the
    # national admin's "all open" (half the table) walks created_at instead of sorting every open report.
    # Possible duplicates are looked up by grid cell (bot.domain.nearby) or, for a typed place, by district.
    __table_args__ = (Index("ix_reports_status_created", "status", "created_at"), Index("ix_reports_created", "created_at"),
                      Index("ix_reports_grid_category", "grid_cell", "category"),
                      Index("ix_reports_district_category", "district_code", "category"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_id: Mapped[str] = mapped_column(String(16), unique=True)
    reporter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    report_type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(48))
    description: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    grid_cell: Mapped[int | None] = mapped_column(BigInteger)  # the pin's (bot.domain.nearby.grid_cell)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24), index=True)
    # Jurisdiction (routing/): Kemendagri codes, the road, the agency, and why.
    province_code: Mapped[str | None] = mapped_column(String(16), index=True)
    regency_code: Mapped[str | None] = mapped_column(String(16), index=True)
    district_code: Mapped[str | None] = mapped_column(String(16))
    village_code: Mapped[str | None] = mapped_column(String(16))
    road_name: Mapped[str | None] = mapped_column(String(256))
    road_status: Mapped[str | None] = mapped_column(String(16))
    agency_code: Mapped[str | None] = mapped_column(String(64), index=True)
    agency_name: Mapped[str | None] = mapped_column(String(256))
    routing_confidence: Mapped[str | None] = mapped_column(String(8))
    routing_reason: Mapped[str | None] = mapped_column(Text)  # the explanation, in the default language
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Staff work: every status change and staff action bumps the version (bot.services.reports.bump_version), so
    # that of two people acting on what they saw, one wins; a reporter's reply or the sweep's marks leave it.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    resolution_class: Mapped[str | None] = mapped_column(String(24))
    due_kind: Mapped[str | None] = mapped_column(String(16))  # the clock that runs now (bot.domain.deadlines)
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None] = mapped_column()  # the running clock's reminder went out
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 1 hub, 2 province, 3 national
    next_alert_at: Mapped[datetime | None] = mapped_column(index=True)  # the sweep's next reminder or escalation
    auto_close_at: Mapped[datetime | None] = mapped_column(index=True)  # an answer waits for the reporter's reply
    # Milestones for statistics and exports: the first verification, and the first answer or resolution.
    verified_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # the reporter's 1-5 for the final answer
    rating_comment: Mapped[str | None] = mapped_column(Text)
    supporters: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # bot.db.models.support
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", name="fk_reports_merged_into"))  # kept

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", order_by="Attachment.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", cascade="all, delete-orphan"
    )


class Attachment(Base):
    """A photo, video, document or voice note, by its channel's reference: Telegram's file_id (valid for this bot for
    good), or ``whatsapp:<media id>`` of a file the bot downloaded and keeps (bot.services.media)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_name: Mapped[str | None] = mapped_column(String(256))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_events.id", name="fk_attachments_event"))  # staff answers

    report: Mapped[Report] = relationship(back_populates="attachments")


class ReportEvent(Base):
    """The report's history: one row for every change of state."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(16))  # the staff action that wrote it (bot.domain.actions)

    report: Mapped[Report] = relationship(back_populates="events")


class OutboxMessage(Base):
    """The outbox: everything the bot sends, written in the transaction that causes it.

    ``payload`` is the message itself (see bot.delivery.messages); a status change is rendered
    when sent, in the reader's language, from its event (``kind`` = status_changed)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_chat_state", "chat_id", "state", "id"),
        Index("ix_outbox_due", "state", "priority", "next_attempt_at"),
        Index("ix_outbox_broadcast_state", "broadcast_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any] | None] = mapped_column()
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    replace_key: Mapped[str | None] = mapped_column(String(96))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("report_events.id"))
    broadcast_id: Mapped[int | None] = mapped_column(Integer)  # one recipient's copy of an announcement
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the sender holding the claim (outbox_senders)
    answers: Mapped[str | None] = mapped_column(String(16))  # the fingerprint of the citizen's text it answers
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    # The channel's id of the message once sent (WhatsApp's wamid), and what the channel later said of it: sent,
    # delivered, read or failed (with its error code and title).
    channel_message_id: Mapped[str | None] = mapped_column(String(160), index=True)
    receipt: Mapped[str | None] = mapped_column(String(12))
    receipt_at: Mapped[datetime | None] = mapped_column()
    receipt_error: Mapped[str | None] = mapped_column(Text)


class OutboxSender(Base):
    """A process that sends from the outbox, alive while its heartbeat is fresh: a dead one's claims are free to
    take within seconds, and a restarted one (same name) takes its own back at once."""

    __tablename__ = "outbox_senders"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    heartbeat_at: Mapped[datetime] = mapped_column()


class JobLease(Base):
    """Who runs a scheduled job now: one process in the cluster, until ``expires_at`` (then anyone may take it)."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()


# The contacts and the outreach tables (subscriptions, broadcasts) live beside the core ones; imported here so that
# ``bot.db.models`` names every table (and Base.metadata holds them all).
from bot.db.models.contacts import Contact  # noqa: E402
from bot.db.models.outreach import Broadcast, Subscription  # noqa: E402
from bot.db.models.files import FileOrder, GeneratedFile  # noqa: E402
from bot.db.models.media import MediaCopy, MediaFile, OutboxPart  # noqa: E402
from bot.db.models.api import ApiKey, ApiReport  # noqa: E402
from bot.db.models.forwarding import Forward, ReportLink  # noqa: E402
from bot.db.models.support import Support  # noqa: E402
from bot.db.models.staff import AuditEntry, Invitation, StaffGroup, StaffRole  # noqa: E402

__all__ = [
    "ApiKey", "ApiReport", "Attachment", "AuditEntry", "Base", "Broadcast", "Contact", "Conversation", "FileOrder", "Forward", "GeneratedFile", "InboxUpdate",
    "Invitation", "JobLease", "MediaCopy", "MediaFile",
    "OutboxMessage", "Report", "ReportEvent", "ReportLink", "StaffGroup", "StaffRole", "Subscription", "Support", "User", "UTCDateTime", "utcnow",
]
