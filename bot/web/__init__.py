"""The bot's own HTTP endpoints for operators: health and Prometheus metrics (the webhook receiver lives in
``bot.inbox.receivers`` and serves them beside it)."""
