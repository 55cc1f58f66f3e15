"""The durable inbox: updates stored before they are acknowledged, handled once each, in order per chat."""
