"""The user's keymap file: TOML mapping binding ids to keys, read once at start and handed to App.set_keymap.

# ~/.config/bare-tui/keymap.toml  (or $XDG_CONFIG_HOME/bare-tui/keymap.toml, or --keymap FILE)
"review.pass" = "y"
"review.fail" = "n,x"
[review]              # a table works too: review.next_attempt
next_attempt = "j"
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding

from bare_tui.store import SessionError


def default_keymap_path(environ: Mapping[str, str] = os.environ) -> Path:
    """$XDG_CONFIG_HOME/bare-tui/keymap.toml, else ~/.config/bare-tui/keymap.toml."""
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "bare-tui" / "keymap.toml"


def known_binding_ids() -> dict[str, str]:
    """Every binding id of the app's screens and dialogs -> its default keys: what a keymap may rebind."""
    from .app import BareTuiApp
    from .dialogs.goto import GoToScreen
    from .dialogs.help import HelpScreen
    from .dialogs.note import NoteScreen
    from .dialogs.reason import ReasonScreen
    from .dialogs.response import ResponseScreen
    from .dialogs.rubric import RubricScreen
    from .screens.audit import AuditScreen
    from .screens.queue import QueueScreen
    from .screens.review import ReviewScreen
    from .screens.stats import StatsScreen

    owners: Iterable[type] = (
        BareTuiApp,
        ReviewScreen,
        QueueScreen,
        AuditScreen,
        ReasonScreen,
        GoToScreen,
        HelpScreen,
        NoteScreen,
        ResponseScreen,
        RubricScreen,
        StatsScreen,
    )
    found: dict[str, str] = {}
    for owner in owners:
        for binding in Binding.make_bindings(getattr(owner, "BINDINGS", [])):
            if binding.id:
                found.setdefault(binding.id, binding.key)
    return found


def load_keymap(path: Path | None, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The keymap from `path` (which must exist), else from the default place (if there is a file there).

    Raises SessionError, one line naming the file, for a file that is not TOML, a key that is not text or an
    id that names no binding (with the ids that exist, so a typo is found at once).
    """
    chosen = path if path is not None else default_keymap_path(environ)
    if path is None and not chosen.is_file():
        return {}
    import tomllib  # here: its import compiles its parser's patterns (~9 ms), before the review's first paint

    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionError(f"{chosen}: no such keymap file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{chosen}: cannot read the keymap: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SessionError(f"{chosen}: not a valid TOML keymap ({exc})") from None
    keymap = dict(_flatten(data, chosen))
    known = known_binding_ids()
    unknown = sorted(set(keymap) - set(known))
    if unknown:
        raise SessionError(
            f"{chosen}: no binding with the id {', '.join(repr(u) for u in unknown)}; ids: {', '.join(sorted(known))}"
        )
    return keymap


def _flatten(data: Mapping[str, object], path: Path, prefix: str = "") -> Iterable[tuple[str, str]]:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path, f"{name}.")
        elif isinstance(value, str) and value.strip():
            yield name, value.strip()
        else:
            raise SessionError(f'{path}: {name} must be keys as text, such as "y" or "ctrl+y,f5"')
