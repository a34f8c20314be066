"""Fixtures for the pilots tests."""

from tests.pilots.world import world  # noqa: F401
