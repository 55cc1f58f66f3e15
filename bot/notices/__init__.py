"""What the bot says about a change, rendered below the services: the reporter's status push, the staff's notices,
an announcement's copies and its progress. Texts only (gettext msgids, HTML): no SQL decides here who hears, and
nothing here knows a handler. Services (``bot.services.notices``) pick the recipients; delivery and the jobs
render with these modules at send or queue time."""
