"""Domain services: they own state and take an open session; the caller owns the transaction."""
