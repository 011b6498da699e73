"""Convert the model answers of "Sustainable Code Refactoring with LLMs" into bare-tui's import format.

The study (github.com/gabriele-marsili/Sustainable-Code-Refactoring-with-LLMs) asked Claude Sonnet 4, Gemini Flash
and GPT-4 to refactor Exercism and similar solutions in seven languages, four prompt versions each, and kept every
answer next to its original: src/dataset/<language>/<entry>/<model>/<Model>_<name>_v<N>.<ext>. The repository
states no licence, so its files are not redistributed here: clone it and run

    git clone https://github.com/gabriele-marsili/Sustainable-Code-Refactoring-with-LLMs bench/.cache/sustainable
    python bench/real/convert_sustainable.py bench/.cache/sustainable bench/.cache/real/sustainable.jsonl

(bench/.cache/ is not committed; bench/real/fetch.sh does both steps at the labelled commit). The labels in bench/real/labels.jsonl name attempts by the ids written here,
which depend only on the study's paths, so they stay valid for any clone of commit 2e729ab.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

LANGUAGES = {
    "python": "python",
    "Java": "java",
    "c": "c",
    "cpp": "cpp",
    "go": "go",
    "javascript": "javascript",
    "typescript": "typescript",
}
EXTENSIONS = {
    "python": ".py",
    "java": ".java",
    "c": ".c",
    "cpp": ".cpp",
    "go": ".go",
    "javascript": ".js",
    "typescript": ".ts",
}
MODEL_FOLDERS = {"claude": "claude-sonnet-4", "gemini": "gemini-flash", "openAI": "gpt-4"}
ANSWER = re.compile(r"^(?P<model>[A-Za-z0-9]+)_(?P<name>.+)_v(?P<version>\d+)$")
MAX_CHARS = 200_000


def _key(name: str) -> str:
    return name.lower().replace("-", "_")


def _original_for(entry: Path, name: str, extension: str) -> Path | None:
    """The entry's own file the answer refactors: same name (dashes and underscores alike), not a test."""
    wanted = _key(name)
    for path in sorted(entry.rglob(f"*{extension}")):
        relative = path.relative_to(entry).parts
        if relative[0] in MODEL_FOLDERS or "node_modules" in relative or "test" in path.name.lower():
            continue
        if _key(path.stem) == wanted:
            return path
    return None


def convert(root: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(task lines, attempt lines) for every answer whose original can be found."""
    tasks: dict[str, dict[str, object]] = {}
    attempts: list[dict[str, object]] = []
    dataset = root / "src" / "dataset"
    for folder, language in LANGUAGES.items():
        extension = EXTENSIONS[language]
        for entry in (
            sorted(p for p in (dataset / folder).iterdir() if p.is_dir()) if (dataset / folder).is_dir() else []
        ):
            for model_folder, model in MODEL_FOLDERS.items():
                for answer in sorted((entry / model_folder).glob(f"*{extension}")):
                    match = ANSWER.match(answer.stem)
                    if match is None:
                        continue
                    original = _original_for(entry, match["name"], extension)
                    if original is None:
                        continue
                    original_text = original.read_text(encoding="utf-8", errors="replace")
                    answer_text = answer.read_text(encoding="utf-8", errors="replace")
                    if len(original_text) > MAX_CHARS or len(answer_text) > MAX_CHARS:
                        continue
                    relative = original.relative_to(dataset).as_posix()
                    task_id = "sus-" + hashlib.sha256(relative.encode()).hexdigest()[:10]
                    tasks.setdefault(
                        task_id,
                        {
                            "task_id": task_id,
                            "language": language,
                            "path": relative,
                            "original": original_text,
                            "meta": {"study": "sustainable", "entry": entry.name},
                        },
                    )
                    attempts.append(
                        {
                            "attempt_id": f"{task_id}-{model}-v{match['version']}",
                            "task_id": task_id,
                            "model": model,
                            "refactored": answer_text,
                            "meta": {
                                "prompt_version": int(match["version"]),
                                "answer_path": answer.relative_to(dataset).as_posix(),
                            },
                        }
                    )
    return list(tasks.values()), attempts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clone", type=Path, help="a checkout of the study's repository")
    parser.add_argument("output", type=Path, help="the JSON Lines file to write (tasks, then attempts)")
    args = parser.parse_args(argv)
    tasks, attempts = convert(args.clone)
    if not attempts:
        print(f"no answers found under {args.clone}/src/dataset", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        for line in tasks + attempts:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    languages = sorted({str(t["language"]) for t in tasks})
    models = sorted({str(a["model"]) for a in attempts})
    print(
        f"{len(tasks)} tasks, {len(attempts)} answers, {len(languages)} languages ({', '.join(languages)}), "
        f"{len(models)} models ({', '.join(models)}) -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
