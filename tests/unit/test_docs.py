"""The README and the command line agree, as sqlite-utils' docs tests keep its docs honest.

Every command and option the README names exists, with help text; every command of the parser, and each of its
options, has a runnable example in the README (an indented `bare-tui ...` line the parser accepts as written).
The parser is read, not a list kept here: a new command or option without an example fails.
"""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from bare_tui.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PARSER = build_parser()
COMMANDS: dict[str, argparse.ArgumentParser] = next(
    action.choices for action in PARSER._actions if isinstance(action, argparse._SubParsersAction)
)


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [action for action in parser._actions if not isinstance(action, argparse._HelpAction)]


def _examples() -> list[list[str]]:
    """The arguments of every example in the README's code blocks (indented lines running `bare-tui`)."""
    examples = []
    for line in README.splitlines():
        if not line.startswith("    "):
            continue
        for command in line.strip().removeprefix("$ ").split(" && "):  # a line may chain commands
            if command.startswith("bare-tui ") and not command.split()[1].endswith(":"):  # not its output
                examples.append(shlex.split(command, comments=True)[1:])
    return examples


def _synopses() -> list[list[str]]:
    """The words of every `bare-tui ...` code span in the README's prose (synopses with placeholders)."""
    return [span.split()[1:] for span in re.findall(r"`(bare-tui [^`]+)`", README)]


EXAMPLES = _examples()
NAMED = EXAMPLES + _synopses()


def _option_words(words: list[str]) -> set[str]:
    """The options among a command's words: `--jobs`, `-o`, and each of `[--blind|--assisted]`."""
    pieces = (piece.strip("[]").split("=")[0] for word in words for piece in word.split("|"))
    return {piece for piece in pieces if re.match(r"-{1,2}[a-z]", piece)}


def test_the_readme_has_examples_to_check() -> None:
    assert len(EXAMPLES) >= len(COMMANDS) and all(EXAMPLES)


@pytest.mark.parametrize("words", NAMED, ids=" ".join)
def test_every_command_and_option_the_readme_names_exists(words: list[str]) -> None:
    if words[0].startswith("-"):
        known = {option for action in PARSER._actions for option in action.option_strings}
    else:
        assert words[0] in COMMANDS, f"the README names `bare-tui {words[0]}`, which the CLI does not have"
        known = {option for action in COMMANDS[words[0]]._actions for option in action.option_strings}
    assert _option_words(words) - known == set(), f"`bare-tui {' '.join(words)}` names options the CLI lacks"


@pytest.mark.parametrize("words", EXAMPLES, ids=" ".join)
def test_every_example_in_the_readme_runs_as_written(words: list[str]) -> None:
    try:
        PARSER.parse_args(words)
    except SystemExit as exit:
        assert exit.code == 0 and words[0] == "--version", f"the parser refuses `bare-tui {' '.join(words)}`"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_and_an_example_of_each_option(command: str) -> None:
    parser = COMMANDS[command]
    assert parser.description, f"`bare-tui {command}` has no help text"
    for action in _options(parser):
        assert action.help and action.help != argparse.SUPPRESS, f"{command} {action.dest} has no help text"
    examples = [words for words in EXAMPLES if words[0] == command]
    assert examples, f"the README has no example of `bare-tui {command}`"
    shown = set().union(*(_option_words(words) for words in examples))
    missing = [
        action.option_strings[0]
        for action in _options(parser)
        if action.option_strings and not set(action.option_strings) & shown
    ]
    assert missing == [], f"the README has no example of `bare-tui {command}` with {', '.join(missing)}"


def test_the_top_level_options_have_help_and_examples() -> None:
    shown = set().union(*(_option_words(words) for words in EXAMPLES if words[0].startswith("-")))
    for action in _options(PARSER):
        if action.option_strings:
            assert action.help and set(action.option_strings) & shown, f"{action.option_strings[0]} is undocumented"
