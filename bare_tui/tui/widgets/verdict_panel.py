"""The automated verdicts of one attempt: each stage's outcome, score and findings, hidden in blind mode; an
external pipeline's extra stages after the five and overall."""

from __future__ import annotations

from typing import NamedTuple

from rich.console import Console
from rich.text import Text
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bare_tui.model import FIELDS, Evidence, Outcome, Verdict, stage_order
from bare_tui.safe_rich_text import safe_rich_text

from ..style import NONE_GLYPH, NONE_STYLE, OUTCOME_GLYPHS, OUTCOME_STYLES

NAME_WIDTH = 15  # "maintainability"; a longer extra stage's name is cut with an ellipsis


class Finding(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.6 ms more to define, before the first paint
    """One piece of evidence, with the stage that found it."""

    stage: str
    evidence: Evidence


def outcome_text(outcome: Outcome | None) -> Text:
    """A glyph and word for an outcome, coloured; "no verdict" when the stage has none."""
    if outcome is None:
        return Text(f"{NONE_GLYPH} none", style=NONE_STYLE)
    return Text(f"{OUTCOME_GLYPHS[outcome]} {outcome.value}", style=OUTCOME_STYLES[outcome])


def finding_text(finding: Finding, width: int = 0) -> Text:
    """stage, side and line, then the message indented under them: one option of the findings list. Given the
    width, the message is wrapped at word boundaries with its indent kept, so one finding reads as one block."""
    evidence = finding.evidence
    side = "original" if evidence.side == "original" else "refactored"
    text = Text()
    text.append(f"{finding.stage} ", style="bold")
    text.append(side if evidence.line is None else f"{side} L{evidence.line}", style="italic")
    message = safe_rich_text(evidence.message or "(no message)")
    room = width - len(INDENT)
    lines = message.wrap(_MEASURE, room) if room >= 12 else [message]
    for line in lines:
        text.append("\n" + INDENT)
        text.append_text(line)
    return text


INDENT = "  "
_MEASURE = Console(width=400)  # measures cells for wrapping; never prints


class FindingVisual(Visual):
    """One option of the findings list, wrapped at the width the list paints it at, whenever that is known: the
    list's width is known only once it is laid out (and loses a column to its scrollbar when the findings overflow
    it), so a text wrapped when the attempt opens was cut at a guess, then cut again by the list."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        self._wrapped: dict[int, Content] = {}  # width -> the finding wrapped at it (a list is painted at one or two)

    def __str__(self) -> str:
        return finding_text(self.finding).plain

    def _at(self, width: int) -> Content:
        content = self._wrapped.get(width)
        if content is None:
            content = self._wrapped[width] = Content.from_rich_text(finding_text(self.finding, width), _MEASURE)
        return content

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._at(container_width).get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._at(width).get_height(rules, width)


class _Findings(OptionList, can_focus=False):
    """The findings list: picked with the mouse or the review screen's keys, never holding the focus, so
    that the diff keeps every scrolling key."""

    # Each attempt's findings make the list's scrollable height anew: Textual lays the whole screen out (and paints
    # all of it) whenever a widget's virtual size is set, twice when the size comes out of a layout. The list's own
    # size does not depend on it (it fills the panel): only its scrollbar does, and a scrollbar that comes or goes
    # lays the screen out by itself (its display changes).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class VerdictPanel(Vertical):
    """Stage outcomes with score and evidence count; the findings below them, each a way into the diff."""

    DEFAULT_CSS = """
    VerdictPanel {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text;
        padding: 0 1;
        #verdict-stages { height: auto; }
        #verdict-findings-title { height: 1; color: $text-muted; }
        _Findings {
            height: 1fr;
            border: none;
            padding: 0;
            background: transparent;
            scrollbar-size-vertical: 1;
            & > .option-list--option-highlighted { background: $accent 40%; }
        }
    }
    """

    class FindingChosen(Message):
        """The reviewer chose a finding: the diff should show its line."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "automated verdicts"
        self._verdicts: dict[str, Verdict] = {}
        self._stages: tuple[str, ...] = FIELDS
        self._revealed = False
        self._findings: list[Finding] = []
        self._shown_height: int | None = None  # lines of the stage list last shown
        self._shown_lines: Text | None = None  # the stage list last shown
        self._shown_title: Text | None = None  # the findings' title last shown
        # Findings as painted lately, wrapped at the widths they were painted at: going back to an attempt (an
        # undo, p) lists its findings without wrapping them again.
        self._visuals: LRUCache[Finding, FindingVisual] = LRUCache(256)
        self._list: _Findings | None = None  # the findings list, once mounted
        self._early_highlight: int | None = None  # a finding stepped to before the list was mounted

    def compose(self) -> ComposeResult:
        # The findings list is mounted once the screen has painted (_mount_findings): an OptionList's class made,
        # styled and mounted came to ~28M instructions (~6 ms) before the review screen's first paint, and the list
        # is empty there in blind mode (hidden verdicts). The list's place below the title is the same either way.
        yield Static(id="verdict-stages")
        yield Static(id="verdict-findings-title")

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_findings)

    async def _mount_findings(self) -> None:
        listed = _Findings(id="verdict-findings")
        await self.mount(listed)
        self._list = listed
        if self._revealed and self._findings:  # shown before the list was there: listed now
            listed.add_options(Option(self._visual(f)) for f in self._findings)
            if self._early_highlight is not None:
                listed.highlighted = self._early_highlight
        self._early_highlight = None

    @property
    def findings(self) -> list[Finding]:
        """The findings shown, in stage order; empty while the verdicts are hidden."""
        return self._findings if self._revealed else []

    @property
    def _highlighted(self) -> int | None:
        """The finding highlighted: in the list, or to be once the list is mounted."""
        return self._list.highlighted if self._list is not None else self._early_highlight

    @property
    def selected(self) -> Finding | None:
        index = self._highlighted
        if index is None or not self._revealed or index >= len(self._findings):
            return None
        return self._findings[index]

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages shown, in order: the five, overall, then the attempt's extra stages by name."""
        return self._stages

    def show(self, verdicts: dict[str, Verdict], revealed: bool) -> None:
        """Show an attempt's verdicts; hidden ones show only that they are hidden."""
        self._verdicts = verdicts
        self._revealed = revealed
        self._stages = FIELDS + tuple(sorted(set(verdicts) - set(FIELDS), key=stage_order))
        self._findings = [
            Finding(stage, evidence)
            for stage in self._stages
            if stage in verdicts
            for evidence in verdicts[stage].evidence
        ]
        # What did not change is not painted again: the next attempt's outcomes, hidden or not, often read the same.
        lines = self._stage_lines()
        if lines != self._shown_lines:
            height = lines.plain.count("\n") + 1
            # laid out again only when the lines grow or shrink (revealing adds a line; an attempt may have more)
            self.query_one("#verdict-stages", Static).update(lines, layout=height != self._shown_height)
            self._shown_lines, self._shown_height = lines, height
        options = self._list  # None until mounted: then it lists what is shown by that time
        self._early_highlight = None
        if options is not None and options.option_count:
            options.clear_options()  # another attempt's findings, or this one's anew: none highlighted
        # The list stays on show, empty while the verdicts are hidden: a widget shown or hidden lays out the screen.
        if not revealed:
            self._show_title(Text("hidden — r to reveal", style="italic"))
            return
        if self._findings:
            self._show_title(Text(f"findings ({len(self._findings)}): e / E to step"))
            if options is not None:
                options.add_options(Option(self._visual(f)) for f in self._findings)
        else:
            self._show_title(Text("no findings"))

    def _visual(self, finding: Finding) -> FindingVisual:
        visual = self._visuals.get(finding)
        if visual is None:
            visual = self._visuals[finding] = FindingVisual(finding)
        return visual

    def _show_title(self, title: Text) -> None:
        if title != self._shown_title:
            self.query_one("#verdict-findings-title", Static).update(title, layout=False)
            self._shown_title = title

    def step(self, delta: int) -> Finding | None:
        """Highlight the next (+1) or previous (-1) finding, wrapping round, and announce it."""
        if not self.findings:
            return None
        options = self._list
        current = self._highlighted
        index = (
            (0 if delta > 0 else len(self._findings) - 1)
            if current is None
            else (current + delta) % len(self._findings)
        )
        if options is not None:
            options.highlighted = index
        else:
            self._early_highlight = index  # highlighted once the list is mounted
        finding = self._findings[index]
        self.post_message(self.FindingChosen(finding))
        return finding

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.findings):
            self.post_message(self.FindingChosen(self._findings[event.option_index]))

    def _stage_lines(self) -> Text:
        """A line a stage, then a last line that holds the legend of scores and findings when they are shown, else
        stays blank (the space above the findings' title): as many lines hidden as revealed, so that revealing
        the verdicts, or the next attempt's, paints the panel without laying the screen out."""
        lines = Text(no_wrap=True, overflow="ellipsis")
        for stage in self._stages:
            if stage != FIELDS[0]:
                lines.append("\n")
            name = stage if len(stage) <= NAME_WIDTH else stage[: NAME_WIDTH - 1] + "…"
            lines.append(f"{name:<{NAME_WIDTH}} ", style="bold" if stage == "overall" else "")
            verdict = self._verdicts.get(stage)
            if not self._revealed:
                lines.append("?  hidden", style="bright_black")
                continue
            lines.append_text(outcome_text(verdict.outcome if verdict else None))
            if verdict is None:
                continue
            if verdict.score is not None:
                lines.append(f" {verdict.score:+.2f}", style="cyan")
            if verdict.evidence:
                lines.append(f" ·{len(verdict.evidence)}", style="bright_black")
        lines.append("\n")
        if self._revealed and any(v.score is not None or v.evidence for v in self._verdicts.values()):
            lines.append("+0.00", style="cyan")
            lines.append(" score  ", style="bright_black")
            lines.append("·N", style="bright_black")
            lines.append(" findings", style="bright_black")
        return lines
