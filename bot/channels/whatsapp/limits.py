"""WhatsApp's limits (Cloud API, as Meta documents them); rendering keeps within them (bot.channels.whatsapp.render)."""

from __future__ import annotations

from bot.channels.channel import Limits

CHANNEL = "whatsapp"

TEXT = 4096  # characters of a text message
BODY = 1024  # characters of an interactive message's body, and of a media caption
BUTTONS = 3  # reply buttons on one message
BUTTON_TITLE = 20
LIST_ROWS = 10  # rows in all the sections of one list
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20  # the label of the button that opens a list
REPLY_ID = 256  # characters of a reply button's id (a choice's data comes back in it)
ROW_ID = 200  # characters of a list row's id: any choice may be shown in a list, so a choice's data fits this
TEMPLATE_PARAMETER = 1024  # characters of one body parameter of a template (no newlines or tabs, <= 4 spaces in a row)
TEMPLATE_BODY = 1024  # characters of a template's body with its parameters in it

# The largest file a person may send, by kind (bytes).
MB = 1024 * 1024
INCOMING_SIZE = {"photo": 5 * MB, "video": 16 * MB, "audio": 16 * MB, "voice": 16 * MB, "document": 100 * MB,
                 "sticker": 500 * 1024}

WINDOW_HOURS = 24  # free-form messages only this long after the person's last message

WHATSAPP_LIMITS = Limits(text=TEXT, caption=BODY, choice_data=ROW_ID, choices_per_row=BUTTONS,
                         choices_per_message=LIST_ROWS, choice_label=ROW_TITLE, tap_notices=False)
