"""The app's screens: review, queue, audit and statistics (their dialogs are in ../dialogs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen


def take_width_class(screen: Screen[Any]) -> None:
    """Give `screen` the class of its HORIZONTAL_BREAKPOINTS that the app's width calls for, as Textual's first
    resize would. Called as the screen composes, so its children are styled once, with the class, instead of once
    without it and then every one of them again when that resize sets it (a whole-screen restyle before the first
    paint); the resize then finds the class set and restyles nothing. Later resizes are Textual's as before."""
    width = screen.app.size.width
    points = sorted(screen.HORIZONTAL_BREAKPOINTS or [], reverse=True)
    chosen = next((name for at, name in points if width >= at), None)
    screen.update_classes({name: name == chosen for _, name in points}, animate=False)


def close_or_quit(screen: Screen[Any]) -> None:
    """Close `screen` back to the one under it; the app's first screen (`bare-tui audit`'s list, say) has none, and
    closing it quits."""
    if len(screen.app.screen_stack) > 1:
        screen.dismiss()
    else:
        screen.app.exit()
