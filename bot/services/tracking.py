"""Tracking IDs: ``K7MQ9-TRXZS`` — 45 random bits in Crockford's base32 and a Luhn mod 32 check character.

Crockford's alphabet has no I, L, O or U, so 0/O and 1/I/L cannot be confused; when a citizen types
an O or an I anyway, it is read as the digit it looks like. The check character catches every
single mistyped character.
"""

from __future__ import annotations

import secrets

from stdnum import luhn
from stdnum.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARS = 9  # 9 x 5 = 45 bits of randomness
GROUP = 5
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class InvalidTrackingId(ValueError):
    pass


def new_tracking_id() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return _format(body + luhn.calc_check_digit(body, alphabet=ALPHABET))


def parse_tracking_id(typed: str) -> str:
    """The canonical form of what a citizen typed, or InvalidTrackingId if it cannot be one of ours."""
    compact = _compact(typed)
    if len(compact) != RANDOM_CHARS + 1 or any(ch not in ALPHABET for ch in compact):
        raise InvalidTrackingId(typed)
    try:
        luhn.validate(compact, alphabet=ALPHABET)
    except ValidationError as error:
        raise InvalidTrackingId(typed) from error
    return _format(compact)


def looks_like_tracking_id(typed: str) -> bool:
    """Whether text has a tracking ID's shape (ten letters and digits, grouped any way), right or mistyped."""
    return len(_compact(typed)) == RANDOM_CHARS + 1


def _compact(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_LOOKALIKES)


def _format(compact: str) -> str:
    return f"{compact[:GROUP]}-{compact[GROUP:]}"
