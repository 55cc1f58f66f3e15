"""Channels: the messengers the bot speaks on, behind one neutral contract.

- ``incoming``: what a person sent, as the flows see it (no messenger's types).
- ``markup``: the choices and requests a message carries, as the flows write them.
- ``<channel>/``: an adapter per messenger: its updates in, its API calls out, its limits.
"""
