"""The kinds of conversation a chat can have open, one at a time (``Conversation.flow``).

The one place a flow's name is spelled: the services, the handlers and the stored rows all use these
values (they are stored, so a member's value never changes; a new flow is a new member)."""

from __future__ import annotations

from enum import StrEnum


class Flow(StrEnum):
    INTAKE = "intake"  # a citizen's draft report
    TYPED = "typed"  # a text sent outside any flow, kept while the citizen decides whether to report it
    ANSWER = "answer"  # a citizen's message kept while they choose which waiting report it answers
    FOLLOW_UP = "follow_up"  # a reply to an agency's answer, a comment on a rating, the rest of an album
    SUBSCRIPTION_AREA = "sub_area"  # /langganan waiting for a typed regency or city
    STAFF_ACTION = "staff_action"  # a staff action waiting for its agency, text or files
    BROADCAST = "broadcast"  # an announcement being composed by an admin


class Question(StrEnum):
    """A command's own question, asked while a flow is open and answered before the flow's
    (``Conversation.question``, beside the flow's state, which it leaves as it is)."""

    TRACKING_ID = "tracking_id"  # /status without an ID
