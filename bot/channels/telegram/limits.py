"""Telegram's limits on what a bot sends (Bot API 9), as the rendering respects them."""

from bot.channels.channel import Limits
from bot.textlimits import CALLBACK_DATA_LIMIT, CAPTION_LIMIT, MESSAGE_LIMIT

TELEGRAM_LIMITS = Limits(
    text=MESSAGE_LIMIT,
    caption=CAPTION_LIMIT,
    choice_data=CALLBACK_DATA_LIMIT,
    choices_per_row=8,
    choices_per_message=100,
    choice_label=64,  # no documented limit; longer labels are cut on phones anyway
)
