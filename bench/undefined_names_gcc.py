"""How often the defects stage's undefined-name rule is right on real C and C++ answers, with gcc/g++ as the oracle.

Runs the rule (bare_tui.pipeline.defects.undefined_name_findings, as the defects stage does) over every C and C++
answer of the real-output corpus, and for each name it flags asks the compiler, `gcc`/`g++ -fsyntax-only` (which
compiles nothing and executes nothing; time-bounded), with the exercise's own headers on the include path:

- confirmed: the compiler names that identifier as undeclared in the answer (and not in the original);
- false: the answer compiles cleanly, so the name is declared after all (the rule's finding is a false fail);
- undecided: the answer does not compile for other reasons (often the original does not either: a missing
  test framework, a header the study left out), so the compiler cannot say.

Reads only bench/.cache/: the corpus (bench/.cache/real/sustainable.jsonl, see bench/real/fetch.sh) and the study's
files at the labelled commit (bench/.cache/sustainable/src/dataset/{c,cpp}: its headers). Prints counts and attempt
ids, never the answers' text. Some C++ exercises (meetup, gigasecond) include Boost: without its headers (Debian's
libboost-dev) their originals do not compile and their answers' names stay undecided.

    python bench/undefined_names_gcc.py [--corpus FILE] [--study DIR] [--timeout 20] [--ids]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bare_tui.pipeline.defects import undefined_name_findings
from bare_tui.pipeline.languages import Source, parse_source

sys.path.insert(0, str(Path(__file__).resolve().parent / "real"))
from corpus import read_corpus  # noqa: E402  (bench/real/corpus.py)

HERE = Path(__file__).resolve().parent
CORPUS = HERE / ".cache" / "real" / "sustainable.jsonl"
STUDY = HERE / ".cache" / "sustainable" / "src" / "dataset"
MODEL_FOLDERS = frozenset({"claude", "gemini", "openAI"})
HEADER_SUFFIXES = frozenset({".h", ".hh", ".hpp", ".hxx", ".inc", ".ipp", ".tpp"})
COMPILERS = {
    "c": ("gcc", "-std=gnu17", "-Werror=implicit-function-declaration", "-Werror=implicit-int"),
    "cpp": ("g++", "-std=gnu++20"),
}
UNDECLARED = re.compile(
    r"'(?P<a>[A-Za-z_]\w*)' (?:undeclared|was not declared|has not been declared|does not name a type"
    r"|is not a (?:type|member|template|class|namespace))"
    r"|(?:implicit declaration of function|unknown type name|there are no arguments to) '(?P<b>[A-Za-z_]\w*)'"
    r"|label '(?P<c>[A-Za-z_]\w*)' used but not defined"
)
"""gcc's and g++'s words (in the C locale) for a name nothing declares."""


@dataclass(frozen=True)
class Compiled:
    """One -fsyntax-only run: whether it compiled cleanly, the names it called undeclared, whether it timed out."""

    clean: bool
    undeclared: frozenset[str]
    timed_out: bool = False


@dataclass(frozen=True)
class Flagged:
    """One name the rule flags in one answer, and the compiler's verdict on it."""

    attempt_id: str
    language: str
    name: str
    verdict: str  # confirmed | false | undecided
    why: str


def _include_dirs(entry: Path) -> list[Path]:
    """The exercise's own folders holding headers (not the models' answers): what its makefile puts on -I."""
    folders = {
        path.parent
        for path in entry.rglob("*")
        if path.suffix in HEADER_SUFFIXES and not (set(path.relative_to(entry).parts) & MODEL_FOLDERS)
    }
    return sorted(folders)


def compile_text(language: str, text: str, filename: str, includes: list[Path], timeout: float) -> Compiled:
    """Run the compiler's syntax check on `text` saved as `filename` in a scratch folder."""
    compiler, *flags = COMPILERS[language]
    with tempfile.TemporaryDirectory(prefix="bare-gcc-") as scratch:
        source = Path(scratch) / filename
        source.write_text(text, encoding="utf-8")
        command = [compiler, "-fsyntax-only", "-fmax-errors=0", *flags]
        command += [f"-I{folder}" for folder in includes]
        command.append(str(source))
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=scratch)
        except subprocess.TimeoutExpired:
            return Compiled(False, frozenset(), timed_out=True)
    names = frozenset(
        match["a"] or match["b"] or match["c"]
        for line in run.stderr.splitlines()
        if "error" in line
        for match in UNDECLARED.finditer(line)
    )
    return Compiled(run.returncode == 0, names)


def judge(corpus: Path, study: Path, timeout: float) -> list[Flagged]:
    """Every (answer, name) the rule flags, with the compiler's verdict."""
    tasks, attempts = read_corpus(corpus, lambda task: task["language"] in COMPILERS)
    parsed: dict[str, Source] = {}
    originals: dict[str, Compiled] = {}
    flagged: list[Flagged] = []
    for attempt in attempts:
        task = tasks[attempt["task_id"]]
        language, path = task["language"], task["path"]
        if task["task_id"] not in parsed:
            parsed[task["task_id"]] = parse_source(language, task["original"], path)
        answer = parse_source(language, attempt["refactored"], path)
        names = sorted({f.symbol for f in undefined_name_findings(parsed[task["task_id"]], answer)})
        if not names:
            continue
        entry = study / Path(path).parts[0] / Path(path).parts[1]
        includes = _include_dirs(entry) if entry.is_dir() else []
        filename = Path(path).name
        compiled = compile_text(language, attempt["refactored"], filename, includes, timeout)
        if task["task_id"] not in originals:
            originals[task["task_id"]] = compile_text(language, task["original"], filename, includes, timeout)
        original = originals[task["task_id"]]
        for name in names:
            if compiled.clean:
                verdict, why = "false", "the answer compiles cleanly"
            elif name in compiled.undeclared and name not in original.undeclared:
                verdict, why = "confirmed", "the compiler names it undeclared"
            elif compiled.timed_out:
                verdict, why = "undecided", "the compiler timed out"
            elif not original.clean:
                verdict, why = "undecided", "the original does not compile either"
            else:
                verdict, why = "undecided", "the answer fails to compile on something else"
            flagged.append(Flagged(attempt["attempt_id"], language, name, verdict, why))
    return flagged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--study", type=Path, default=STUDY, help="the study's src/dataset folder (its headers)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per compiler run")
    parser.add_argument("--ids", action="store_true", help="also print each flagged answer's id and verdict")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}: see bench/real/fetch.sh", file=sys.stderr)
        return 1
    missing = [c for c in ("gcc", "g++") if shutil.which(c) is None]
    if missing:
        print(f"needs {' and '.join(missing)} on PATH", file=sys.stderr)
        return 1
    if not args.study.is_dir():
        print(f"no study files at {args.study}: the exercises' headers are needed (see bench/real/fetch.sh)")
        return 1
    flagged = judge(args.corpus, args.study, args.timeout)
    print(f"{'language':<9}{'flagged':>9}{'answers':>9}{'confirmed':>11}{'false':>7}{'undecided':>11}")
    for language in sorted(COMPILERS):
        mine = [f for f in flagged if f.language == language]
        counts = Counter(f.verdict for f in mine)
        answers = len({f.attempt_id for f in mine})
        print(
            f"{language:<9}{len(mine):>9}{answers:>9}{counts['confirmed']:>11}{counts['false']:>7}"
            f"{counts['undecided']:>11}"
        )
    reasons = Counter((f.language, f.why) for f in flagged if f.verdict == "undecided")
    for (language, why), count in sorted(reasons.items()):
        print(f"  undecided, {language}: {count} ({why})")
    if args.ids:
        for f in flagged:
            print(f"{f.attempt_id}\t{f.language}\t{f.verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
