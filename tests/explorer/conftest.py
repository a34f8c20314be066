import pytest

from .world import explorer_world


@pytest.fixture
def world(db, reference_data):
    return explorer_world()


@pytest.fixture
def world_site(live_server, reference_data_tx):
    """The same ledger, committed, served to a browser."""
    explorer_world()
    return live_server
