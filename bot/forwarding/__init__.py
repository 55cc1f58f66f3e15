"""Forwarding: reports sent on to the systems agencies already run (another Open311 server, a signed webhook; a
seam for SP4N-LAPOR!'s own integration API), durably, as the outbox sends messages; and their statuses back."""
