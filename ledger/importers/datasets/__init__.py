"""Readers for published multi-body datasets (pure Python, no database).

``wide``: DLUHC revenue tables, a row per authority and a column per service line.
"""
