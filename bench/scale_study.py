"""The study bench/bare_scale.py imports: real source files, 57 models' answers to each, an external pipeline's
verdicts and three reviewers' labels, written once as JSON Lines into a cache folder and reused.

Real files only, from what a fresh clone on any machine has: the running interpreter's standard library, the
packages installed beside it (their .py files and the C, C++ and JavaScript files some ship), and the repository's
own corpora (tests/unit/pipeline/data). A language with fewer real files than its share of the study reuses its
files under other paths (the study says how often); no code is invented. Answers are edits of the originals:
refactorings (renames, comments dropped or added, blank lines folded), answers wrapped in a model's prose, partial
answers (truncated, or with an elision placeholder), broken code, unchanged files and answers with no code.

    python bench/scale_study.py DIR [--tasks 4276] [--models 57]    (builds the files; bench/bare_scale.py calls it)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import sysconfig
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "unit" / "pipeline" / "data"

# The nine languages by extension (as bare-tui reads them); the import takes the language from the path.
EXTENSIONS = {
    ".py": "python",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".cc": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".cs": "csharp",
    ".go": "go",
    ".java": "java",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".php": "php",
}
LANGUAGES = ("python", "c", "cpp", "csharp", "go", "java", "javascript", "php", "typescript")
FENCE = {"cpp": "cpp", "csharp": "csharp", "c": "c", "python": "python", "go": "go", "java": "java"}
LINE_COMMENT = {"python": "#", "php": "//"}
MIN_LINES, MAX_LINES = 60, 2_000
MAX_BYTES = 200_000  # a generated or vendored file of 2,000 very long lines is not a source file people refactor
# Names the cached study (bench/bare_scale.py keeps it as study-TASKSxMODELS-VERSION): change it with anything
# that changes what Study.records() makes. It began as the stamp bare_scale.py took before, the first ten hex
# digits of the sha1 of this file, so that studies cached then (the same bytes) stay valid.
STUDY_VERSION = "4a0ca9035f"
REVIEWERS = ("ana", "ben", "cy")
JUDGED_SHARE = 0.04
STAGES = ("syntax", "signatures", "integrity", "defects", "maintainability")
# What a study's answers are, by share: the kinds the stages and reviewers see in BARE-style runs.
KINDS = (
    ("refactored", 0.55),
    ("fenced", 0.13),  # the code inside a model's prose, in a Markdown fence: the import extracts it
    ("partial", 0.12),
    ("broken", 0.10),
    ("identical", 0.05),
    ("no-code", 0.05),
)
NO_CODE = (
    "I'm sorry, but I can't refactor this file without more context about how it is used.",
    "This code is already well structured. I would keep it as it is; the functions are short and the names clear.",
    "Here is what I would change:\n\n1. Extract the long loop into a helper.\n2. Rename the short variables.\n"
    "3. Add type annotations.\n\nLet me know if you want me to apply these changes.",
    "The file is too long for me to rewrite in full. The main opportunities are in the parsing functions, which "
    "repeat the same error handling; a shared helper would remove the duplication.",
)
WORD = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{3,}\b")
KEYWORDS = frozenset(
    [
        "self",
        "this",
        "that",
        "None",
        "True",
        "False",
        "return",
        "while",
        "break",
        "continue",
        "import",
        "from",
        "class",
        "def",
        "function",
        "public",
        "private",
        "static",
        "const",
        "void",
        "struct",
        "include",
        "define",
        "typedef",
        "unsigned",
        "signed",
        "string",
        "String",
        "elif",
        "else",
        "with",
        "pass",
        "raise",
        "yield",
        "lambda",
        "async",
        "await",
        "new",
        "null",
        "true",
        "false",
        "package",
        "namespace",
        "using",
        "extends",
        "implements",
        "interface",
        "protected",
        "final",
        "override",
        "virtual",
        "export",
        "default",
        "module",
        "require",
    ]
)


def collect(roots: list[tuple[str, Path]]) -> dict[str, list[tuple[str, str]]]:
    """Every real source file of 60 to 2,000 lines under the roots, by language: (path shown in the study, text)."""
    found: dict[str, list[tuple[str, str]]] = {language: [] for language in LANGUAGES}
    seen: set[str] = set()
    for label, root in roots:
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            # the standard library's own site-packages holds the system's packages, not the library
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not (label == "stdlib" and d == "site-packages"))
            for name in sorted(files):
                language = EXTENSIONS.get(os.path.splitext(name)[1].lower())
                if language is None:
                    continue
                path = Path(folder, name)
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                if len(data) > MAX_BYTES or b"\0" in data:
                    continue
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                lines = text.count("\n") + (not text.endswith("\n"))
                digest = hashlib.sha1(data).hexdigest()
                if not MIN_LINES <= lines <= MAX_LINES or digest in seen:
                    continue  # the same file reached twice (a venv over the stdlib) is one file
                seen.add(digest)
                found[language].append((f"{label}/{path.relative_to(root).as_posix()}", text))
    return found


def default_roots() -> list[tuple[str, Path]]:
    """Where real files come from on any machine: the interpreter's standard library, the installed packages
    (the venv's site-packages; the interpreter's own when no venv), the repository's corpora."""
    paths = sysconfig.get_paths()
    roots = [("stdlib", Path(paths["stdlib"]))]
    for key in ("purelib", "platlib"):
        root = Path(paths[key])
        if all(root != r for _, r in roots):
            roots.append(("site-packages", root))
    roots.append(("corpus", CORPUS))
    return roots


def identifiers(text: str) -> list[str]:
    """The file's most used names (candidates for a rename), most used first."""
    counts = Counter(m for m in WORD.findall(text) if m not in KEYWORDS and not m.isupper())
    return [name for name, n in counts.most_common(24) if n >= 2] or ["value"]


def refactor(text: str, language: str, names: list[str], rng: random.Random) -> str:
    """One to three real-looking edits of a file: a rename, comments dropped, a comment added, blanks folded."""
    comment = LINE_COMMENT.get(language, "//")
    edits = rng.sample(("rename", "rename", "drop-comments", "add-comment", "fold-blanks"), rng.randint(1, 3))
    for edit in edits:
        if edit == "rename":
            old = rng.choice(names[:12])
            new = rng.choice((f"{old}_value", f"new_{old}", old[:1].lower() + old[1:] + "Ref", f"{old}2"))
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        elif edit == "drop-comments":
            lines = text.split("\n")
            text = "\n".join(line for line in lines if not line.lstrip().startswith(comment) or rng.random() < 0.5)
        elif edit == "add-comment":
            lines = text.split("\n")
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(lines))
                indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
                lines.insert(at, f"{indent}{comment} {rng.choice(('simplified', 'clearer name', 'extracted below'))}")
            text = "\n".join(lines)
        else:
            text = re.sub(r"\n{3,}", "\n\n", text)
    return text


def partial(text: str, language: str, rng: random.Random) -> str:
    lines = text.split("\n")
    comment = LINE_COMMENT.get(language, "//")
    if rng.random() < 0.5:
        return "\n".join(lines[: max(5, int(len(lines) * rng.uniform(0.3, 0.8)))])  # cut off mid-file
    start = int(len(lines) * rng.uniform(0.2, 0.5))
    end = start + int(len(lines) * rng.uniform(0.2, 0.4))
    placeholder = rng.choice(("... rest of the code unchanged ...", "existing code here", "(unchanged)"))
    return "\n".join([*lines[:start], f"{comment} {placeholder}", *lines[end:]])


def broken(text: str, rng: random.Random) -> tuple[str, int]:
    """A refactoring that no longer parses: a closing line dropped or a bracket left open. (text, line)."""
    lines = text.split("\n")
    closers = [i for i, line in enumerate(lines) if line.strip() in ("}", "};", ")", "]", "end")]
    if closers and rng.random() < 0.7:
        at = rng.choice(closers)
        del lines[at]
    else:
        at = rng.randrange(len(lines))
        lines[at] = lines[at] + " ("
    return "\n".join(lines), at + 1


def verdicts_for(kind: str, language: str, lines: int, rng: random.Random) -> dict[str, dict[str, object]]:
    """What an external pipeline says of an answer of this kind: outcomes, a score, findings on real lines."""

    def finding(message: str, side: str = "refactored") -> list[dict[str, object]]:
        return [{"side": side, "line": rng.randint(1, max(1, lines)), "column": rng.randint(1, 30), "message": message}]

    out: dict[str, dict[str, object]] = {}
    if kind == "no-code":
        for stage in STAGES:
            out[stage] = {"outcome": "fail", "evidence": finding("no code in the answer")}
    else:
        syntax_fail = kind == "broken" or (kind == "partial" and rng.random() < 0.4)
        out["syntax"] = (
            {"outcome": "fail", "evidence": finding("syntax error: unexpected end of input")}
            if syntax_fail
            else {"outcome": "pass"}
        )
        signatures_fail = kind == "partial" or rng.random() < 0.2
        out["signatures"] = (
            {"outcome": "fail", "evidence": finding("public function is missing", "original")}
            if signatures_fail
            else {"outcome": "pass"}
        )
        integrity_fail = kind in ("partial", "identical") or rng.random() < 0.05
        why = "identical to the original" if kind == "identical" else "elision placeholder or truncation"
        out["integrity"] = {"outcome": "fail", "evidence": finding(why)} if integrity_fail else {"outcome": "pass"}
        if language in ("csharp", "php"):
            out["defects"] = {"outcome": "skipped"}
        elif rng.random() < 0.01:
            out["defects"] = {"outcome": "error", "evidence": finding("analyser timed out")}
        else:
            defect = rng.random() < (0.35 if kind == "broken" else 0.12)
            out["defects"] = (
                {"outcome": "fail", "evidence": finding("new finding: unused variable")}
                if defect
                else {"outcome": "pass"}
            )
        score = round(rng.gauss(0.1 if kind == "refactored" else -0.2, 0.4), 3)
        out["maintainability"] = {
            "outcome": "pass" if score > 0 and kind in ("refactored", "fenced") else "fail",
            "score": score,
            **({"evidence": finding("cyclomatic complexity above the threshold")} if score <= 0 else {}),
        }
    overall = "pass" if all(v["outcome"] == "pass" for v in out.values()) else "fail"
    out["overall"] = {"outcome": overall}
    return out


def judgement_lines(attempt_id: str, verdicts: dict[str, dict[str, object]], rng: random.Random, day: int) -> dict:
    """Two or three reviewers' labels of every field of one attempt, mostly agreeing with the pipeline."""
    chosen = rng.sample(REVIEWERS, 2 if rng.random() < 0.7 else 3)
    truth = {}
    for stage, verdict in verdicts.items():
        outcome = verdict["outcome"]
        said = outcome if outcome in ("pass", "fail") else rng.choice(("pass", "fail"))
        truth[stage] = said if rng.random() > 0.1 else ("fail" if said == "pass" else "pass")
    out: dict[str, list[dict[str, object]]] = {}
    for reviewer in chosen:
        opened = 1_795_000_000 + day * 86_400 + rng.randint(0, 30_000)
        saved = opened + rng.randint(20, 600)
        for stage, label in truth.items():
            if rng.random() < 0.08:
                label = "fail" if label == "pass" else "pass"
            if rng.random() < 0.03:
                label = "unsure"
            out.setdefault(reviewer, []).append(
                {
                    "judgement_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "attempt_id": attempt_id,
                    "reviewer": reviewer,
                    "stage": stage,
                    "label": label,
                    "confidence": rng.randint(1, 3),
                    "note": "rename looks fine" if rng.random() < 0.05 else "",
                    "tags": [],
                    "saw_verdicts": rng.random() < 0.3,
                    "opened_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(opened)),
                    "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(saved)),
                    "supersedes": None,
                }
            )
    return out


class Study:
    """The study's records, made once by one generator for every sink: JSON Lines for the CLI (build) and a
    session written in process for the screen benches (bench/scale_session.py). `records()` yields, in order,
    ("task", line) for every task, then for every attempt ("attempt", line, verdicts) followed by its
    ("judgement", reviewer, line) rows; what was made is counted on the way (kinds, judged, original_lines,
    languages). The same seed and real files give the same records, byte for byte."""

    def __init__(self, tasks: int, models: int, seed: int = 11) -> None:
        self.tasks = tasks
        self.models = models
        self.seed = seed
        self.kinds: Counter[str] = Counter()
        self.judged = 0
        self.original_lines = 0
        self.languages: dict[str, dict[str, int]] = {}

    def records(self) -> Iterator[tuple[Any, ...]]:
        rng = random.Random(self.seed)
        pool = collect(default_roots())
        tasks = self.tasks
        share = {
            language: tasks // len(LANGUAGES) + (i < tasks % len(LANGUAGES)) for i, language in enumerate(LANGUAGES)
        }
        chosen: list[tuple[str, str, str, int]] = []  # (language, path, text, reuse number)
        for language in LANGUAGES:
            files = pool[language]
            if not files:
                raise SystemExit(
                    f"no real {language} file of {MIN_LINES}-{MAX_LINES} lines found: the corpus is missing"
                )
            order = files[:]
            rng.shuffle(order)
            for i in range(share[language]):
                path, text = order[i % len(order)]
                chosen.append((language, path, text, i // len(order)))
            self.languages[language] = {"real_files": len(files), "tasks": share[language]}
        rng.shuffle(chosen)  # languages mixed in the import order (verify takes attempts in that order)
        model_names = [f"model-{i:02d}" for i in range(self.models)]
        kinds, weights = zip(*KINDS)
        task_ids = []
        for t, (_language, path, text, again) in enumerate(chosen):
            task_id = f"t-{t:05d}"
            task_ids.append(task_id)
            shown = path if again == 0 else f"reused-{again}/{path}"  # the same real file under another path
            yield ("task", {"task_id": task_id, "path": shown, "original": text})
            self.original_lines += text.count("\n") + 1
        for t, (language, _path, text, _again) in enumerate(chosen):
            names = identifiers(text)
            lines = text.count("\n") + 1
            for m, model in enumerate(model_names):
                attempt_id = f"a-{t:05d}-{m:02d}"
                kind = rng.choices(kinds, weights)[0]
                self.kinds[kind] += 1
                line: dict[str, object] = {"attempt_id": attempt_id, "task_id": task_ids[t], "model": model}
                if kind == "refactored":
                    line["refactored"] = refactor(text, language, names, rng)
                elif kind == "fenced":
                    code = refactor(text, language, names, rng)
                    fence = FENCE.get(language, language)
                    line["response"] = (
                        f"Here is the refactored file:\n\n```{fence}\n{code}\n```\n\nI renamed a few names."
                    )
                elif kind == "partial":
                    line["refactored"] = partial(refactor(text, language, names, rng), language, rng)
                elif kind == "broken":
                    line["refactored"] = broken(refactor(text, language, names, rng), rng)[0]
                elif kind == "identical":
                    line["refactored"] = text
                else:
                    line["response"] = rng.choice(NO_CODE)
                verdicts = verdicts_for(kind, language, lines, rng)
                yield ("attempt", line, verdicts)
                if rng.random() < JUDGED_SHARE:
                    self.judged += 1
                    for reviewer, rows in judgement_lines(attempt_id, verdicts, rng, self.judged % 20).items():
                        for row in rows:
                            yield ("judgement", reviewer, row)


def build(folder: Path, tasks: int, models: int, seed: int = 11) -> dict[str, object]:
    """Write study.jsonl (task lines, then every attempt), verdicts-ext.jsonl, judgements-a.jsonl (ana's and cy's
    labels) and judgements-b.jsonl (ben's) into `folder`, and manifest.json, which says what was built."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    study = Study(tasks, models, seed)
    answer_bytes = 0
    with (
        open(folder / "study.jsonl.part", "w", encoding="utf-8") as study_file,
        open(folder / "verdicts-ext.jsonl.part", "w", encoding="utf-8") as verdict_file,
        open(folder / "judgements-a.jsonl.part", "w", encoding="utf-8") as copy_a,
        open(folder / "judgements-b.jsonl.part", "w", encoding="utf-8") as copy_b,
    ):
        for record in study.records():
            if record[0] == "task":
                study_file.write(json.dumps(record[1]) + "\n")
            elif record[0] == "attempt":
                _, line, verdicts = record
                encoded = json.dumps(line)
                answer_bytes += len(encoded)
                study_file.write(encoded + "\n")
                verdict_file.write(json.dumps({"attempt_id": line["attempt_id"], "verdicts": verdicts}) + "\n")
            else:
                _, reviewer, row = record
                (copy_b if reviewer == "ben" else copy_a).write(json.dumps(row) + "\n")
    for name in ("study.jsonl", "verdicts-ext.jsonl", "judgements-a.jsonl", "judgements-b.jsonl"):
        os.replace(folder / f"{name}.part", folder / name)
    manifest = {
        "tasks": tasks,
        "models": models,
        "attempts": tasks * models,
        "verdicts": tasks * models * (len(STAGES) + 1),
        "judged_attempts": study.judged,
        "kinds": dict(study.kinds),
        "languages": study.languages,
        "original_lines": study.original_lines,
        "study_bytes": (folder / "study.jsonl").stat().st_size,
        "answer_line_bytes": answer_bytes,
        "seconds": round(time.perf_counter() - started, 1),
        "python": sys.version.split()[0],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def build_apart(folder: Path, tasks: int, models: int) -> dict[str, object]:
    """build() in a process of its own. Linux carries a process's peak resident set through fork and exec into
    its children, so a bench that built the study in its own process would report the builder's peak as the
    peak of every step it starts afterwards."""
    subprocess.run(
        [sys.executable, __file__, str(folder), "--tasks", str(tasks), "--models", str(models)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--tasks", type=int, default=4_276)
    parser.add_argument("--models", type=int, default=57)
    args = parser.parse_args()
    print(json.dumps(build(args.folder, args.tasks, args.models), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
