"""The architecture holds when the code runs: the headless core loads without Textual, the diff model without Rich.

import-linter (`lint-imports`, run by .ci/run with the contracts in pyproject.toml) reads every import statement,
relative ones and those inside functions included. These tests prove what it cannot: importing the modules in a
fresh interpreter really leaves Textual (or Rich) unloaded, and its contracts name every module of the core.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "bare_tui"
# The shell around the core: the Textual app, one module per subcommand, the dispatcher that starts them, and
# the web server that runs the app for a browser.
SHELL = {"bare_tui.tui", "bare_tui.commands", "bare_tui.cli", "bare_tui.__main__", "bare_tui.serve"}
PLAIN_TEXT = ("bare_tui.diff", "bare_tui.highlight", "bare_tui.safe_text")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_modules() -> list[str]:
    """Every module of the package outside the shell (the demo study's code is data, not ours)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        if name.startswith("bare_tui.demo_study") or any(name == s or name.startswith(s + ".") for s in SHELL):
            continue
        names.append(name)
    return names


def loaded_after_importing(modules: list[str] | tuple[str, ...]) -> set[str]:
    """The names in sys.modules once these modules are imported, in an interpreter of their own."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(result.stdout))


def _of_packages(loaded: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(name for name in loaded if any(name == p or name.startswith(p + ".") for p in packages))


def test_the_whole_core_imports_without_textual_or_the_tui() -> None:
    core = core_modules()
    assert "bare_tui.store" in core and "bare_tui.pipeline.runner" in core and "bare_tui.tui.app" not in core
    loaded = loaded_after_importing(core)
    assert _of_packages(loaded, ("textual", "bare_tui.tui", "bare_tui.commands")) == []


def test_the_diff_model_and_plain_text_rules_load_neither_rich_nor_textual() -> None:
    loaded = loaded_after_importing(PLAIN_TEXT)
    assert set(PLAIN_TEXT) <= loaded
    assert _of_packages(loaded, ("rich", "textual")) == []


def test_the_check_can_fail_a_module_that_loads_textual() -> None:
    loaded = loaded_after_importing(["bare_tui.tui.widgets.diff_view"])
    assert _of_packages(loaded, ("textual",)) != []
    assert _of_packages(loaded, ("rich",)) != []


def test_the_import_contract_of_the_core_names_every_core_module() -> None:
    """A new module outside the shell must join the core's contract (or the shell, on purpose)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    core_contract = next(c for c in contracts if c["name"].startswith("The headless core"))
    listed = set(core_contract["source_modules"])
    covered = {name for name in core_modules() if any(name == m or name.startswith(m + ".") for m in listed)}
    assert set(core_modules()) - covered == {"bare_tui"}  # the package itself holds only its version
    assert {"textual", "bare_tui.tui"} <= set(core_contract["forbidden_modules"])
