"""The Graph API's errors, in Meta's JSON shape, with the WhatsApp codes the bot can meet.

    {"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,
               "error_data": {"messaging_product": "whatsapp", "details": "..."}, "fbtrace_id": "..."}}

A refused call answers this body with its HTTP status; an accepted message that fails later carries the same
code, title and details in its ``failed`` status webhook (``status_errors``).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

ERROR_DOCS = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

# code -> (HTTP status, title, details when the caller gives none)
KNOWN: dict[int, tuple[int, str, str]] = {
    0: (401, "AuthException", "We were unable to authenticate the app user."),
    1: (500, "API Unknown", "Invalid request or possible server error."),
    2: (503, "API Service", "Temporary due to downtime or due to being overloaded."),
    100: (400, "Invalid parameter", ""),
    190: (401, "Access token has expired", "Error validating access token: Session has expired."),
    80007: (400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: (400, "Rate limit hit", "Cloud API message throughput has been reached."),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131005: (403, "Access denied", "Permission is either not requested or not granted."),
    131008: (400, "Required parameter is missing", ""),
    131009: (400, "Parameter value is not valid", ""),
    131016: (503, "Service unavailable", "A service is temporarily unavailable."),
    131021: (400, "Recipient cannot be sender", "Sender and recipient phone number is the same."),
    131026: (400, "Message undeliverable", "Unable to deliver message. Reasons can include: the recipient phone "
             "number is not a WhatsApp phone number; the recipient has not accepted the new Terms of Service."),
    131047: (400, "Re-engagement message", "Message failed to send because more than 24 hours have passed since "
             "the customer last replied to this number."),
    131051: (400, "Unsupported message type", "Message type is not currently supported."),
    131052: (400, "Media download error", "Unable to download the media sent by the user."),
    131053: (400, "Media upload error", "Unable to upload the media used in the message."),
    131056: (400, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from the "
             "sender phone number to the same recipient phone number in a short period of time."),
    132000: (400, "Number of parameters does not match the expected number of params", ""),
    132001: (404, "Template does not exist", ""),
    132005: (400, "Template Hydrated Text Too Long", "Translated text is too long."),
    132012: (400, "Parameter format does not match format in the created template", ""),
    132018: (400, "There was an issue with the parameters in your template.", ""),
    133010: (400, "Phone number Not Registered", "Phone number is not registered on the Business Platform."),
}


class MetaError(Exception):
    """An error the Graph API answers (or a failed status carries)."""

    def __init__(self, code: int, details: str = "", status: int | None = None, title: str | None = None,
                 retry_after: float | None = None, subcode: int | None = None, kind: str | None = None) -> None:
        known_status, known_title, known_details = KNOWN.get(code, (400, "Error", ""))
        self.code, self.status = code, status if status is not None else known_status
        self.title = title or known_title
        self.details = details or known_details
        self.retry_after, self.subcode = retry_after, subcode
        self.kind = kind or ("GraphMethodException" if subcode == 33 else "OAuthException")
        super().__init__(f"{code} {self.title}: {self.details}")

    @property
    def message(self) -> str:
        return f"(#{self.code}) {self.title}" if self.code not in (0, 190) else self.details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.kind, "code": self.code,
                                 "error_data": {"messaging_product": "whatsapp", "details": self.details},
                                 "fbtrace_id": "A" + secrets.token_urlsafe(16)}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}

    def response(self) -> web.Response:
        headers = {"Retry-After": str(max(1, round(self.retry_after)))} if self.retry_after else {}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
        return web.json_response(self.body(), status=self.status, headers=headers)

    def status_error(self) -> dict[str, Any]:
        """The ``errors[]`` item of a failed status webhook."""
        return {"code": self.code, "title": self.title, "message": self.title,
                "error_data": {"details": self.details}, "href": ERROR_DOCS}


def invalid(details: str, code: int = 100) -> MetaError:
    """A body the Cloud API refuses: (#100) Invalid parameter, details naming the field."""
    return MetaError(code, details)


def no_such_object(object_id: str, method: str = "get") -> MetaError:
    return MetaError(100, f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
                     "loaded due to missing permissions, or does not support this operation.", subcode=33,
                     title="Invalid parameter")


def bad_token(missing: bool) -> MetaError:
    if missing:
        return MetaError(190, "An active access token must be used to query information about the current user.")
    return MetaError(190, "Invalid OAuth access token - Cannot parse access token")
