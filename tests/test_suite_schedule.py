"""`make test` hands whole test files to the xdist workers dearest first (tests/conftest.py): xdist's default
order (by number of tests) would ignore the collection order, and a renamed file would silently drop out."""

from __future__ import annotations

from .conftest import DEAREST_FIRST, REPO


def test_make_test_hands_out_files_in_collection_order() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    command = makefile.split("\ntest:", 1)[1].splitlines()[1]
    assert "--dist loadfile" in command and "--no-loadscope-reorder" in command


def test_the_dearest_files_exist() -> None:
    assert all((REPO / path).is_file() for path in DEAREST_FIRST)
