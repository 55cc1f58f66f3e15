"""The process's heap while it serves (bot.event_loop.loaded_data_frozen)."""

from __future__ import annotations

import gc
import weakref

from bot.event_loop import loaded_data_frozen


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_what_was_loaded_is_out_of_the_collectors_reach_while_serving_and_new_garbage_is_still_collected():
    loaded = [_Node() for _ in range(1000)]
    frozen_before = gc.get_freeze_count()
    with loaded_data_frozen():
        assert gc.get_freeze_count() >= frozen_before + len(loaded), "the loaded objects are frozen"
        made = [_Node() for _ in range(100)]
        del made
        assert gc.collect() >= 100, "garbage made while serving is collected"
    assert gc.get_freeze_count() == 0, "afterwards everything is collected as before"
    assert loaded[0].me is loaded[0]


def test_garbage_from_before_is_collected_first_not_frozen_for_good():
    gc.disable()  # no collection on its own between the garbage being made and the freeze
    try:
        garbage = _Node()
        gone = weakref.ref(garbage)
        del garbage
        assert gone() is not None, "a cycle waits for the collector"
        with loaded_data_frozen():
            assert gone() is None, "collected before the freeze"
    finally:
        gc.enable()
