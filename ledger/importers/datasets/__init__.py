"""Readers for published national datasets (multi-body tables): pure Python, no database."""
