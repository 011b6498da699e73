"""The bare-tui application: opens the review screen (or, for `bare-tui audit`, the audit screen) on a session and
offers every action in the palette."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from bare_tui.review import ReviewSession
from bare_tui.safe_text import one_line
from bare_tui.store import DatabaseFault, SessionError, unreadable

from .commands import ActionsProvider

if TYPE_CHECKING:
    from bare_tui.audit import AuditItem

# Each screen is imported when opened: `bare-tui review` paints its first attempt without the audit and statistics
# screens (numpy, the agreement code), and `bare-tui audit` its list without the review screen.

SCREENS = Path(__file__).parent / "screens"
"""Where the screens' stylesheets are (each screen's CSS_PATH, next to it)."""


class BareTuiApp(App[None]):
    """Holds the main thread's session; the screens do the work. With no review session it is `bare-tui audit`: the
    audit screen alone, and closing it quits."""

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

    def __init__(
        self,
        session: ReviewSession | None,
        session_path: Path,
        start_at: str | None = None,
        keymap: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        auditor: str | None = None,
        read_ahead: Future[list[AuditItem]] | None = None,
    ) -> None:
        """keymap: binding id -> keys, from the user's keymap file; clock: what times the attempt on show (a
        test or a screenshot fixes it, so that the header's time does not move). With no review session the app
        is `bare-tui audit`: the audit screen alone, `auditor` settling, and `read_ahead` the audit list being
        read meanwhile (`audit.read_ahead`)."""
        # The review screen's stylesheet is read with the app's own: a screen that brings a stylesheet the app has
        # not read yet makes Textual parse every stylesheet read so far again (in a fresh Stylesheet) and restyle
        # the app, before that screen's first paint. The screen's CSS_PATH names the same file, found read. The
        # audit screen (`bare-tui audit`'s first) carries its rules as default CSS, so it needs none here.
        super().__init__(css_path=SCREENS / "review.tcss" if session is not None else None)
        self.session = session
        self.session_path = Path(session_path)
        self._start_at = start_at
        self._clock = clock
        self._read_ahead = read_ahead
        self.keymap_in_force: dict[str, str] = dict(keymap or {})
        if self.keymap_in_force:
            self.set_keymap(self.keymap_in_force)
        self.auditor = auditor if auditor is not None else session.reviewer if session is not None else ""
        if session is None:
            self.title = "bare-tui audit"
        self.failure: str | None = None  # the one line that ended the app: its session failed (_handle_exception)

    @classmethod
    def auditing(
        cls, session_path: Path, auditor: str, read_ahead: Future[list[AuditItem]] | None = None
    ) -> BareTuiApp:
        """The app of `bare-tui audit`: the audit screen on its own (its list taken from `read_ahead` if given)."""
        return cls(None, session_path, auditor=auditor, read_ahead=read_ahead)

    def get_default_screen(self) -> Screen:
        """The first screen is the app's own, not one pushed over Textual's empty one: the review screen, or for
        `bare-tui audit` the audit screen. A screen pushed while the app mounts is rendered inside Textual's batch
        update, and that frame is dropped unwritten while counted as drawn: the first update written then held only
        what had changed since (rows 3-40, no header), or the whole screen again after a second render. As the
        app's own screen its first frame is the first update written, rendered once
        (tests/tui/test_first_frame.py; bench/first_frame_pty.py)."""
        if self.session is None:
            from .screens.audit import AuditScreen

            ahead, self._read_ahead = self._read_ahead, None
            return AuditScreen(self.session_path, self.auditor, read_ahead=ahead)
        from .screens.review import ReviewScreen

        return ReviewScreen(self.session, self.session_path, self._start_at, clock=self._clock)

    def on_mount(self) -> None:
        reason = self.session.read_only_reason if self.session is not None else None
        if reason is not None:
            self.notify(
                one_line(f"read-only: {reason}; labels cannot be saved here"),
                severity="warning",
                timeout=8,
                markup=False,
            )

    def on_unmount(self) -> None:
        # The reviewer's claim goes with the app (the process ending would drop it too).
        if self.session is not None:
            self.session.close()

    def _handle_exception(self, error: Exception) -> None:
        """A session that fails in the middle of a read or a write (a damaged page: DatabaseFault; a write it
        refuses: SessionError) ends the app with its one line in `failure`, which the command prints as every
        command says it (cli), instead of Textual's traceback and an exit status of 0; any other error is a bug
        and gets Textual's traceback. Textual has no public hook for an error that a handler raised: this method is
        where they all go (tests/tui/test_damaged_session.py holds it to that)."""
        if isinstance(error, SessionError | DatabaseFault):
            self.failure = str(error) if isinstance(error, SessionError) else unreadable(self.session_path, error)
            self.exit(return_code=2)
            return
        super()._handle_exception(error)

    def run_as_command(self) -> int:
        """Run the app for `bare-tui review` or `bare-tui audit`: its exit status, 1 after Textual's traceback of a
        bug; a session that failed (failure) is raised as SessionError, one line on stderr and status 2 (cli)."""
        self.run()
        if self.failure is not None:
            raise SessionError(self.failure)
        return self.return_code or 0

    async def action_quit(self) -> None:
        """Quit, unless labels on the review screen are unsaved: then a second ctrl+q quits."""
        if self.session is not None:  # `bare-tui audit` has no review screen (nor loads its module)
            from .screens.review import ReviewScreen

            screen = self.screen
            if isinstance(screen, ReviewScreen) and not screen.may_quit():
                return
        self.exit()

    def action_stats(self) -> None:
        """Open the agreement statistics; in blind mode only once every attempt's verdicts are seen, since the
        statistics count them all."""
        if self.session is not None and not self.session.may_see_statistics():
            self.notify(
                "blind review: the statistics count the pipeline's verdicts on every attempt; they open once you have "
                "labelled or revealed them all, or in assisted mode",
                severity="warning",
                timeout=6,
            )
            return
        from .screens.stats import StatsScreen

        self.push_screen(StatsScreen(self.session_path))

    def action_audit(self) -> None:
        """Open the audit screen, this reviewer as the auditor; in blind mode only attempts whose verdicts the
        reviewer has seen are listed."""
        from .screens.audit import AuditScreen

        if isinstance(self.screen, AuditScreen):
            return
        visible = self.session.visible_ids if self.session is not None else None
        self.push_screen(AuditScreen(self.session_path, auditor=self.auditor, visible=visible))
