"""Fuzzing verify's inputs: arbitrary and pathological texts (random bytes decoded, deep nesting, huge lines, NULs,
lone surrogates, mixed line endings, unbalanced brackets) in each of the nine languages and under wrong language
tags, through every stage and through `bare-tui verify` with its worker pool. For every input: no traceback, one
verdict per stage with one of the four outcomes, evidence within its cap, and every attempt finished (the
runner's time limit and memory limit turn a runaway into an `error` verdict that says so; bench/fuzz.py prints
the longest attempt and each worker's peak memory on the whole hostile set)."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bare_tui import cli
from bare_tui.model import STAGES, Attempt, Outcome, Task, normalise_language
from bare_tui.pipeline.evidence import EVIDENCE_LIMIT
from bare_tui.pipeline.languages import LANGUAGES
from bare_tui.pipeline.work import Job, analyse
from bare_tui.store import Store

ORIGINALS = {
    "c": ("a.c", "int add(int a, int b) {\n    return a + b;\n}\n"),
    "cpp": ("a.cpp", "int add(int a, int b) {\n    return a + b;\n}\n"),
    "csharp": ("A.cs", "class A {\n    public int Add(int a, int b) { return a + b; }\n}\n"),
    "go": ("a.go", "package a\n\nfunc Add(a int, b int) int {\n\treturn a + b\n}\n"),
    "java": ("A.java", "class A {\n    public int add(int a, int b) { return a + b; }\n}\n"),
    "javascript": ("a.js", "function add(a, b) {\n  return a + b;\n}\n"),
    "php": ("a.php", "<?php\nfunction add($a, $b) {\n    return $a + $b;\n}\n"),
    "python": ("a.py", "def add(a, b):\n    return a + b\n"),
    "typescript": ("a.ts", "function add(a: number, b: number): number {\n  return a + b;\n}\n"),
}
assert set(ORIGINALS) == set(LANGUAGES)

# Why a stage may say `error` on hostile input: each a limit the pipeline states, never an analyser's exception.
STATED_LIMITS = (
    "nesting is too deep",
    "ran out of stack",
    "memory limit",
    "ran out of memory",
    "over the size cap",
    "time limit",
    "could not read",
    "could not parse",
)

OPENERS = ("(", "[", "{", "<", "if (x) {\n", "f(", '"', "'", "`${", "/*", "<?php ", "#if X\n", "\\", "@@ ")
ENDINGS = ("\n", "\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "")


def nested(opener: str, depth: int, closed: int) -> str:
    """`depth` openers and only some of their closers: deep, unbalanced nesting."""
    closer = {"(": ")", "[": "]", "{": "}", "<": ">", "if (x) {\n": "}\n", "f(": ")", "`${": "}`"}.get(opener, "")
    return opener * depth + "x" + closer * min(closed, depth)


def with_endings(text: str, endings: list[str]) -> str:
    lines = text.split("\n")
    return "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))


def hostile_texts(surrogates: bool) -> st.SearchStrategy[str]:
    """One hostile text; `surrogates` allows lone surrogates (a store cannot hold them, a stage can be given them)."""
    errors = st.sampled_from(["replace", "surrogateescape"] if surrogates else ["replace"])
    original = st.sampled_from(sorted(text for _, text in ORIGINALS.values()))
    parts = st.one_of(
        st.builds(lambda data, how: data.decode("utf-8", how), st.binary(max_size=3000), errors),
        st.builds(nested, st.sampled_from(OPENERS), st.integers(1, 3000), st.integers(0, 3000)),
        st.builds(lambda text, n: text.replace("\n", " " + "a+" * n + "a\n", 1), original, st.integers(1, 3000)),
        st.builds(lambda text, n: text.replace(" ", "\x00" * n), original, st.integers(1, 50)),
        st.builds(with_endings, original, st.lists(st.sampled_from(ENDINGS), min_size=1, max_size=6)),
        st.text(alphabet="()[]{}<>\"'`;/*\\#$@ \n\t", max_size=400),
        st.text(st.characters(exclude_categories=() if surrogates else ("Cs",)), max_size=300),
        # Python's own bombs stay shallow here (lizard's memory grows with each nested def; the worker's limit,
        # tested through verify below, is what stops the deep ones).
        st.integers(1, 12).map(lambda d: "".join(" " * i + f"def f{i}():\n" for i in range(d)) + " " * d + "pass\n"),
        original,
    )
    return st.lists(parts, min_size=1, max_size=3).map("".join)


# A language the line is tagged with: each of the nine, also over another language's code, and tags outside them.
tags = st.one_of(st.sampled_from(LANGUAGES), st.sampled_from(["cobol", "", "Python ", "c\x00", "\ud800"]))


def check_result(stage: str, outcome: Outcome, evidence: tuple, details: dict) -> None:
    assert outcome in set(Outcome)
    assert len(evidence) <= EVIDENCE_LIMIT + 1  # the findings, then one line counting the rest
    assert all(e.side in ("original", "refactored") and isinstance(e.message, str) for e in evidence)
    if outcome is Outcome.ERROR and stage != "overall":  # overall's error is a stage's error, said there
        reason = details.get("reason", "")
        assert any(limit in reason for limit in STATED_LIMITS), f"{stage}: {reason}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    tag=tags,
    code_of=st.sampled_from(LANGUAGES),
    original=st.one_of(st.none(), hostile_texts(surrogates=True)),
    refactored=st.one_of(st.none(), hostile_texts(surrogates=True)),
)
def test_every_stage_gives_one_verdict_on_hostile_texts(
    tag: str, code_of: str, original: str | None, refactored: str | None
) -> None:
    path, clean = ORIGINALS[code_of]
    job = Job("a", tag, path, clean if original is None else original, refactored)
    results = list(analyse(job))
    assert [stage for stage, _ in results] == list(STAGES)
    for stage, result in results:
        check_result(stage, result.outcome, result.evidence, result.details)
    if normalise_language(tag) is None:  # "Python " is python; "cobol" and "c\x00" are no language of the nine
        assert {result.outcome for _, result in results} == {Outcome.SKIPPED}


hostile_attempts = st.lists(
    st.tuples(st.sampled_from(LANGUAGES), st.sampled_from(LANGUAGES), hostile_texts(surrogates=False)),
    min_size=len(LANGUAGES),
    max_size=len(LANGUAGES) + 4,
)
models = st.sampled_from(["gpt[/bold]", "m\x1b]0;owned\x07", "![x](http://x)", "model-x"])


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(attempts=hostile_attempts, model=models)
def test_verify_over_hostile_attempts_gives_every_attempt_its_verdicts(
    attempts: list[tuple[str, str, str]], model: str
) -> None:
    """Through the command and its pool of two workers: the tasks in all nine languages, each attempt's answer
    hostile (and some of another language than the task's), a model name that is markup or an escape."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "s.db"
        with Store.open(db, create=True) as store:
            store.add_tasks([Task(f"t-{lang}", lang, path, text) for lang, (path, text) in ORIGINALS.items()])
            store.add_attempts(
                [
                    Attempt(f"a-{i}", f"t-{lang}", model, text if code == lang else text + ORIGINALS[code][1])
                    for i, (lang, code, text) in enumerate(attempts)
                ]
            )
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            assert cli.main(["verify", str(db), "--jobs", "2"]) == 0
        assert "Traceback" not in out.getvalue() + err.getvalue()
        assert "\x1b]0;owned" not in out.getvalue() + err.getvalue()
        with Store.open(db, readonly=True) as store:
            verdicts = store.verdicts(source="bare-tui")
    by_attempt: dict[str, list[str]] = {}
    for verdict in verdicts:
        by_attempt.setdefault(verdict.attempt_id, []).append(verdict.stage)
        check_result(verdict.stage, verdict.outcome, verdict.evidence, verdict.details)
        json.dumps(verdict.details)  # what the store wrote reads back as JSON
    assert sorted(by_attempt) == sorted(f"a-{i}" for i in range(len(attempts)))
    assert all(sorted(stages) == sorted((*STAGES, "overall")) for stages in by_attempt.values())
