"""Fixtures for the permission tests: the package-scoped world of every role."""

from tests.permissions.world import world  # noqa: F401
