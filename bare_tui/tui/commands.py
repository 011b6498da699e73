"""The command palette's actions: every binding of the screen on show, and the app's own commands."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, NamedTuple

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.widget import Widget


class ActionEntry(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.6 ms more to define, before the first paint
    """One action a person can run: its keys (for display), description and where it runs."""

    keys: str
    description: str
    action: str
    node: App[Any] | Widget  # where the action runs: the app, or the screen on show
    help: str = ""


KEY_NAMES: dict[str, str] = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "question_mark": "?",
    "slash": "/",
    "escape": "esc",
}
PALETTE_ONLY = "palette"
"""What the help shows in the key column of an action that has no key: ctrl+p finds it."""


def key_name(key: str) -> str:
    """How a key is written for people: the character it types, or its short name."""
    return KEY_NAMES.get(key, key)


def keymap_of(app: App[object]) -> dict[str, str]:
    """The keymap in force (binding id -> keys), as the app read it from the user's keymap file."""
    keymap = getattr(app, "keymap_in_force", None)
    return dict(keymap) if isinstance(keymap, dict) else {}


def key_for(app: App[object], binding_id: str) -> str:
    """The key(s) of a binding as people write them, after the keymap: for messages such as "press n again"."""
    keys = keymap_of(app).get(binding_id)
    if keys is None:
        for node in (app.screen, app):
            for binding in declared_bindings(node):
                if binding.id == binding_id:
                    keys = binding.key
                    break
            if keys is not None:
                break
    if keys is None:
        return binding_id
    return ", ".join(key_name(key.strip()) for key in keys.split(","))


def declared_bindings(node: DOMNode) -> list[Binding]:
    """The bindings a node's class and its bases declare, nearest class first; a key or action that a nearer
    class has taken is left out, as Textual itself resolves them."""
    actions: set[str] = set()
    keys: set[str] = set()
    found: list[Binding] = []
    for cls in type(node).__mro__:
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            if binding.action in actions or binding.key in keys or binding.system:
                continue
            actions.add(binding.action)
            keys.add(binding.key)
            found.append(binding)
    return found


def _key_names(node: DOMNode, binding: Binding) -> str:
    keys = keymap_of(node.app).get(binding.id, binding.key) if binding.id else binding.key
    return ", ".join(key_name(key.strip()) for key in keys.split(","))


def actions_of(node: App[Any] | Widget) -> list[ActionEntry]:
    """The described actions a screen (or the app) offers, keys merged where one action has several; then the
    actions it offers in the palette only (a class's PALETTE: (description, action, help) triples)."""
    entries: dict[str, ActionEntry] = {}
    for binding in declared_bindings(node):
        if not binding.description:
            continue
        keys = _key_names(node, binding)
        held = entries.get(binding.description)
        if held is not None and held.action == binding.action:
            entries[binding.description] = ActionEntry(
                f"{held.keys}, {keys}", held.description, held.action, node, held.help
            )
            continue
        entries.setdefault(
            binding.description, ActionEntry(keys, binding.description, binding.action, node, binding.tooltip)
        )
    for description, action, help_text in getattr(type(node), "PALETTE", ()):
        entries.setdefault(description, ActionEntry(PALETTE_ONLY, description, action, node, help_text))
    return list(entries.values())


def palette_actions(app: App[Any], screen: Widget) -> Iterator[ActionEntry]:
    """What the palette lists: the screen's actions, then the app's."""
    yield from actions_of(screen)
    yield from actions_of(app)


class ActionsProvider(Provider):
    """Lists every action of the screen the palette was opened over, with its key."""

    def _entries(self) -> list[ActionEntry]:
        return list(palette_actions(self.app, self.screen))

    async def _run(self, entry: ActionEntry) -> None:
        await entry.node.run_action(entry.action)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(_title(entry), partial(self._run, entry), entry.description, entry.help or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            title = _title(entry)
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, entry), title, entry.help or None)


def _title(entry: ActionEntry) -> str:
    """An action as the palette lists it: with its key, when it has one."""
    return entry.description if entry.keys == PALETTE_ONLY else f"{entry.description}  ({entry.keys})"
