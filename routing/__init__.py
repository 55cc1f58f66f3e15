"""Jurisdiction: from a place to the area and the agency that must answer.

Pure Python: nothing here imports Telegram or the database.
"""
