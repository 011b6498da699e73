"""A long fuzz campaign against import and verify (issue 12): tens of thousands of seeded lines, good, hostile,
conflicting and repeated, plus hostile attempts in all nine languages (pathological responses and patches). Prints
the counts that must be zero (tracebacks, lost lines, unreported lines, overwrites) and the two that are figures
(peak memory, the longest any one line took). With root, a real full disk (a 3 MB tmpfs) too.

Then verify on the hostile set: the campaign's hostile answers as imported, and as many hostile code texts again
(random bytes decoded, deep nesting, huge lines, NULs, mixed line endings, unbalanced brackets, lizard's nested-def
bomb, another language's code under the task's tag), through `verify` with two workers. Prints each worker's peak
memory (VmHWM, sampled from /proc) and the largest of any finished child (RUSAGE_CHILDREN), the error verdicts by
reason, and the counts that must be zero: tracebacks, attempts missing a verdict, evidence over its cap, workers
over 1 GB.

    .venv/bin/python bench/fuzz.py [--lines 12000] [--hostile 270] [--seed 1] [--verify-hostile 216] [--verify-jobs 2]
    .venv/bin/python bench/fuzz.py --skip-import           # verify on the hostile set only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bare_tui import importer
from bare_tui.importer import import_into
from bare_tui.model import STAGES, Attempt, Outcome
from bare_tui.pipeline.evidence import EVIDENCE_LIMIT
from bare_tui.pipeline.languages import LANGUAGES
from bare_tui.pipeline.runner import verify_session
from bare_tui.store import Store

FILE_LINES = 500  # lines per file: a traceback ends one file's import, so each file is counted on its own

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
TERMINAL_CONTROLS = "\x1b]52;c;aGk=\x07\x1b]0;owned\x07\u009b31m\u202egnp.exe\u200b"


@dataclass
class Line:
    text: bytes
    kind: str  # good, bad, conflict, same
    key: str = ""  # the record's key for good lines: ("attempt", id), ...
    content: str = ""  # what must be stored for a good line (the model, the label)


class Campaign:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.goods: list[Line] = []
        self.serial = 0

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def text(self, size: int) -> str:
        pool = "abc xyz_{}();=\n\t\"'`~<>[]/\\#" + TERMINAL_CONTROLS + "é漢🙂"
        return "".join(self.rng.choice(pool) for _ in range(size))

    # ------------------------------------------------------------------ good lines
    def task(self, language: str) -> Line:
        path, original = ORIGINALS[language]
        task_id = self.next_id(f"t-{language}")
        record = {"task_id": task_id, "language": language, "path": path, "original": original}
        line = Line(json.dumps(record).encode(), "good", f"task:{task_id}", original)
        self.goods.append(line)
        return line

    def attempt(self, task_id: str, fields: dict[str, object] | None = None) -> Line:
        attempt_id = self.next_id("a") + self.rng.choice(["", "", TERMINAL_CONTROLS])
        model = self.rng.choice(["gpt[/bold]", "model-x", "![img](http://x/y.png)", "m" + self.text(8)])
        record: dict[str, object] = {
            "attempt_id": attempt_id,
            "task_id": task_id,
            "model": model,
            "refactored": self.text(self.rng.randint(0, 300)) or "x",
        }
        if self.rng.random() < 0.5:
            record["verdicts"] = {
                "syntax": {
                    "outcome": self.rng.choice(["pass", "fail", "error", "skipped"]),
                    "score": self.rng.uniform(-1, 1),
                    "evidence": [{"side": "original", "line": 3, "column": None, "message": self.text(30)}],
                }
            }
        record.update(fields or {})
        ascii_only = self.rng.random() < 0.5
        line = Line(json.dumps(record, ensure_ascii=ascii_only).encode(), "good", f"attempt:{attempt_id}", model)
        self.goods.append(line)
        return line

    def judgement(self, attempt_id: str) -> Line:
        judgement_id = self.next_id("j")
        label = self.rng.choice(["pass", "fail", "unsure"])
        record = {
            "judgement_id": judgement_id,
            "attempt_id": attempt_id,
            "reviewer": self.rng.choice(["ana", "ben"]),
            "stage": self.rng.choice(["syntax", "overall"]),
            "label": label,
            "note": self.text(20),
            "saved_at": "2026-11-21T10:00:41Z",
            "saw_verdicts": self.rng.random() < 0.5,
        }
        line = Line(json.dumps(record).encode(), "good", f"judgement:{judgement_id}", label)
        self.goods.append(line)
        return line

    # ------------------------------------------------------------------ bad lines
    def bad(self, task_id: str, attempt_id: str) -> Line:
        base = {"attempt_id": self.next_id("bad"), "task_id": task_id, "model": "m", "refactored": "x\n"}
        dumped = json.dumps(base)
        judged = {
            "judgement_id": self.next_id("bad-j"),
            "attempt_id": attempt_id,
            "reviewer": "ana",
            "stage": "syntax",
            "label": "pass",
        }
        choices: list[Callable[[], str | bytes]] = [
            lambda: dumped.replace('"m"', '"\\ud800"'),
            lambda: dumped.replace('"x\\n"', '"\\udc00x"'),
            lambda: dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "score": NaN}}}',
            lambda: dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "evidence": [{"line": 1e999}]}}}',
            lambda: dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "score": 1' + "0" * 400 + "}}}",
            lambda: dumped[:-1] + ', "meta": {"n": ' + "7" * 4400 + "}}",
            lambda: dumped[:-1] + ', "meta": ' + "[" * 3000 + "]" * 3000 + "}",
            lambda: dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "evidence": [{"side": "left"}]}}}',
            lambda: dumped[: self.rng.randint(1, len(dumped) - 1)],
            lambda: json.dumps(
                {
                    **base,
                    "language": TERMINAL_CONTROLS,
                    "original": "x",
                    "path": "x.py",
                    "task_id": "t-new-" + str(self.serial),
                }
            ),
            lambda: json.dumps({k: v for k, v in base.items() if k != "attempt_id"}),
            lambda: json.dumps({**judged, "retracted": "false"}),
            lambda: json.dumps({**judged, "saved_at": "yesterday"}),
            lambda: json.dumps({**judged, "supersedes": judged["judgement_id"]}),
            lambda: json.dumps({**judged, "attempt_id": "nowhere"}),
            lambda: self.rng.randbytes(self.rng.randint(1, 80)).replace(b"\n", b"").replace(b"\r", b"") or b"\x00",
        ]
        made = self.rng.choice(choices)()
        raw = made if isinstance(made, bytes) else made.encode("utf-8")
        if not raw.strip():
            raw = b"\x00"
        return Line(raw, "bad")

    def conflict(self) -> Line:
        target = self.rng.choice([g for g in self.goods if g.key.startswith(("attempt:", "judgement:"))])
        record = json.loads(target.text)
        if "judgement_id" in record:
            record["label"] = "fail" if record["label"] != "fail" else "pass"
        else:
            record["model"] = record["model"] + "-changed"
        return Line(json.dumps(record).encode(), "conflict", target.key)

    # ------------------------------------------------------------------ hostile attempts (good lines, slow texts)
    def hostile_attempt(self, task_id: str, language: str) -> Line:
        size = self.rng.choice([40_000, 200_000, 1_000_000])
        kind = self.rng.choice(["tildes", "quotes", "parens", "backticks", "prose", "patch", "bidi"])
        _, original = ORIGINALS[language]
        if kind == "patch":
            lines = original.splitlines()
            body = "".join(f" {lines[0]}\n" for _ in range(size // (len(lines[0]) + 2)))
            hunk = f"@@ -1,{body.count(chr(10)) + 1} +1,1 @@\n"
            return self.attempt(task_id, {"refactored": None, "patch": f"--- a/x\n+++ b/x\n{hunk}{body}-nope\n+x\n"})
        text = {
            "tildes": "~" * size + "`",
            "quotes": ("a" + "'" * 50 + "# ") * (size // 53),
            "parens": "(" * size,
            "backticks": "```\n" + "`" * size,
            "prose": "Here is the code. " * (size // 18),
            "bidi": ("x = 1 \u202e\u2066 # comment\n" * (size // 20)),
        }[kind]
        return self.attempt(task_id, {"refactored": None, "response": text})


def campaign_files(campaign: Campaign, lines: int, hostile: int, folder: Path) -> tuple[list[Path], list[list[Line]]]:
    rng = campaign.rng
    tasks = {language: campaign.task(language) for language in LANGUAGES}
    task_ids = {language: json.loads(line.text)["task_id"] for language, line in tasks.items()}
    stream: list[Line] = list(tasks.values())
    attempts: list[str] = []
    for index in range(hostile):
        language = LANGUAGES[index % len(LANGUAGES)]
        stream.append(campaign.hostile_attempt(task_ids[language], language))
    while len(stream) < lines:
        roll = rng.random()
        language = rng.choice(LANGUAGES)
        if roll < 0.45 or not attempts:
            line = campaign.attempt(task_ids[language])
            attempts.append(line.key.split(":", 1)[1])
        elif roll < 0.6:
            line = campaign.judgement(rng.choice(attempts))
        elif roll < 0.85:
            line = campaign.bad(task_ids[language], rng.choice(attempts))
        elif roll < 0.93:
            line = campaign.conflict()
        else:
            line = Line(rng.choice(campaign.goods).text, "same")
        stream.append(line)
    # Within a file, tasks import before attempts before judgements: keep each kind's lines in the same file
    # as what they refer to by writing files in stream order, with the session carrying earlier files' records.
    files, groups = [], []
    for start in range(0, len(stream), FILE_LINES):
        group = stream[start : start + FILE_LINES]
        path = folder / f"part-{start // FILE_LINES:03}.jsonl"
        path.write_bytes(b"".join(line.text + b"\n" for line in group))
        files.append(path)
        groups.append(group)
    return files, groups


def stored_content(store: Store) -> dict[str, str]:
    content = {f"task:{t.task_id}": t.original for t in store.tasks().values()}
    content.update({f"attempt:{a.attempt_id}": a.model for a in store.iter_attempts()})
    content.update({f"judgement:{j.judgement_id}": j.label.value for j in store.judgements(current_only=False)})
    return content


def _timing_batches(held: list[float]) -> None:
    """Record how long each write transaction holds the session's lock (what a reviewer's save waits for)."""
    write = importer._write_batch

    def timed(store: Store, prepared: list[importer._Prepared]) -> importer.ImportReport:
        began = time.perf_counter()
        try:
            return write(store, prepared)
        finally:
            held.append(time.perf_counter() - began)

    importer._write_batch = timed  # type: ignore[assignment]


def run_campaign(lines: int, hostile: int, seed: int) -> dict[str, float]:
    held: list[float] = []
    _timing_batches(held)
    campaign = Campaign(seed)
    figures = {
        "lines": 0,
        "good": 0,
        "bad": 0,
        "tracebacks": 0,
        "lost": 0,
        "unreported": 0,
        "overwrites": 0,
        "longest_line_s": 0.0,
        "seconds": 0.0,
    }
    longest_where = ""
    with tempfile.TemporaryDirectory() as folder:
        files, groups = campaign_files(campaign, lines, hostile, Path(folder))
        db = Path(folder) / "s.db"
        began = time.perf_counter()
        for path, group in zip(files, groups):
            with Store.open(db, create=True) as store:
                before = stored_content(store)
                try:
                    report = import_into(store, path)
                except Exception:  # noqa: BLE001 (the campaign counts every escape)
                    figures["tracebacks"] += 1
                    traceback.print_exc(limit=3)
                    continue
                after = stored_content(store)
            if report.slowest[0] > figures["longest_line_s"]:
                figures["longest_line_s"], longest_where = report.slowest
            reported = {int(e.split(": ", 1)[0].rsplit(":", 1)[1]) for e in report.errors if e.startswith(str(path))}
            for number, line in enumerate(group, start=1):
                figures["lines"] += 1
                if line.kind == "good":
                    figures["good"] += 1
                    if after.get(line.key) != line.content:
                        figures["lost"] += 1
                elif line.kind in ("bad", "conflict"):
                    figures["bad"] += 1
                    if number not in reported:
                        figures["unreported"] += 1
            figures["overwrites"] += sum(1 for key, value in before.items() if after.get(key) != value)
        figures["seconds"] = time.perf_counter() - began
    figures["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["longest_write_s"] = max(held, default=0.0)
    print(f"longest line: {longest_where}")
    return figures


def time_bounds() -> list[str]:
    """Extraction and patch search on pathological answers at 200 kB and 2 MB: a ratio near 10 is linear
    (the backtracking regexes and the lines x hunk search these replaced were near 100, or never finished)."""
    from bare_tui.extract import extract_code
    from bare_tui.patching import PatchError, apply_patch

    def patch_case(size: int) -> float:
        lines = size // 2
        original = "x\n" * lines
        hunk = lines // 3
        patch = f"--- a/x\n+++ b/x\n@@ -1,{hunk + 1} +1,{hunk + 1} @@\n" + " x\n" * hunk + "-y\n+z\n"
        began = time.perf_counter()
        with contextlib.suppress(PatchError):  # a hunk that does not apply is timed too
            apply_patch(original, patch)
        return time.perf_counter() - began

    cases = {
        "run of ~ then `": lambda n: "~" * n + "`",
        "run of ~ then blanks then `": lambda n: "~~~" + " " * n + "`",
        "words of quotes": lambda n: ("a" + "'" * 50 + "# ") * (n // 53),
        "open parentheses": lambda n: "(" * n,
        "one long line of prose": lambda n: "Here is the code. " * (n // 18),
    }
    out = []
    for name, make in cases.items():
        seconds = []
        for size in (200_000, 2_000_000):
            text = make(size)
            began = time.perf_counter()
            extract_code(text, "python")
            seconds.append(time.perf_counter() - began)
        out.append(
            f"  extract, {name:<28} 200 kB {seconds[0]:6.3f} s, 2 MB {seconds[1]:6.3f} s, ratio "
            f"{seconds[1] / max(seconds[0], 1e-6):5.1f}"
        )
    small, large = patch_case(200_000), patch_case(2_000_000)
    out.append(
        f"  patch, hunk of a third of the file  200 kB {small:6.3f} s, 2 MB {large:6.3f} s, ratio "
        f"{large / max(small, 1e-6):5.1f}"
    )
    return out


def full_disk(seed: int) -> str:
    """A real full disk: a 3 MB tmpfs, an import larger than it. Root only."""
    if os.geteuid() != 0:
        return "full disk: skipped (mounting a tmpfs needs root)"
    with tempfile.TemporaryDirectory() as folder:
        disk = Path(folder) / "disk"
        disk.mkdir()
        if subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True, check=False
        ).returncode:
            return "full disk: skipped (mount failed)"
        try:
            source = Path(folder) / "in.jsonl"
            rows = [{"task_id": "t", "language": "python", "path": "a.py", "original": "x = 1\n"}]
            rows += [
                {"attempt_id": f"a-{i}", "task_id": "t", "model": "m", "refactored": "y = 2\n" * 200}
                for i in range(4000)
            ]
            source.write_text("".join(json.dumps(r) + "\n" for r in rows))
            try:
                with Store.open(disk / "s.db", create=True) as store:
                    report = import_into(store, source)
                with Store.open(disk / "s.db", readonly=True) as store:
                    stored = store.count_attempts() + len(store.tasks())
            except Exception as exc:  # noqa: BLE001
                return f"full disk: TRACEBACK {type(exc).__name__}: {exc}"
            return (
                f"full disk: stopped={report.stopped}, lines committed {stored}, reported committed "
                f"{report.imported}, lost {report.imported - stored}; message: {report.errors[-1][-150:]}"
            )
        finally:
            subprocess.run(["umount", str(disk)], check=False)


# ---------------------------------------------------------------------------------------------------------------
# verify on the hostile set


def hostile_code(rng: random.Random, language: str, kind: str) -> str:
    """One hostile text for verify to analyse, in (or posing as) `language`."""
    _, original = ORIGINALS[language]
    first, rest = original.split("\n", 1)
    size = rng.choice([2_000, 20_000, 200_000])
    other = rng.choice([lang for lang in LANGUAGES if lang != language])
    return {
        "random bytes": lambda: rng.randbytes(size).decode("utf-8", "replace"),
        "deep parentheses": lambda: original + "x = " + "(" * size + "1" + ")" * (size // 2) + "\n",
        "deep braces": lambda: "{" * size + "}" * rng.randint(0, size),
        "deep blocks": lambda: first + "\n" + "if (x) {\n" * (size // 10) + rest,
        "deep indentation": lambda: "".join(" " * d + "if x:\n" for d in range(min(size // 10, 3000))) + "  pass\n",
        "nested defs": lambda: "".join(" " * d + f"def f{d}():\n" for d in range(28 + rng.randint(0, 12))) + " pass\n",
        "huge line": lambda: first + " " + "x" * size + "\n" + rest,
        "long expression": lambda: first + " " + "a+" * min(size // 2, 20_000) + "a;\n" + rest,
        "NULs": lambda: original.replace(" ", "\x00" * rng.randint(1, 50)) + "\x00" * size,
        "mixed endings": lambda: (
            "".join(
                line + rng.choice(["\n", "\r\n", "\r", "\u2028", "\x0b", "\x0c", "\x85"])
                for line in original.split("\n")
            )
            * (size // 200)
        ),
        "unbalanced": lambda: original + "".join(rng.choice(")]}>\"'`/*") for _ in range(size)),
        "wrong language": lambda: ORIGINALS[other][1] * (size // 200),
    }[kind]()


HOSTILE_CODE_KINDS = (
    "random bytes",
    "deep parentheses",
    "deep braces",
    "deep blocks",
    "deep indentation",
    "nested defs",
    "huge line",
    "long expression",
    "NULs",
    "mixed endings",
    "unbalanced",
    "wrong language",
)


class PeakSampler(threading.Thread):
    """Every worker's and analyser's peak resident memory (VmHWM), read from /proc every 20 ms while verify runs.
    A process is found through its parent, so the workers (and the cppcheck they start) are told apart."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, tuple[str, int]] = {}  # pid -> (what it is, peak kB)
        self.halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.halt.is_set():
            children: dict[int, list[int]] = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    with contextlib.suppress(OSError, ValueError, IndexError):
                        stat = Path(f"/proc/{entry}/stat").read_text()
                        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            todo = list(children.get(me, []))
            while todo:
                pid = todo.pop()
                todo.extend(children.get(pid, []))
                with contextlib.suppress(OSError, ValueError, IndexError):
                    status = Path(f"/proc/{pid}/status").read_text()
                    hwm = int(status.split("VmHWM:", 1)[1].split()[0])
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    what = "worker" if "spawn_main" in command else Path(command.split(" ", 1)[0]).name or "?"
                    if "resource_tracker" in command:
                        what = "resource tracker"
                    self.peaks[pid] = (what, max(hwm, self.peaks.get(pid, ("", 0))[1]))
            self.halt.wait(0.02)


def verify_campaign(seed: int, total: int, jobs: int) -> dict[str, float]:
    """verify on `total` hostile attempts spread over the nine languages: half the campaign's hostile answers
    (imported as the import campaign imports them), half hostile code texts."""
    hostile = (total + 1) // 2
    campaign = Campaign(seed + 1)
    rng = campaign.rng
    figures: dict[str, float] = {"tracebacks": 0, "missing": 0, "over_cap": 0, "workers_over_1gb": 0}
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "verify.db"
        tasks = {language: campaign.task(language) for language in LANGUAGES}
        task_ids = {language: json.loads(line.text)["task_id"] for language, line in tasks.items()}
        lines = list(tasks.values()) + [
            campaign.hostile_attempt(task_ids[LANGUAGES[i % len(LANGUAGES)]], LANGUAGES[i % len(LANGUAGES)])
            for i in range(hostile)
        ]
        source = Path(folder) / "hostile.jsonl"
        source.write_bytes(b"".join(line.text + b"\n" for line in lines))
        codes = []
        for index in range(hostile):
            language = LANGUAGES[index % len(LANGUAGES)]
            kind = HOSTILE_CODE_KINDS[(index // len(LANGUAGES)) % len(HOSTILE_CODE_KINDS)]
            codes.append((kind, Attempt(f"code-{index}", task_ids[language], "m", hostile_code(rng, language, kind))))
        with Store.open(db, create=True) as store:
            report = import_into(store, source)
            store.add_attempts([attempt for _, attempt in codes])
            attempts = store.count_attempts()
        kinds = {attempt.attempt_id: kind for kind, attempt in codes}
        sampler = PeakSampler()
        sampler.start()
        began = time.perf_counter()
        try:
            summary = verify_session(db, jobs=jobs)
        except Exception:  # noqa: BLE001 (the campaign counts every escape)
            figures["tracebacks"] += 1
            traceback.print_exc(limit=5)
            summary = None
        finally:
            sampler.halt.set()
            sampler.join()
        figures["seconds"] = time.perf_counter() - began
        with Store.open(db, readonly=True) as store:
            verdicts = store.verdicts(source="bare-tui")
    stages: dict[str, set[str]] = {}
    reasons: dict[str, int] = {}
    for verdict in verdicts:
        stages.setdefault(verdict.attempt_id, set()).add(verdict.stage)
        figures["over_cap"] += len(verdict.evidence) > EVIDENCE_LIMIT + 1
        if verdict.outcome is Outcome.ERROR and verdict.stage != "overall":
            reason = str(verdict.details.get("reason", ""))
            if " check failed: " in reason:  # an analyser's exception, contained: a traceback all the same
                figures["tracebacks"] += 1
                print(f"  analyser exception on {kinds.get(verdict.attempt_id, 'an answer')}: {reason[:200]}")
            key = reason.split(": ")[0][:90]
            if "time limit" in reason or "memory" in reason:
                key += f" [{kinds.get(verdict.attempt_id, 'imported answer')}]"
            reasons[key] = reasons.get(key, 0) + 1
    figures["missing"] = sum(1 for stage_set in stages.values() if stage_set != {*STAGES, "overall"})
    figures["missing"] += attempts - len(stages)
    workers = sorted((pid, kb) for pid, (what, kb) in sampler.peaks.items() if what == "worker")
    others = sorted(
        ((what, kb) for what, kb in sampler.peaks.values() if what not in ("worker", "resource tracker")),
        key=lambda o: o[1],
    )
    figures["workers_over_1gb"] = sum(1 for _, kb in workers if kb >= 1024 * 1024)
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["workers_over_1gb"] += children_mb >= 1024 and not workers
    print(
        f"verify on the hostile set: {attempts} attempts ({hostile} imported hostile answers and {hostile} hostile "
        f"code texts of {len(HOSTILE_CODE_KINDS)} kinds, over {len(LANGUAGES)} languages), {jobs} workers, "
        f"{figures['seconds']:.1f} s; import failed {report.failed}"
    )
    if summary is not None:
        print(
            f"  verified {summary.attempts_verified} of {summary.attempts_to_verify}, {summary.errors} error verdicts"
        )
    for name, label in (
        ("tracebacks", "tracebacks"),
        ("missing", "attempts missing a verdict"),
        ("over_cap", f"evidence over {EVIDENCE_LIMIT}+1"),
        ("workers_over_1gb", "workers over 1 GB"),
    ):
        print(f"  {label:<28} {figures[name]:>6,.0f}   (must be 0)")
    peaks = sorted(kb / 1024 for _, kb in workers)
    if peaks:
        print(
            f"  {len(peaks)} worker processes ({jobs} at a time; one past the time limit is replaced); peak memory "
            f"per worker: median {peaks[len(peaks) // 2]:,.0f} MB, largest {', '.join(f'{mb:,.0f}' for mb in peaks[-5:][::-1])} MB"
        )
    if others:
        print(
            f"  {len(others)} analyser processes started by the workers (cppcheck); largest {others[-1][1] / 1024:,.0f} MB"
        )
    print(f"  largest finished child (RUSAGE_CHILDREN): {children_mb:,.0f} MB")
    figures["worker_peak_mb"] = max((kb / 1024 for _, kb in workers), default=0.0)
    print("  error verdicts by reason:")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"    {count:>5}  {reason}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=12_000)
    parser.add_argument("--hostile", type=int, default=270, help="hostile attempts, spread over the nine languages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verify-hostile", type=int, default=216, help="hostile attempts for verify (9 languages)")
    parser.add_argument("--verify-jobs", type=int, default=2, help="workers for verify on the hostile set")
    parser.add_argument("--skip-import", action="store_true", help="only verify on the hostile set")
    args = parser.parse_args()
    if args.skip_import:
        checked = verify_campaign(args.seed, args.verify_hostile, args.verify_jobs)
        return 1 if any(checked[name] for name in ("tracebacks", "missing", "over_cap", "workers_over_1gb")) else 0
    figures = run_campaign(args.lines, args.hostile, args.seed)
    print(
        f"import campaign: {figures['lines']:,.0f} lines ({figures['good']:,.0f} good, {figures['bad']:,.0f} bad or "
        f"conflicting), {args.hostile} hostile attempts over {len(LANGUAGES)} languages, seed {args.seed}, "
        f"{figures['seconds']:.1f} s"
    )
    for name in ("tracebacks", "lost", "unreported", "overwrites"):
        print(f"  {name:<12} {figures[name]:>8,.0f}   (must be 0)")
    print(f"  {'peak memory':<12} {figures['peak_memory_mb']:>8,.0f} MB")
    print(f"  {'longest line':<12} {figures['longest_line_s']:>8.3f} s")
    print(
        f"  {'longest write transaction (what a reviewer saving meanwhile waits for)':<12} "
        f"{figures['longest_write_s']:.3f} s"
    )
    print("time bounds (ratio near 10 = linear):")
    for line in time_bounds():
        print(line)
    print(full_disk(args.seed))
    checked = verify_campaign(args.seed, args.verify_hostile, args.verify_jobs)
    failed = any(figures[name] for name in ("tracebacks", "lost", "unreported", "overwrites"))
    failed = failed or any(checked[name] for name in ("tracebacks", "missing", "over_cap", "workers_over_1gb"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
