"""Code extraction from raw responses and patch application, on realistic model answers."""

from __future__ import annotations

import difflib
import inspect
import json

import pytest

from bare_tui.extract import extract_code, looks_like_code
from bare_tui.patching import PatchError, apply_patch


def test_the_fenced_block_in_the_task_language_wins_over_a_larger_other_one() -> None:
    response = "Here you go:\n```js\nconst a = 1;\n```\n```bash\n" + "echo hi\n" * 20 + "```\n"
    got = extract_code(response, "javascript")
    assert got.code == "const a = 1;\n" and got.how == "fenced:javascript" and got.blocks == 2


def test_the_largest_block_when_none_names_the_language() -> None:
    response = "```\nx\n```\ntext\n```\nint main(void) {\n    return 0;\n}\n```"
    assert extract_code(response, "c").code == "int main(void) {\n    return 0;\n}\n"


def test_an_unclosed_fence_runs_to_the_end_as_truncated_answers_do() -> None:
    assert (
        extract_code("Refactored:\n```go\npackage main\nfunc main() {\n", "go").code == "package main\nfunc main() {\n"
    )


def test_tilde_fences_and_info_strings() -> None:
    assert extract_code('~~~ts title="a.ts"\nlet x: number = 1;\n~~~\n', "typescript").how == "fenced:typescript"


def test_prose_only_answers_have_no_code() -> None:
    text = (
        "I reviewed the file carefully.\nThe structure is already clean, so no change is needed.\n"
        "If you want, I can split the parser into smaller functions."
    )
    assert extract_code(text, "python").code is None


def test_bare_code_without_fences_is_the_answer() -> None:
    source = inspect.getsource(json.dumps)
    assert looks_like_code(source) and extract_code(source, "python").code == source


def test_patch_from_difflib_on_a_real_file_applies_exactly() -> None:
    original = inspect.getsource(json)
    lines = original.splitlines(True)
    changed = lines[:]
    changed[10] = "# changed line\n"
    del changed[50:53]
    changed.insert(200, "x = 1\n")
    patch = "".join(difflib.unified_diff(lines, changed, "a/json.py", "b/json.py"))
    assert apply_patch(original, patch) == "".join(changed)


def test_a_hunk_offset_by_a_few_lines_still_applies() -> None:
    original = "a\nb\nc\nd\ne\n"
    patch = "--- a/f\n+++ b/f\n@@ -3,2 +3,2 @@\n b\n-c\n+C\n"
    assert apply_patch(original, patch) == "a\nb\nC\nd\ne\n"


@pytest.mark.parametrize(
    "patch, reason",
    [
        ("this is not a diff", "not a unified diff"),
        ("--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-zzz\n+y\n", "hunk 1"),
        ("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n--- a/g\n+++ b/g\n@@ -1 +1 @@\n-a\n+b\n", "changes 2 files"),
    ],
)
def test_patches_that_do_not_apply_say_why(patch: str, reason: str) -> None:
    with pytest.raises(PatchError, match=reason):
        apply_patch("a\nb\n", patch)


def test_a_clarifying_question_with_a_numbered_list_has_no_code() -> None:
    text = (
        "I can help refactor this, but I need a bit more information first:\n\n"
        "1. Which Java version does your build use? Records and `List.of` would simplify it, but need Java 16+.\n"
        "2. Are the thresholds meant to be configurable, or is it fine to keep them as constants?\n"
        "3. Is `calculate` called from other modules? Its eight parameters are the main problem.\n\n"
        "Once you confirm, I'll produce the refactored `PayrollCalculator.java`.\n"
    )
    assert extract_code(text, "java").code is None


@pytest.mark.parametrize("module", ["json.decoder", "argparse", "textwrap", "shlex"])
def test_real_stdlib_sources_read_as_code(module: str) -> None:
    import importlib

    assert looks_like_code(inspect.getsource(importlib.import_module(module)))


def test_a_hunk_is_found_at_the_nearest_match_to_its_header_either_side() -> None:
    """The line search keeps patch(1)'s choice: the match nearest the header's line, the earlier on a tie."""
    original = "".join(f"{'a' if i % 10 == 0 else i}\n" for i in range(100))  # "a" at lines 0, 10, 20, ...
    for header, changed in ((33, 30), (36, 30), (37, 40), (1, 0), (99, 90)):  # header lines count from 1
        patch = f"--- a/x\n+++ b/x\n@@ -{header},1 +{header},1 @@\n-a\n+b\n"
        result = apply_patch(original, patch).splitlines()
        assert [i for i, line in enumerate(result) if line == "b"] == [changed], header


def test_many_hunks_pointing_far_away_stop_with_a_reason_instead_of_searching_forever() -> None:
    lines = 20_000
    original = "".join(f"l{i}\n" for i in range(lines))
    hunks = "".join(f"@@ -{lines},1 +{lines},1 @@\n-l{k}\n+m{k}\n" for k in range(0, lines, 2))
    with pytest.raises(PatchError, match="too far"):
        apply_patch(original, "--- a/x\n+++ b/x\n" + hunks)
