"""Fixtures for the savings tests."""

from tests.pilots.world import world  # noqa: F401
