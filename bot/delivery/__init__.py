"""One delivery pipeline for everything the bot sends: the outbox, its sender and Telegram's rate limits."""
