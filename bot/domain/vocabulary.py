"""The vocabulary of SP4N-LAPOR!: report types, categories, statuses (see shared/DESIGN.md), and the
limits of what a citizen may send.

Labels are English msgids marked with ``N_`` and translated when shown (Indonesian by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_


class ReportType(StrEnum):
    COMPLAINT = "pengaduan"
    ASPIRATION = "aspirasi"
    INFORMATION = "informasi"


REPORT_TYPE_LABELS = {
    ReportType.COMPLAINT: N_("Complaint (pengaduan)"),
    ReportType.ASPIRATION: N_("Aspiration / suggestion (aspirasi)"),
    ReportType.INFORMATION: N_("Request for information"),
}


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    group: str
    is_road: bool = False  # who answers depends on the road's status (national, provincial, regency)


INFRASTRUCTURE, PUBLIC_SERVICE, MALADMINISTRATION = "infrastruktur", "layanan", "maladministrasi"

CATEGORY_GROUP_LABELS = {
    INFRASTRUCTURE: N_("Infrastructure"),
    PUBLIC_SERVICE: N_("Public services"),
    MALADMINISTRATION: N_("Maladministration by an official"),
}

CATEGORIES: tuple[Category, ...] = (
    Category("jalan", N_("Roads"), INFRASTRUCTURE, is_road=True),
    Category("jembatan", N_("Bridges"), INFRASTRUCTURE, is_road=True),
    Category("drainase", N_("Drainage and flooding"), INFRASTRUCTURE),
    Category("penerangan_jalan", N_("Street lighting"), INFRASTRUCTURE),  # the lamps: the transport office
    Category("sampah", N_("Waste and cleanliness"), INFRASTRUCTURE),
    Category("air_bersih", N_("Clean water"), INFRASTRUCTURE),
    Category("kesehatan", N_("Health services"), PUBLIC_SERVICE),
    Category("pendidikan", N_("Education"), PUBLIC_SERVICE),
    Category("kependudukan", N_("Population records (KTP, KK)"), PUBLIC_SERVICE),
    Category("perizinan", N_("Permits and licences"), PUBLIC_SERVICE),
    Category("transportasi", N_("Public transport"), PUBLIC_SERVICE),
    Category("bansos", N_("Social assistance"), PUBLIC_SERVICE),
    # The Ombudsman's types of maladministration.
    Category("penundaan_berlarut", N_("Undue delay"), MALADMINISTRATION),
    Category("tidak_memberikan_pelayanan", N_("Service not provided"), MALADMINISTRATION),
    Category("tidak_kompeten", N_("Incompetence"), MALADMINISTRATION),
    Category("penyalahgunaan_wewenang", N_("Abuse of authority"), MALADMINISTRATION),
    Category("permintaan_imbalan", N_("Request for payment or bribe"), MALADMINISTRATION),
    Category("penyimpangan_prosedur", N_("Deviation from procedure"), MALADMINISTRATION),
    Category("tidak_patut", N_("Improper conduct"), MALADMINISTRATION),
    Category("berpihak", N_("Partiality"), MALADMINISTRATION),
    Category("konflik_kepentingan", N_("Conflict of interest"), MALADMINISTRATION),
    Category("diskriminasi", N_("Discrimination"), MALADMINISTRATION),
)
CATEGORY_BY_CODE = {category.code: category for category in CATEGORIES}


def category_groups_for(report_type: ReportType) -> list[str]:
    """Maladministration is a complaint about an official, so only complaints offer it."""
    groups = [INFRASTRUCTURE, PUBLIC_SERVICE]
    if report_type == ReportType.COMPLAINT:
        groups.append(MALADMINISTRATION)
    return groups


def categories_in(group: str) -> list[Category]:
    return [category for category in CATEGORIES if category.group == group]


class Status(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_REPORTER = "waiting_reporter"
    RESOLVED = "resolved"
    REJECTED = "rejected"


STATUS_LABELS = {
    Status.SUBMITTED: N_("Not yet verified"),
    Status.VERIFIED: N_("Verified"),
    Status.ASSIGNED: N_("Forwarded to the responsible agency"),
    Status.IN_PROGRESS: N_("Being followed up"),
    Status.WAITING_REPORTER: N_("More information needed from you"),
    Status.RESOLVED: N_("Resolved"),
    Status.REJECTED: N_("Cannot be processed (archived)"),
}

# Which status may follow which. Rejected and resolved are final; a report waiting for the
# reporter goes back to whoever asked once the reporter answers.
STATUS_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset({Status.VERIFIED, Status.ASSIGNED, Status.WAITING_REPORTER, Status.REJECTED}),
    Status.VERIFIED: frozenset({Status.ASSIGNED, Status.WAITING_REPORTER, Status.REJECTED}),
    Status.ASSIGNED: frozenset({Status.IN_PROGRESS, Status.WAITING_REPORTER, Status.RESOLVED, Status.REJECTED}),
    Status.IN_PROGRESS: frozenset({Status.ASSIGNED, Status.WAITING_REPORTER, Status.RESOLVED, Status.REJECTED}),
    Status.WAITING_REPORTER: frozenset(
        {Status.SUBMITTED, Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REJECTED}
    ),
    Status.RESOLVED: frozenset(),
    Status.REJECTED: frozenset(),
}

STATUSES_NEEDING_NOTE = frozenset({Status.REJECTED, Status.WAITING_REPORTER})
CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED)  # nothing follows them (Open311: "closed")

# Limits of the intake conversation.
DESCRIPTION_MIN_CHARS = 20
DESCRIPTION_MAX_CHARS = 4096  # Telegram's own limit for one message
MAX_ATTACHMENTS = 5
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what a bot may download through the Bot API
ADDRESS_MIN_CHARS = 5
ADDRESS_MAX_CHARS = 500
ROAD_NAME_MAX_CHARS = 200
FILE_NAME_MAX_CHARS = 256  # what the database keeps of an attachment's name
