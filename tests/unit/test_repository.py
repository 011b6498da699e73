"""The repository is self-contained: what the tests, benches and scripts read lives inside it.

A fresh clone with nothing beside it must run the README's two commands, so no test, bench or script may name
a place outside the repository: an absolute path of some machine (/usr/..., /work/..., /tmp/...) or a sibling
folder such as ../shared. Real data the tests need is copied into tests/unit/data or tests/unit/pipeline/data with its
source and licence.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKED = ("tests", "bench", "scripts", ".ci")

# A machine path: a top-level system folder (files under /dev and /proc are the kernel's, the same everywhere).
MACHINE_PATH = re.compile(
    r"(?<![\w.~/-])/(usr|work|opt|home|root|etc|var|tmp|srv|mnt|media|lib|lib64|bin|sbin|snap)(/|\b)"
)
SIBLING_PATH = re.compile(r"\.\./+(\.\./+)*shared\b|\.\./+\.\.(?=/)")


def _checked_files() -> list[Path]:
    files = []
    for folder in CHECKED:
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or "__snapshots__" in path.parts:
                continue
            if ".cache" in path.relative_to(REPO).parts:
                continue  # bench/.cache/ holds fetched third-party data (gitignored), not the repository's code
            if path.relative_to(REPO).parts[:3] == ("tests", "pipeline", "data") or path.parts[-2:-1] == ("data",):
                continue  # data files are what is read, not what reads
            if path.suffix in (".py", "") or path.name == "run":
                files.append(path)
    return files


def outside_paths(text: str, python: bool) -> list[tuple[int, str]]:
    """(line, fragment) for every path outside the repository named in the code's strings and comments."""
    pieces: list[tuple[int, str]] = []
    if python:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT and token.start[0] == 1 and token.string.startswith("#!"):
                continue  # the interpreter line names the interpreter, not data
            if token.type in (tokenize.STRING, tokenize.COMMENT) or token.type == getattr(
                tokenize, "FSTRING_MIDDLE", -1
            ):
                pieces.append((token.start[0], token.string))
    else:
        pieces = [(number, line) for number, line in enumerate(text.splitlines(), 1) if not line.startswith("#!")]
    found = []
    for line, piece in pieces:
        for pattern in (MACHINE_PATH, SIBLING_PATH):
            for match in pattern.finditer(piece):
                found.append((line, piece[max(0, match.start() - 10) : match.end() + 20].strip()))
    return found


def test_no_test_bench_or_script_names_a_path_outside_the_repository() -> None:
    offenders = []
    for path in _checked_files():
        if path == Path(__file__).resolve():
            continue  # this file spells the patterns out
        text = path.read_text(encoding="utf-8")
        for line, fragment in outside_paths(text, python=path.suffix == ".py"):
            offenders.append(f"{path.relative_to(REPO)}:{line}: {fragment}")
    assert offenders == []


@pytest.mark.parametrize(
    "code",
    [
        'EXAMPLES = Path("/work/shared/stats-examples.json")',
        'glob.glob("/usr/share/go-*/src/*/*.go")',
        'Path(__file__).parent / "../../shared/DESIGN.md"',
        "# copy it from /tmp/tsc/node_modules first",
        'open(f"/home/{user}/data.json")',
    ],
)
def test_the_guard_catches_machine_and_sibling_paths(code: str) -> None:
    assert outside_paths(code + "\n", python=True)


@pytest.mark.parametrize(
    "code",
    [
        'DATA = Path(__file__).resolve().parent / "data" / "stats-examples.json"',
        'root = sysconfig.get_paths()["stdlib"]',
        'os.open("/dev/null", os.O_RDONLY)',
        'line = "a/usr/b"',
        'url = "https://example.org/usr/share"',
    ],
)
def test_the_guard_leaves_repository_paths_alone(code: str) -> None:
    assert outside_paths(code + "\n", python=True) == []
