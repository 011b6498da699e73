"""Textual's footer, rebuilt only when the keys it shows change.

Textual's Footer removes and mounts all its keys again every time the screen says its bindings changed: on the
screen's mount, at each focus move, when a filter control takes the keys. Pushing the queue did that three times
over the same keys, each a score of widgets styled and laid out (bench/queue_screen.py). This one compares what it
would show with what it shows and leaves itself alone when they are the same, and its keys mount styled once.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """A footer that recomposes only when its keys (or how they show) differ from those on show."""

    _shown: Any = None

    def _keys(self) -> Any:
        """What compose would show: every shown binding with its state, and the palette key's place."""
        if not self._bindings_ready:
            return None
        palette = self.app.COMMAND_PALETTE_BINDING
        return (
            self.show_command_palette,
            self.combine_groups,
            tuple(
                (key, binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == palette
            ),
        )

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # A bound key takes the footer's compactness before it mounts: a FooterKey starts compact and is set
                # to the footer's value once bound, restyling each key twice as it mounts for nothing. (The palette
                # key is not bound: it stays compact, as Textual's footer draws it.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys is not None and keys == self._shown:
            return  # the same keys are on show: nothing to remove and mount again
        self._shown = keys
        await super().recompose()
