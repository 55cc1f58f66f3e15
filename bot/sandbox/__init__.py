"""The local sandbox: a Telegram Bot API emulator and a web chat page to talk to the bot without Telegram."""
