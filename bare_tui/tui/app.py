"""The bare-tui application: opens the review screen on a session and offers every action in the palette."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from bare_tui.review import ReviewSession

from .commands import ActionsProvider
from .screens.audit import AuditScreen
from .screens.review import ReviewScreen
from .screens.stats import StatsScreen


class BareTuiApp(App[None]):
    """Holds the main thread's session; the screens do the work."""

    TITLE = "bare-tui"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS = [
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.palette"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
    ]

    # Actions without a key of their own: the palette and the help screen list them.
    PALETTE = [
        ("Agreement statistics", "stats", "pipeline against people, with intervals"),
        ("Audit disputed attempt-stages", "audit", "settle disputes, disputed failures first"),
    ]

    def __init__(self, session: ReviewSession, session_path: Path, start_at: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.session_path = session_path
        self._start_at = start_at

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.session, self.session_path, self._start_at))

    def action_stats(self) -> None:
        """Open the agreement statistics."""
        self.push_screen(StatsScreen(self.session_path))

    def action_audit(self) -> None:
        """Open the audit screen, this reviewer as the auditor."""
        self.push_screen(AuditScreen(self.session_path, auditor=self.session.reviewer))
