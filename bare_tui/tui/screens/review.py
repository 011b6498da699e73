"""The review screen: one attempt's diff, its verdicts and the reviewer's judgement form, driven by DESIGN's keys."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from bare_tui.model import Label
from bare_tui.review import AttemptBundle, FormState, ReviewSession
from bare_tui.safe_text import one_line, safe_rich_text
from bare_tui.store import SessionError, utc_now

from ..widgets.diff_view import DiffView
from ..widgets.judgement_form import JudgementForm
from ..widgets.verdict_panel import VerdictPanel
from .help import HelpScreen
from .note import NoteResult, NoteScreen
from .queue import QueueScreen
from .response import ResponseScreen

# Every key of DESIGN.md's table. Priority: they reach this screen whatever holds Textual's focus (the diff
# normally does), so the form's focus is a cursor of ours and the scrolling keys always go to the diff.
REVIEW_BINDINGS: list[Binding] = [
    Binding("up", "scroll_diff('up')", "Scroll up", show=False, id="review.scroll_up", tooltip="scroll both sides of the diff together", priority=True),
    Binding("down", "scroll_diff('down')", "Scroll down", show=False, id="review.scroll_down", priority=True),
    Binding("pageup", "scroll_diff('page_up')", "Page up", show=False, id="review.page_up", priority=True),
    Binding("pagedown", "scroll_diff('page_down')", "Page down", show=False, id="review.page_down", priority=True),
    Binding("home", "scroll_diff('home')", "Top of the diff", show=False, id="review.home", priority=True),
    Binding("end", "scroll_diff('end')", "End of the diff", show=False, id="review.end", priority=True),
    Binding("right_square_bracket", "next_change", "Next change", show=False, id="review.next_change", priority=True),
    Binding("left_square_bracket", "previous_change", "Previous change", show=False, id="review.previous_change", priority=True),
    Binding("s", "toggle_mode", "Split / unified", show=False, id="review.toggle_mode", priority=True),
    Binding("tab", "move_field(1)", "Next field", show=False, id="review.next_field", tooltip="next field of the judgement form (syntax … overall)", priority=True),
    Binding("shift+tab", "move_field(-1)", "Previous field", show=False, id="review.previous_field", priority=True),
    Binding("a", "mark('pass')", "Pass", id="review.pass", tooltip="mark the focused field pass, then move to the next field", priority=True),
    Binding("x", "mark('fail')", "Fail", id="review.fail", tooltip="mark the focused field fail, then move to the next field", priority=True),
    Binding("u", "mark('unsure')", "Unsure", id="review.unsure", tooltip="mark the focused field unsure, then move to the next field", priority=True),
    Binding("1", "confidence(1)", "Confidence low", show=False, id="review.confidence_low", priority=True),
    Binding("2", "confidence(2)", "Confidence medium", show=False, id="review.confidence_medium", priority=True),
    Binding("3", "confidence(3)", "Confidence high", show=False, id="review.confidence_high", priority=True),
    Binding("c", "note", "Note", id="review.note", tooltip="write a note (and tags) for this attempt's judgement", priority=True),
    Binding("f", "flag", "Flag", id="review.flag", tooltip="flag the attempt for audit, or take the flag back (saved at once)", priority=True),
    Binding("enter", "save", "Save", id="review.save", tooltip="save each labelled field in one transaction, open the next", priority=True),
    Binding("backspace", "undo", "Undo save", show=False, id="review.undo", tooltip="undo your last save (superseding it), reopen that attempt", priority=True),
    Binding("n", "next_attempt", "Next attempt", show=False, id="review.next_attempt", tooltip="next attempt without saving", priority=True),
    Binding("p", "previous_attempt", "Previous attempt", show=False, id="review.previous_attempt", tooltip="previous attempt without saving", priority=True),
    Binding("r", "reveal", "Reveal verdicts", id="review.reveal", tooltip="show the automated verdicts (blind mode)", priority=True),
    Binding("e", "finding(1)", "Next finding", show=False, id="review.next_finding", tooltip="show the next finding's line in the diff", priority=True),
    Binding("E", "finding(-1)", "Previous finding", show=False, id="review.previous_finding", priority=True),
    Binding("question_mark", "help", "Help", id="review.help", priority=True),
    Binding("q", "back", "Queue", id="review.back", tooltip="back to the queue; from the queue, quit", priority=True),
]

SCROLLS = {
    "up": lambda d: d.scroll_up(animate=False, immediate=True),
    "down": lambda d: d.scroll_down(animate=False, immediate=True),
    "page_up": lambda d: d.scroll_page_up(animate=False),
    "page_down": lambda d: d.scroll_page_down(animate=False),
    "home": lambda d: d.scroll_home(animate=False, immediate=True),
    "end": lambda d: d.scroll_end(animate=False, immediate=True),
}


class ReviewScreen(Screen[None]):
    """One attempt at a time: the diff, the verdicts (hidden in blind mode) and the judgement form."""

    CSS_PATH = "review.tcss"
    BINDINGS = REVIEW_BINDINGS
    # Actions without a key of their own (DESIGN fixes the keys): the palette and help list them.
    PALETTE = [
        ("Show the model's raw response", "show_response", "the answer before code was taken from it"),
    ]

    def __init__(self, session: ReviewSession, session_path: Path, start_at: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.session_path = session_path
        self._start_at = start_at
        self.index = 0
        self.bundle: AttemptBundle | None = None
        self.form = FormState()
        self.revealed = session.mode == "assisted"
        self.opened_at = utc_now()
        self._armed: str | None = None  # the navigation action a second press will let discard labels
        self._pending_line: tuple[str, int] | None = None  # a finding chosen before its diff was computed
        self._queue: QueueScreen | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Vertical(id="review-header"):
            with Horizontal(id="review-title-row"):
                yield Static(id="review-title")
                yield ProgressBar(id="review-progress", show_eta=False, show_percentage=False)
                yield Static(id="review-count")
            yield Static(id="review-attempt")
        with Horizontal(id="review-body"):
            yield DiffView(id="diff")
            with Vertical(id="review-side"):
                yield VerdictPanel(id="verdicts")
                yield JudgementForm(id="form")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()
        session = self.session
        if session.store.readonly:
            self.notify("this session is read-only: labels cannot be saved", severity="warning", timeout=10)
        if self._start_at is not None and self._start_at in session.positions:
            self.open_attempt(session.positions[self._start_at])
            return
        self.open_attempt(session.start_index())
        if session.complete:
            self.notify(f"every attempt is judged ({session.total} of {session.total}): pick one in the queue",
                        timeout=6)
            self._open_queue()

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    # ------------------------------------------------------------------ opening attempts
    def open_attempt(self, index: int) -> None:
        """Load one attempt (its texts only) and show it with syntax focused."""
        bundle = self.session.load(index)
        self.index = index
        self.bundle = bundle
        self.form = FormState.from_judgements(bundle.judgements)
        self.revealed = self.session.mode == "assisted" or self.form.all_labelled
        self.opened_at = utc_now()
        self._armed = None
        self._pending_line = None
        self.diff.show(*bundle.diff_texts)
        self._paint_header()
        self._paint_side()

    def _paint_header(self) -> None:
        session, bundle = self.session, self.bundle
        assert bundle is not None
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("bare-tui ", style="bold")
        title.append_text(safe_rich_text(self.session_path.name))
        title.append("  reviewer ", style="bright_black")
        title.append_text(safe_rich_text(session.reviewer, style="bold"))
        title.append(f"  attempt {self.index + 1} of {session.total}", style="bold")
        if session.plan_progress is not None:
            title.append("  ")
            title.append_text(safe_rich_text(session.plan_progress, style="bold cyan"))
        mode = "ASSISTED" if session.mode == "assisted" else "BLIND, revealed" if self.revealed else "BLIND"
        title.append(f"  {mode}", style="bold magenta")
        self.query_one("#review-title", Static).update(title)
        progress = self.query_one(ProgressBar)
        progress.update(total=session.total, progress=session.judged_count)
        self.query_one("#review-count", Static).update(f"{session.judged_count}/{session.total} judged")

        summary = bundle.summary
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append_text(safe_rich_text(summary.path, style="bold"))
        for label, value in (("", summary.language), ("model ", summary.model), ("", summary.attempt_id)):
            info.append("  ·  ", style="bright_black")
            info.append(label, style="bright_black")
            info.append_text(safe_rich_text(value))
        if bundle.attempt_id in session.judged:
            info.append("  ·  judged", style="green")
        for problem in bundle.problems:
            info.append("  ")
            info.append_text(safe_rich_text(f"⚠ {problem}", style="bold black on yellow"))
        self.query_one("#review-attempt", Static).update(info)

    def _paint_side(self) -> None:
        assert self.bundle is not None
        self.query_one(VerdictPanel).show(self.bundle.verdicts, self.revealed)
        self._paint_form()

    def _paint_form(self) -> None:
        assert self.bundle is not None
        self.query_one(JudgementForm).show(self.form, self.bundle.attempt_id in self.session.flagged)

    # ------------------------------------------------------------------ the diff
    def action_scroll_diff(self, how: str) -> None:
        SCROLLS[how](self.diff)

    def action_next_change(self) -> None:
        if not self.diff.next_change():
            self.notify("no further change below", timeout=2)

    def action_previous_change(self) -> None:
        if not self.diff.previous_change():
            self.notify("no change above", timeout=2)

    def action_toggle_mode(self) -> None:
        self.diff.toggle_mode()

    def action_finding(self, step: int) -> None:
        if not self.revealed:
            self.notify("verdicts are hidden: r to reveal them", timeout=2)
            return
        if self.query_one(VerdictPanel).step(step) is None:
            self.notify("this attempt has no findings", timeout=2)

    def on_verdict_panel_finding_chosen(self, event: VerdictPanel.FindingChosen) -> None:
        evidence = event.finding.evidence
        if evidence.line is None:
            self.notify("this finding has no line to show", timeout=2)
            return
        if self.diff.is_computing:
            self._pending_line = (evidence.side, evidence.line)  # shown once the diff arrives
            return
        self._show_line(evidence.side, evidence.line)

    def on_diff_view_ready(self, event: DiffView.Ready) -> None:
        if self._pending_line is not None:
            side, line = self._pending_line
            self._pending_line = None
            self._show_line(side, line)
        self.call_after_refresh(self._prefetch_following, self.index)

    def _prefetch_following(self, index: int) -> None:
        """Have the diffs of the attempts likely to come next computed while the reviewer reads this one."""
        if index != self.index:
            return
        # Texts only (not a whole bundle); one that vanished is left out: opening it will say so.
        texts = [self.session.diff_texts(following) for following in self.session.likely_next(index)]
        self.diff.prefetch([t for t in texts if t is not None])

    def _show_line(self, side: str, line: int) -> None:
        if not self.diff.scroll_to_line(side, line):
            self.notify(f"line {line} of the {side} file is not in the diff", timeout=2)

    # ------------------------------------------------------------------ the form
    def action_move_field(self, step: int) -> None:
        self.form = self.form.move(step)
        self._paint_form()

    def action_mark(self, label: str) -> None:
        self.form = self.form.mark(Label(label), verdicts_visible=self.revealed)
        self._armed = None
        if not self.revealed and self.form.all_labelled:
            self._reveal()
        self._paint_form()

    def action_confidence(self, level: int) -> None:
        self.form = self.form.with_confidence(level)
        self._paint_form()

    def action_note(self) -> None:
        assert self.bundle is not None

        def keep(result: NoteResult | None) -> None:
            if result is not None:
                self.form = self.form.with_note(result.note, result.tags)
                self._paint_form()

        self.app.push_screen(NoteScreen(self.form.note, self.form.tags, self.bundle.attempt_id), keep)

    def action_flag(self) -> None:
        assert self.bundle is not None
        try:
            flagged = self.session.toggle_flag(self.bundle.attempt_id)
        except SessionError as exc:
            self.notify(one_line(str(exc)), severity="error", markup=False)
            return
        self.notify("flagged for audit" if flagged else "flag taken back", timeout=2)
        self._paint_form()

    def action_reveal(self) -> None:
        if self.revealed:
            self.notify("verdicts are already shown", timeout=2)
            return
        self._reveal()

    def _reveal(self) -> None:
        self.revealed = True
        assert self.bundle is not None
        self.query_one(VerdictPanel).show(self.bundle.verdicts, True)
        self._paint_header()

    # ------------------------------------------------------------------ saving and moving
    def action_save(self) -> None:
        assert self.bundle is not None
        if not self.form.unsaved:
            if any(f.label is not None for f in self.form.fields):
                self.notify("nothing changed since the last save: n for the next attempt", timeout=3)
            else:
                self.notify("nothing labelled yet: a pass, x fail, u unsure", severity="warning", timeout=3)
            return
        try:
            result = self.session.save(self.form, self.bundle, self.opened_at)
        except SessionError as exc:
            self.notify(one_line(f"not saved: {exc}"), severity="error", markup=False, timeout=10)
            return
        # The transaction has committed by now: only now may the screen say so.
        count = len(result.judgements)
        self.notify(one_line(f"saved {count} judgement{'s' if count != 1 else ''} of {result.attempt_id}"), markup=False, timeout=3)
        following = self.session.next_after_save(self.index)
        if following is None:
            self._paint_header()
            self.bundle = self.session.load(self.index)
            self.form = FormState.from_judgements(self.bundle.judgements)
            self._paint_side()
            self.notify("that was the last attempt: every attempt is judged" if self.session.complete
                        else "that was the last attempt in the order", timeout=5)
            return
        if self.session.complete and following == self.index + 1:
            self.notify(f"every attempt is judged ({self.session.total})", timeout=3)
        self.open_attempt(following)

    def action_undo(self) -> None:
        if not self._may_leave("backspace", "undo"):
            return
        try:
            result = self.session.undo()
        except SessionError as exc:
            self.notify(one_line(f"not undone: {exc}"), severity="error", markup=False, timeout=10)
            return
        if result is None:
            self.notify("nothing to undo", timeout=2)
            return
        if result.attempt_id in self.session.positions:  # a plan's order may not hold the attempt undone
            self.open_attempt(self.session.positions[result.attempt_id])
        else:
            self._paint_header()
        count = len(result.judgements)
        self.notify(one_line(f"undone: {count} judgement{'s' if count != 1 else ''} of {result.attempt_id}"), markup=False, timeout=3)

    def action_next_attempt(self) -> None:
        if self.index + 1 >= self.session.total:
            self.notify("this is the last attempt", timeout=2)
            return
        if self._may_leave("n", "next_attempt"):
            self.open_attempt(self.index + 1)

    def action_previous_attempt(self) -> None:
        if self.index == 0:
            self.notify("this is the first attempt", timeout=2)
            return
        if self._may_leave("p", "previous_attempt"):
            self.open_attempt(self.index - 1)

    def _may_leave(self, key: str, action: str) -> bool:
        """True when leaving this attempt loses nothing, or the reviewer pressed the key twice to discard."""
        if not self.form.unsaved or self._armed == action:
            self._armed = None
            return True
        self._armed = action
        self.notify(f"unsaved labels: press {key} again to discard", severity="warning", timeout=4)
        return False

    def show_attempt(self, attempt_id: str) -> None:
        """Open a given attempt (the queue's choice)."""
        if attempt_id in self.session.positions:
            self.open_attempt(self.session.positions[attempt_id])

    # ------------------------------------------------------------------ other screens
    def action_show_response(self) -> None:
        assert self.bundle is not None
        attempt = self.bundle.attempt
        self.app.push_screen(ResponseScreen(attempt.attempt_id, attempt.response, attempt.patch))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self, title="review keys"))

    def action_back(self) -> None:
        if not self._may_leave("q", "back"):
            return
        self._open_queue()

    def _open_queue(self) -> None:
        def chosen(attempt_id: str | None) -> None:
            if attempt_id is None:
                self.app.exit()
            else:
                self.show_attempt(attempt_id)

        if self._queue is None:
            # One queue for the whole review: its filters and scroll survive a visit to an attempt, and q does
            # not mount a screen again (a quarter of a second on 10,000 attempts). It reloads on each return.
            self._queue = QueueScreen(self.session_path, self.session.reviewer)
            self.app.install_screen(self._queue, name=f"queue-{id(self)}")
        self._queue.point_at(self.bundle.attempt_id if self.bundle is not None else None)
        self.app.push_screen(self._queue, chosen)
