"""The command palette's actions: every binding of the screen on show, and the app's own commands."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


@dataclass(frozen=True)
class ActionEntry:
    """One action a person can run: its keys (for display), description and where it runs."""

    keys: str
    description: str
    action: str
    node: DOMNode
    help: str = ""


KEY_NAMES: dict[str, str] = {
    "up": "↑",
    "down": "↓",
    "pageup": "pgup",
    "pagedown": "pgdn",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "question_mark": "?",
    "escape": "esc",
}


def key_name(key: str) -> str:
    """How a key is written for people: the character it types, or its short name."""
    return KEY_NAMES.get(key, key)


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
    return ", ".join(key_name(key.strip()) for key in binding.key.split(","))


def actions_of(node: DOMNode) -> list[ActionEntry]:
    """The described actions a screen (or the app) offers, keys merged where one action has several; then the
    actions it offers in the palette only (a class's PALETTE: (description, action, help) triples)."""
    entries: dict[str, ActionEntry] = {}
    for binding in declared_bindings(node):
        if not binding.description:
            continue
        keys = _key_names(node, binding)
        held = entries.get(binding.description)
        if held is not None and held.action == binding.action:
            entries[binding.description] = ActionEntry(f"{held.keys}, {keys}", held.description, held.action, node, held.help)
            continue
        entries.setdefault(
            binding.description, ActionEntry(keys, binding.description, binding.action, node, binding.tooltip)
        )
    for description, action, help_text in getattr(type(node), "PALETTE", ()):
        entries.setdefault(description, ActionEntry("ctrl+p", description, action, node, help_text))
    return list(entries.values())


def palette_actions(app: App[object], screen: DOMNode) -> Iterator[ActionEntry]:
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
            yield DiscoveryHit(f"{entry.description}  ({entry.keys})", partial(self._run, entry), entry.description, entry.help or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            title = f"{entry.description}  ({entry.keys})"
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, entry), title, entry.help or None)
