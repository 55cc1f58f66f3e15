"""WhatsApp (Cloud API) as a channel: signed webhooks in (webhook.py, inbound.py), Graph API calls out (api.py,
render.py, outbound.py, failures.py), its limits and its 24-hour window with templates after it (limits.py, templates.py)."""
