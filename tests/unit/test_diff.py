"""The diff model: alignment, filler, change blocks, line maps, intra-line emphasis and its bounds."""

from __future__ import annotations

import difflib
import inspect
import random
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bare_tui.diff import DiffCancelled, DiffLimits, DiffModel, build_diff, intraline_change

ORIGINAL = textwrap.dedent(
    """\
    def total(items):
        t = 0
        for item in items:
            t += item.price
        return t

    def count(items):
        return len(items)
    """
)

REFACTORED = textwrap.dedent(
    """\
    def total(items):
        return sum(item.price for item in items)

    def count(items):
        return len(items)

    def empty(items):
        return not items
    """
)


def unified_lines(model: DiffModel) -> list[str]:
    marks = {"equal": " ", "delete": "-", "insert": "+"}
    return [marks[row.kind] + row.text for row in model.unified_rows]


def reference_unified(a: list[str], b: list[str]) -> list[str]:
    """difflib.unified_diff with the whole file as context, without its headers."""
    lines = list(difflib.unified_diff(a, b, n=len(a) + len(b) + 1, lineterm=""))
    return [line for line in lines[2:] if not line.startswith("@@")] if lines else [" " + line for line in a]


def assert_consistent(model: DiffModel, a: list[str], b: list[str]) -> None:
    """Every line of each side appears once, in order, in both modes, and equal rows really are equal."""
    for mode in ("split", "unified"):
        rows = model.rows(mode)
        assert [row.old for row in rows if row.old] == list(range(1, len(a) + 1))
        assert [row.new for row in rows if row.new] == list(range(1, len(b) + 1))
        for index, row in enumerate(rows):
            if row.kind == "equal":
                assert model.text("original", row.old) == model.text("refactored", row.new)
            if mode == "split":
                assert row.old_text == (model.text("original", row.old) if row.old else None)
                assert row.new_text == (model.text("refactored", row.new) if row.new else None)
            else:
                assert row.text == model.text(*(("original", row.old) if row.old else ("refactored", row.new)))
            if row.old:
                assert model.row_for("original", row.old, mode) == index
            if row.new:
                assert model.row_for("refactored", row.new, mode) == index
    assert list(model.old_lines) == a
    assert list(model.new_lines) == b


def mutate(lines: list[str], seed: int) -> list[str]:
    """About one line in ten changed, deleted or followed by a new one."""
    rng = random.Random(seed)
    out: list[str] = []
    for line in lines:
        roll = rng.random()
        if roll < 0.05:
            out.append(line.replace("e", "E") + "  # changed")
        elif roll < 0.07:
            continue
        elif roll < 0.10:
            out.extend([line, "    inserted = True"])
        else:
            out.append(line)
    return out


def test_split_rows_pair_replacements_and_fill_the_missing_side() -> None:
    model = build_diff(ORIGINAL, REFACTORED)
    rows = [(row.kind, row.old, row.new) for row in model.split_rows]
    assert rows == [
        ("equal", 1, 1),
        ("replace", 2, 2),
        ("delete", 3, None),
        ("delete", 4, None),
        ("delete", 5, None),
        ("equal", 6, 3),
        ("equal", 7, 4),
        ("equal", 8, 5),
        ("insert", None, 6),
        ("insert", None, 7),
        ("insert", None, 8),
    ]
    assert model.strategy == "exact"


def test_unified_rows_match_difflib_unified_diff() -> None:
    a, b = ORIGINAL.splitlines(), REFACTORED.splitlines()
    model = build_diff(ORIGINAL, REFACTORED)
    assert unified_lines(model) == reference_unified(a, b)
    assert [(row.old, row.new) for row in model.unified_rows[:3]] == [(1, 1), (2, None), (3, None)]


def test_change_blocks_hold_the_changed_rows_of_each_mode() -> None:
    model = build_diff(ORIGINAL, REFACTORED)
    assert [block.kind for block in model.blocks] == ["replace", "insert"]
    first, second = model.blocks
    assert (first.old_start, first.old_end, first.new_start, first.new_end) == (2, 6, 2, 3)
    assert first.rows("split") == (1, 5)
    assert first.rows("unified") == (1, 6)
    assert second.rows("split") == (8, 11)
    for mode in ("split", "unified"):
        changed = {index for index, row in enumerate(model.rows(mode)) if row.kind != "equal"}
        in_blocks = {row for block in model.blocks for row in range(*block.rows(mode))}
        assert changed == in_blocks
        assert model.next_block(0, mode) == 0
        assert model.next_block(first.rows(mode)[0], mode) == 1
        assert model.next_block(second.rows(mode)[0], mode) is None
        assert model.previous_block(second.rows(mode)[0], mode) == 0
        assert model.previous_block(first.rows(mode)[0], mode) is None


def test_lines_map_to_their_rows_in_both_modes() -> None:
    model = build_diff(ORIGINAL, REFACTORED)
    assert model.row_for("original", 3, "split") == 2
    assert model.row_for("original", 3, "unified") == 2
    assert model.row_for("refactored", 2, "unified") == 5
    assert model.row_for("refactored", 8, "split") == 10
    assert model.row_for("refactored", 99, "split") is None
    assert model.row_for("original", 0, "split") is None
    assert_consistent(model, ORIGINAL.splitlines(), REFACTORED.splitlines())


def test_replaced_lines_are_paired_and_emphasised_word_by_word() -> None:
    model = build_diff("total = price * qty\n", "total = price * quantity\n")
    assert model.partner("original", 1) == 1
    assert model.partner("refactored", 1) == 1
    old, new = model.text("original", 1), model.text("refactored", 1)
    assert [old[s:e] for s, e in model.emphasis("original", 1)] == ["qty"]
    assert [new[s:e] for s, e in model.emphasis("refactored", 1)] == ["quantity"]
    unpaired = build_diff(ORIGINAL, REFACTORED)
    assert unpaired.partner("original", 3) is None
    assert unpaired.emphasis("original", 3) == ()
    assert unpaired.emphasis("original", 1) == ()  # equal lines have nothing to emphasise


def test_intraline_emphasis_skips_long_lines_and_says_so() -> None:
    long_old = "x = [" + ", ".join(str(n) for n in range(200)) + "]"
    long_new = long_old.replace("199", "200")
    assert len(long_old) > 500
    assert intraline_change(long_old, long_new) is None
    model = build_diff(long_old + "\n", long_new + "\n")
    assert model.emphasis("refactored", 1) == ()
    assert model.long_lines_unemphasised
    assert "intra-line emphasis off for lines over 500 characters" in model.notices()


def test_intraline_emphasis_is_off_above_the_file_size_limit() -> None:
    limits = DiffLimits(intraline_file_lines=10)
    original = "".join(f"value_{n} = {n}\n" for n in range(8))
    model = build_diff(original, original.replace("= 3", "= 30"), limits)
    assert not model.intraline_enabled
    assert model.emphasis("refactored", 4) == ()
    assert "intra-line emphasis off: file too large" in model.notices()
    assert build_diff(original, original.replace("= 3", "= 30")).emphasis("refactored", 4) != ()


def test_identical_texts_have_no_blocks_and_say_so() -> None:
    model = build_diff(ORIGINAL, ORIGINAL)
    assert model.identical
    assert model.blocks == ()
    assert all(row.kind == "equal" for row in model.split_rows)
    assert model.notices() == ("no changes: the refactored file has the same lines as the original",)


def test_empty_sides() -> None:
    both_empty = build_diff("", "")
    assert both_empty.row_count("split") == 0 and both_empty.row_count("unified") == 0
    assert both_empty.notices() == ()
    added = build_diff("", "a\nb\n")
    assert [(row.kind, row.old, row.new) for row in added.split_rows] == [("insert", None, 1), ("insert", None, 2)]
    removed = build_diff("a\nb\n", "")
    assert [row.kind for row in removed.unified_rows] == ["delete", "delete"]
    assert not removed.refactored_missing
    assert removed.notices() == ("the refactored file is empty",)


def test_missing_refactored_code_is_an_empty_side_with_a_flag() -> None:
    model = build_diff(ORIGINAL, None)
    assert model.refactored_missing
    assert model.new_lines == ()
    assert {row.kind for row in model.split_rows} == {"delete"}
    assert model.notices()[0] == "no code was extracted from the answer: the refactored side is empty"


def test_crlf_and_lf_compare_equal_but_the_difference_is_reported() -> None:
    crlf = ORIGINAL.replace("\n", "\r\n")
    model = build_diff(crlf, ORIGINAL)
    assert model.identical
    assert model.line_endings == ("CRLF", "LF")
    assert any(note.startswith("line endings differ: original CRLF, refactored LF") for note in model.notices())
    lone = build_diff("a = 1\rb = 2\n", "a = 1\rb = 2\n")
    assert lone.old_lines == ("a = 1\rb = 2",)  # kept in the line, shown as a control picture by safe_text


def test_missing_final_newline_is_reported() -> None:
    model = build_diff("x = 1\n", "x = 1")
    assert model.identical
    assert "newline at end of file: the original has one, the refactored does not" in model.notices()


def test_real_source_file_large_diff_uses_anchors_and_stays_consistent() -> None:
    # A real file from the standard library, about 2,000 lines, with a tenth of it changed.
    a = inspect.getsource(difflib).splitlines()
    a = (a * 2)[:2000]
    b = mutate(a, seed=4)
    model = build_diff("\n".join(a) + "\n", "\n".join(b) + "\n")
    assert model.strategy == "anchored"
    assert_consistent(model, a, b)
    # The anchored alignment is as tight as SequenceMatcher's own (no more changed lines than 5% over it).
    exact = difflib.SequenceMatcher(None, a, b, autojunk=False)
    exact_changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in exact.get_opcodes() if tag != "equal")
    changed = sum(1 for row in model.split_rows if row.kind != "equal")
    assert changed <= exact_changed * 1.05


def test_repetitive_input_without_anchors_is_bounded_and_flagged() -> None:
    a = ["x", "y"] * 1500
    b = ["y", "x"] * 1500
    model = build_diff("\n".join(a), "\n".join(b), DiffLimits(exact_cells=10_000))
    assert model.strategy == "approximate"
    assert "large file: the line alignment is approximate" in model.notices()
    assert_consistent(model, a, b)


def test_a_diff_no_longer_wanted_stops() -> None:
    a = inspect.getsource(difflib).splitlines()
    asked: list[bool] = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 3

    with pytest.raises(DiffCancelled):
        build_diff("\n".join(a), "\n".join(mutate(a, seed=2)), DiffLimits(exact_cells=100), cancelled)
    assert len(asked) == 4


lines_strategy = st.lists(st.sampled_from(["a", "b", "c", "", "}", "return x"]), max_size=40)


@settings(max_examples=150, deadline=None)
@given(lines_strategy, lines_strategy)
def test_any_pair_of_texts_aligns_like_difflib(a: list[str], b: list[str]) -> None:
    model = build_diff("".join(line + "\n" for line in a), "".join(line + "\n" for line in b))
    assert_consistent(model, a, b)
    if a or b:
        assert unified_lines(model) == reference_unified(a, b)


@settings(max_examples=60, deadline=None)
@given(lines_strategy, lines_strategy)
def test_anchored_strategy_keeps_every_line_in_order(a: list[str], b: list[str]) -> None:
    distinct_a = [f"{line} {n % 7}" for n, line in enumerate(a)]
    distinct_b = [f"{line} {n % 5}" for n, line in enumerate(b)]
    model = build_diff("\n".join(distinct_a), "\n".join(distinct_b), DiffLimits(exact_cells=4))
    assert_consistent(model, distinct_a, distinct_b)
