"""The apps the audit trail records read a record's history through ``totalplace.history``
(they never import audit): audit registers every reader, and asking for one it does not know
is an error rather than an empty history."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit import history, selectors
from totalplace import history as readers


def test_audit_registers_every_reader_when_it_loads():
    assert readers._readers == {
        "record": history.object_history,
        "spend_return": selectors.spend_return_history_for,
    }
    assert set(readers._readers) == set(readers.READERS)


def test_a_reader_nobody_registered_is_an_error_not_an_empty_history(monkeypatch):
    monkeypatch.setattr(readers, "_readers", {})
    with pytest.raises(ImproperlyConfigured, match="No history reader “record”"):
        readers.history_read("record", obj=None)


def test_only_the_readers_pages_ask_for_can_be_registered():
    with pytest.raises(ValueError, match="no history reader “lines”"):
        readers.provides("lines")
