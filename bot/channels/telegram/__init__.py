"""Telegram, through python-telegram-bot: updates in (``inbound``), Bot API calls out (``outbound``), its limits
(``limits``). The only place the bot's code meets python-telegram-bot."""
