"""The doorkeeper in front of both caches: a key is let in the second time it comes, within its window."""

from __future__ import annotations

import pytest

from kg.engine.admission import Doorkeeper


def test_a_key_is_let_in_when_it_comes_again() -> None:
    door = Doorkeeper(window=100)
    assert [door.admit("SELECT 1"), door.admit("SELECT 1"), door.admit("SELECT 1")] == [False, True, True]
    assert door.admit(("v1", "/api/queries/x", b"a=1", b"")) is False  # any hashable key


def test_the_window_bounds_what_it_remembers() -> None:
    door = Doorkeeper(window=3)
    for key in ("a", "b", "c"):
        assert not door.admit(key)
    assert len(door) == 3
    assert not door.admit("d")  # full: it starts over, remembering only "d"
    assert len(door) == 1
    assert not door.admit("a")  # forgotten: a first sighting again
    assert door.admit("d")


def test_clear_forgets_and_a_window_holds_at_least_one_key() -> None:
    door = Doorkeeper()
    door.admit("x")
    door.clear()
    assert not door.admit("x")
    with pytest.raises(ValueError, match="at least one key"):
        Doorkeeper(window=0)
