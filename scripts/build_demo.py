"""Build the bundled demo study (sessions/demo/*.jsonl) from its readable sources in sessions/demo/src/.

Run `python scripts/build_demo.py` after editing anything under sessions/demo/src/; the output is deterministic
(same sources, same bytes), so the committed .jsonl files can be checked with `--verify`. `--check` resolves every
attempt (refactored file, code in a markdown response, or a patch applied to the original) and runs the real
compilers and linters that are installed, plus tree-sitter and lizard, so the demo's intents can be confirmed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sessions" / "demo"
SRC = DEMO / "src"
FIELDS = ("syntax", "signatures", "integrity", "defects", "maintainability", "overall")
LABEL_CODES = {"p": "pass", "f": "fail", "u": "unsure"}
REVIEWERS = {
    # Each reviewer's working day: ana reviews blind in the morning and with the verdicts shown after a
    # while; ben works in a shuffled order in the afternoon and mostly looks at the verdicts.
    "ana": {"start": dt.datetime(2026, 11, 20, 9, 12, 5, tzinfo=dt.UTC), "shuffle": False},
    "ben": {"start": dt.datetime(2026, 11, 20, 13, 40, 31, tzinfo=dt.UTC), "shuffle": True},
}
SEED = "bare-tui demo study v1"
EXTENSIONS = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".java": "java",
    ".c": "c",
    ".cpp": "cpp",
    ".cs": "csharp",
    ".go": "go",
    ".php": "php",
}
FENCE_NAMES = {
    "python": ("python", "py"),
    "javascript": ("javascript", "js"),
    "typescript": ("typescript", "ts"),
    "java": ("java",),
    "c": ("c",),
    "cpp": ("cpp", "c++"),
    "csharp": ("csharp", "cs", "c#"),
    "go": ("go",),
    "php": ("php",),
}


@dataclass(frozen=True)
class DemoTask:
    task_id: str
    language: str
    path: str
    original: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class DemoAttempt:
    attempt_id: str
    task_id: str
    model: str
    form: str  # "refactored", "response" or "patch"
    text: str
    spec: dict[str, Any]


def load_spec() -> dict[str, Any]:
    with open(SRC / "demo.toml", "rb") as handle:
        return tomllib.load(handle)


def load_tasks(spec: dict[str, Any]) -> list[DemoTask]:
    tasks = []
    for task_dir in sorted((SRC / "tasks").iterdir()):
        files = [p for p in task_dir.iterdir() if p.is_file()]
        if len(files) != 1:
            raise SystemExit(f"{task_dir}: expected exactly one original file, found {len(files)}")
        source = files[0]
        info = spec["tasks"][task_dir.name]
        if Path(info["path"]).name != source.name:
            raise SystemExit(f"{task_dir}: path {info['path']} does not end in {source.name}")
        meta = {key: value for key, value in info.items() if key != "path"}
        tasks.append(
            DemoTask(task_dir.name, EXTENSIONS[source.suffix], info["path"], source.read_bytes().decode("utf-8"), meta)
        )
    return tasks


def _order_key(entry: dict[str, Any]) -> tuple[str, str]:
    # Within a task the models come in a stable but mixed order, so the first attempt of each task is not
    # always the same model's.
    return entry["task"], hashlib.sha1(f"{entry['task']}/{entry['model']}".encode()).hexdigest()


def load_attempts(spec: dict[str, Any], tasks: list[DemoTask]) -> list[DemoAttempt]:
    by_id = {task.task_id: task for task in tasks}
    attempts = []
    for number, entry in enumerate(sorted(spec["attempt"], key=_order_key), start=1):
        if entry["task"] not in by_id:
            raise SystemExit(f"demo.toml: attempt of unknown task {entry['task']}")
        folder = SRC / "attempts" / entry["model"] / entry["task"]
        files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        if len(files) != 1:
            raise SystemExit(f"{folder}: expected exactly one answer file, found {len(files)}")
        answer = files[0]
        if answer.name.endswith(".patch"):
            form = "patch"
        elif answer.name.endswith(".response.md"):
            form = "response"
        else:
            form = "refactored"
        attempts.append(
            DemoAttempt(
                f"a-{number:04d}", entry["task"], entry["model"], form, answer.read_bytes().decode("utf-8"), entry
            )
        )
    return attempts


def _labels(entry: dict[str, Any], reviewer: str, key: str = "") -> dict[str, str]:
    """A reviewer's labels for one attempt: the expected labels with that reviewer's overrides applied."""
    expect = entry["expect"]
    override = entry.get(f"{reviewer}{key}", "." * 6 if not key else "-" * 6)
    labels = {}
    for index, name in enumerate(FIELDS):
        code = override[index]
        if code == ".":
            code = expect[index]
        if code == "-":
            continue
        labels[name] = LABEL_CODES[code]
    return labels


def _confidence(rng: random.Random, reviewer: str, label: str, agrees: bool) -> int:
    if label == "unsure":
        return 1
    if not agrees:
        return rng.choice((1, 2, 2))
    return rng.choice((3, 3, 3, 2) if reviewer == "ana" else (3, 2, 2, 3, 1))


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_judgements(attempts: list[DemoAttempt]) -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    rows: list[dict[str, Any]] = []
    revisions: list[tuple[str, DemoAttempt, dict[str, str]]] = []
    for reviewer, day in REVIEWERS.items():
        queue = [a for a in attempts if reviewer[0] in a.spec.get("judged", "")]
        if day["shuffle"]:
            rng.shuffle(queue)
        clock = day["start"]
        ids_by_attempt: dict[str, dict[str, str]] = {}
        for position, attempt in enumerate(queue):
            opened = clock
            saved = opened + dt.timedelta(seconds=rng.randint(30, 300))
            clock = saved + dt.timedelta(seconds=rng.randint(4, 45))
            if position and position % 9 == 0:
                clock += dt.timedelta(minutes=rng.randint(8, 20))  # a coffee break
            saw = position >= len(queue) // 2 if reviewer == "ana" else rng.random() < 0.8
            notes = attempt.spec.get(f"{reviewer}_notes", {})
            tags = attempt.spec.get(f"{reviewer}_tags", [])
            ids_by_attempt[attempt.attempt_id] = {}
            for name, label in _labels(attempt.spec, reviewer).items():
                judgement_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                ids_by_attempt[attempt.attempt_id][name] = judgement_id
                agrees = LABEL_CODES[attempt.spec["expect"][FIELDS.index(name)]] == label
                rows.append(
                    {
                        "judgement_id": judgement_id,
                        "attempt_id": attempt.attempt_id,
                        "reviewer": reviewer,
                        "stage": name,
                        "label": label,
                        "confidence": _confidence(rng, reviewer, label, agrees),
                        "note": notes.get(name, ""),
                        "tags": list(tags) if name == "overall" else [],
                        "saw_verdicts": saw,
                        "opened_at": _stamp(opened),
                        "saved_at": _stamp(saved),
                        "supersedes": None,
                    }
                )
            if f"{reviewer}_revise" in attempt.spec:
                revisions.append((reviewer, attempt, ids_by_attempt[attempt.attempt_id]))
        # A reviewer changing their mind: revisiting at the end of their day, the new row supersedes the old.
        for who, attempt, earlier in [r for r in revisions if r[0] == reviewer]:
            opened = clock + dt.timedelta(minutes=rng.randint(3, 12))
            saved = opened + dt.timedelta(seconds=rng.randint(30, 120))
            clock = saved
            notes = attempt.spec.get(f"{who}_revise_notes", {})
            for name, label in _labels(attempt.spec, who, "_revise").items():
                rows.append(
                    {
                        "judgement_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "attempt_id": attempt.attempt_id,
                        "reviewer": who,
                        "stage": name,
                        "label": label,
                        "confidence": 2 if label != "unsure" else 1,
                        "note": notes.get(name, ""),
                        "tags": [],
                        "saw_verdicts": True,
                        "opened_at": _stamp(opened),
                        "saved_at": _stamp(saved),
                        "supersedes": earlier[name],
                    }
                )
    rows.sort(key=lambda row: (row["saved_at"], row["reviewer"], row["attempt_id"], FIELDS.index(row["stage"])))
    return rows


def task_line(task: DemoTask) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "language": task.language,
        "path": task.path,
        "original": task.original,
        "meta": task.meta,
    }


def attempt_line(attempt: DemoAttempt) -> dict[str, Any]:
    line: dict[str, Any] = {"attempt_id": attempt.attempt_id, "task_id": attempt.task_id, "model": attempt.model}
    line[attempt.form] = attempt.text
    line["meta"] = {"intent": attempt.spec["intent"]}
    return line


def render(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n" for row in rows)


README_INTRO = """\
# The demo study

A small BARE-style study bundled with bare-tui so that every screen has something to show in its first minute:
{n_tasks} legacy files in all nine languages, {n_attempts} refactoring attempts by four made-up models, and
{n_judgements} judgement rows from two demo reviewers. Everything here was written by hand for the demo; no file
comes from a real project or a real model.

    bare-tui import demo.db sessions/demo     # what `bare-tui` with no arguments does on first run

## Files

- `tasks.jsonl`, `attempts.jsonl`, `judgements.jsonl`: the study, in the import formats of DESIGN.md. Built, not
  edited: run `python scripts/build_demo.py` after changing anything in `src/` (`--verify` fails when they are stale,
  `--check` runs the installed compilers, tree-sitter and lizard over every original and every resolved answer).
- `src/tasks/<task>/<file>`: the originals. `src/attempts/<model>/<task>/<file>`: the answers, as a refactored file,
  a raw markdown answer (`.response.md`) or a unified diff against the original (`.patch`).
- `src/demo.toml`: each task's repository path and description, and each attempt's intent (also exported as
  `meta.intent`), the labels a careful engineer would give it, who judged it and where the reviewers differ.

The importer reads only the top-level `.jsonl` files, so `src/` is never imported twice.

## The models

- `marlin-70b`: the good one. Sound refactorings that keep every signature, two as patches and one inside
  markdown. Each was run against its original on generated inputs (hundreds to thousands of cases per task) and
  gives the same results, except where an attempt's intent or a reviewer's note says otherwise.
- `corvid-34b`: mediocre. Some sound but modest answers, and the subtle failures: a dropped function, a changed
  or silently reordered parameter list, an elision, an undefined name, a cosmetic-only answer.
- `atlas-7b`: weak. Broken syntax, undefined names, changed parameter lists, prose with no code, a clean-cut
  truncation, an answer identical to the original apart from CRLF line endings.
- `quill-mini`: small and erratic. Truncations, elisions, an unchanged file, a zero-width space, cosmetic edits,
  and a dropped method "omitted for brevity".

## The reviewers

`ana` and `ben` judged {n_judged} of the {n_attempts} attempts on 2026-11-20 ({n_unjudged} are left for you). ana
worked in import order, blind for the first half of her queue; ben worked in a shuffled order with the verdicts
mostly shown. They agree on most fields and differ where engineers do: whether a modest or cosmetic answer improves
maintainability, whether a defaulted or object-wrapped parameter list still counts as the same signature, whether
CRLF-only changes make a file "identical". {n_revisions} labels were later changed (a new row that supersedes the
old one).

## The review plan

The first `bare-tui` run, after the pipeline has run on the study, draws a review plan named `demo` into
`sessions/demo.db`: 24 of the 50 attempts, stratified by model and by the pipeline's `overall` outcome,
proportional allocation, half of them given to both reviewers, seed 2026 (`DEMO_PLAN` in
`bare_tui/commands/demo.py`). ana's and ben's labels were written before the plan, so most of its items are
labelled and some are left, which is what `bare-tui plan`, `review --plan demo` and the statistics then show.
By hand:

    bare-tui verify demo.db
    bare-tui plan demo.db --name demo --size 24 --strata model,overall --reviewers ana,ben --overlap 0.5 --seed 2026

Label codes below: six letters for syntax, signatures, integrity, defects, maintainability, overall; p pass,
f fail, u unsure. "Expected" is what a careful engineer would say; the automated pipeline need not agree, and
several attempts are built so that it should not (these make the audit queue).

"""


def render_readme(tasks: list[DemoTask], attempts: list[DemoAttempt], judgements: list[dict[str, Any]]) -> str:
    judged = {row["attempt_id"] for row in judgements}
    text = README_INTRO.format(
        n_tasks=len(tasks),
        n_attempts=len(attempts),
        n_judgements=len(judgements),
        n_judged=len(judged),
        n_unjudged=len(attempts) - len(judged),
        n_revisions=sum(1 for row in judgements if row["supersedes"]),
    )
    text += "## Tasks\n\n| task | language | path | lines | what it is | what is wrong with it |\n| --- | --- | --- | ---: | --- | --- |\n"
    for task in tasks:
        text += (
            f"| {task.task_id} | {task.language} | `{task.path}` | {task.original.count(chr(10))} | "
            f"{task.meta.get('domain', '')} | {task.meta.get('smells', '')} |\n"
        )
    text += "\n## Attempts\n\n| attempt | task | model | form | meant to exercise | expected | judged by |\n| --- | --- | --- | --- | --- | --- | --- |\n"
    names = {"a": "ana", "b": "ben"}
    for attempt in attempts:
        who = ", ".join(names[c] for c in attempt.spec.get("judged", "")) or "nobody yet"
        intent = attempt.spec["intent"].replace("|", "\\|")
        text += (
            f"| {attempt.attempt_id} | {attempt.task_id} | {attempt.model} | {attempt.form} | {intent} | "
            f"`{attempt.spec['expect']}` | {who} |\n"
        )
    return text


def build() -> dict[str, str]:
    """The demo files' contents, keyed by file name."""
    spec = load_spec()
    tasks = load_tasks(spec)
    attempts = load_attempts(spec, tasks)
    judgements = build_judgements(attempts)
    return {
        "tasks.jsonl": render([task_line(t) for t in tasks]),
        "attempts.jsonl": render([attempt_line(a) for a in attempts]),
        "judgements.jsonl": render(judgements),
        "README.md": render_readme(tasks, attempts, judgements),
    }


# --- checking (a developer aid: never part of the import path) -----------------------------------------------


def extract_code(response: str, language: str) -> str | None:
    """The fenced block in the task's language, else the largest fenced block, else None."""
    blocks = re.findall(r"^```([\w+#-]*)[^\n]*\n(.*?)^```", response, flags=re.S | re.M)
    if not blocks:
        return None
    named = [body for tag, body in blocks if tag.lower() in FENCE_NAMES[language]]
    return (named or sorted((body for _, body in blocks), key=len))[-1]


def apply_patch(original: str, patch: str, name: str) -> str | None:
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / name
        target.write_text(original, "utf-8")
        done = subprocess.run(
            ["patch", "--batch", "--silent", "-p1", "--no-backup-if-mismatch", str(target)],
            input=patch,
            text=True,
            capture_output=True,
            cwd=work,
            timeout=30,
        )
        return target.read_text("utf-8") if done.returncode == 0 else None


def _compile_command(language: str, path: Path, out: Path) -> list[str] | None:
    tsc = shutil.which("tsc") or "tsc"  # TypeScript's compiler where it is on PATH (npm install -g typescript)
    commands = {
        "python": [sys.executable, "-m", "pyflakes", str(path)],
        "javascript": ["node", "--check", str(path)],
        "c": ["gcc", "-fsyntax-only", "-Wall", str(path)],
        "cpp": ["g++", "-std=c++17", "-fsyntax-only", "-Wall", str(path)],
        "java": ["javac", "-Xlint:none", "-d", str(out), str(path)],
        "php": ["php", "-l", str(path)],
        "csharp": ["mcs", "-target:library", "-nowarn:219,414", f"-out:{out / 'check.dll'}", str(path)],
        "go": ["go", "vet", "./..."],
        "typescript": [tsc, "--noEmit", "--target", "es2020", "--lib", "es2020", str(path)],
    }
    command = commands.get(language)
    if command is None or shutil.which(command[0]) is None and not Path(command[0]).exists():
        return None
    return command


def compiler_check(language: str, name: str, code: str) -> str:
    """'ok', 'FAIL: first message', or '-' when no compiler is installed for the language."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / name
        path.write_text(code, "utf-8")
        out = Path(work) / "out"
        out.mkdir()
        if language == "go":
            (Path(work) / "go.mod").write_text("module example.com/demo\n\ngo 1.19\n", "utf-8")
        if language == "python":
            try:
                compile(code, name, "exec")
            except SyntaxError as error:
                return f"FAIL: {error.msg} line {error.lineno}"
        command = _compile_command(language, path, out)
        if command is None:
            return "-"
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=work)
        message = (done.stdout + done.stderr).strip().replace(work + "/", "")
        if done.returncode != 0 or (language == "python" and message):
            lines = [line for line in message.splitlines() if not line.startswith("#")]
            first = next(
                (line for line in lines if re.search(r"error( [A-Z]+\d+)?:|: error", line, re.I)),
                lines[0] if lines else message,
            )
            return "FAIL: " + first[:110]
        return "ok"


def tree_sitter_errors(language: str, code: str) -> int:
    import tree_sitter

    module_names = {"csharp": "tree_sitter_c_sharp"}
    module = __import__(module_names.get(language, f"tree_sitter_{language}"))
    if language == "typescript":
        grammar = module.language_typescript()
    elif language == "php":
        grammar = module.language_php()
    else:
        grammar = module.language()
    tree = tree_sitter.Parser(tree_sitter.Language(grammar)).parse(code.encode("utf-8"))
    count = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        count += node.is_error or node.is_missing
        stack.extend(node.children)
    return count


def lizard_summary(name: str, code: str) -> tuple[int, int, int]:
    """(functions, highest cyclomatic complexity, functions with CCN > 10) as lizard counts them."""
    import lizard

    functions = lizard.analyze_file.analyze_source_code(name, code).function_list
    ccns = [f.cyclomatic_complexity for f in functions]
    return len(functions), max(ccns, default=0), sum(c > 10 for c in ccns)


def check() -> int:
    spec = load_spec()
    tasks = {t.task_id: t for t in load_tasks(spec)}
    attempts = load_attempts(spec, list(tasks.values()))
    for task in tasks.values():
        name = Path(task.path).name
        lines = task.original.count("\n")
        print(
            f"{task.task_id} {task.language:<10} {task.path:<34} {lines:>3} lines  compiler={compiler_check(task.language, name, task.original)}"
            f"  ts-errors={tree_sitter_errors(task.language, task.original)}  lizard={lizard_summary(name, task.original)}"
        )
    print()
    for attempt in attempts:
        task = tasks[attempt.task_id]
        name = Path(task.path).name
        if attempt.form == "response":
            code = extract_code(attempt.text, task.language)
        elif attempt.form == "patch":
            code = apply_patch(task.original, attempt.text, name)
        else:
            code = attempt.text
        if code is None:
            result = "no code" if attempt.form == "response" else "PATCH DOES NOT APPLY"
        else:
            same = " IDENTICAL" if code == task.original else ""
            result = (
                f"compiler={compiler_check(task.language, name, code)}  ts-errors="
                f"{tree_sitter_errors(task.language, code)}  lizard={lizard_summary(name, code)}{same}"
            )
        print(
            f"{attempt.attempt_id} {attempt.task_id} {attempt.model:<11} {attempt.form:<10} "
            f"[{attempt.spec['expect']}] {attempt.spec['intent']}\n      {result}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="fail when the committed .jsonl files are stale")
    parser.add_argument("--check", action="store_true", help="run compilers, tree-sitter and lizard on every file")
    options = parser.parse_args()
    if options.check:
        return check()
    outputs = build()
    stale = [
        name for name, text in outputs.items() if not (DEMO / name).exists() or (DEMO / name).read_text("utf-8") != text
    ]
    if options.verify:
        for name in stale:
            print(f"sessions/demo/{name} is stale: run python scripts/build_demo.py", file=sys.stderr)
        return 1 if stale else 0
    for name, text in outputs.items():
        (DEMO / name).write_text(text, "utf-8")
    counts = {name: text.count("\n") for name, text in outputs.items()}
    print(", ".join(f"{name}: {count} lines" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
