"""The reviewer's judgement of one attempt: six fields (and any extra stage's), confidence, note and flag, drawn
from a FormState."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from bare_tui.model import FIELDS, Label
from bare_tui.review import OVERALL, FormState
from bare_tui.safe_text import visible

from ..style import CONFIDENCE_WORDS, FLAG_GLYPH, FLAG_STYLE, OUTCOME_COLOURS, stage_abbreviation

LABEL_STYLES: dict[Label, str] = {label: f"bold {OUTCOME_COLOURS[label]}" for label in Label}  # bold: the form's own
NAME_WIDTH = 16  # "maintainability" and a space; a longer extra stage's name is cut with an ellipsis
EXTRA_MARK = " (extra)"  # an external pipeline's stage, not part of overall


class JudgementForm(Widget):
    """Paints the form; the review screen owns the state and the keys (the focus here is a cursor, not
    Textual focus, so the diff keeps the scrolling keys). `compact` paints it in two lines under the diff, for
    narrow terminals."""

    COMPONENT_CLASSES = {"judgement-form--focused"}

    DEFAULT_CSS = """
    JudgementForm {
        height: auto;
        border: round $accent 60%;
        border-title-color: $text;
        padding: 0 1;
        & > .judgement-form--focused { background: $accent 35%; }
    }
    JudgementForm.-compact {
        border: none;
        border-top: solid $accent 60%;
        padding: 0 1;
        height: 3;
    }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "your judgement"
        self._form = FormState()
        self._flagged = False
        self._unpainted = False  # shown a form while hidden: to be painted when shown
        self.set_class(compact, "-compact")

    @property
    def compact(self) -> bool:
        return self.has_class("-compact")

    @property
    def form(self) -> FormState:
        return self._form

    def show(self, form: FormState, flagged: bool) -> None:
        if form == self._form and flagged == self._flagged:
            return  # as painted (an empty form on the next attempt, as a rule): nothing to paint again
        # The hint under the form comes and goes: only then does the form's height change.
        hint_changed = self._hint_text(self._form) != self._hint_text(form)
        self._form = form
        self._flagged = flagged
        if not all(node.display for node in self.ancestors_with_self if isinstance(node, Widget)):
            # Hidden (the two-line form on a wide screen, the side panel's on a narrow one): painted when shown. A
            # hidden widget marked for painting costs Textual a layout of the whole screen on the next refresh.
            self._unpainted = True
            return
        self.refresh(layout=hint_changed and not self.compact)

    def on_show(self) -> None:
        if self._unpainted:
            self._unpainted = False
            self.refresh(layout=not self.compact)

    @staticmethod
    def _hint_text(form: FormState) -> str | None:
        return form.contradiction or (form.suggested_overall.value if form.suggested_overall else None)

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        lines = self._compact_lines(width) if self.compact else self._lines(width)
        for line in lines:
            line.truncate(width, overflow="ellipsis")  # one line each, whatever a note or tags hold
        hint = None if self.compact else self._hint()
        if hint is not None:
            # The hint is the last thing in the panel: it may take the lines it needs.
            lines.extend(hint.wrap(self.app.console, width))
        return Text("\n").join(lines)

    # ------------------------------------------------------------------ the side panel's form
    def _lines(self, width: int) -> list[Text]:
        form = self._form
        lines: list[Text] = []
        focused_style = self.get_component_rich_style("judgement-form--focused")
        for index, (name, state) in enumerate(zip(form.names, form.fields)):
            focused = index == form.focus
            line = Text(f"{'▸' if focused else ' '} ", style="bold" if focused else "")
            line.append_text(_field_name(name, index >= len(FIELDS)))
            line.append_text(self._label_text(name, state.label, state.changed))
            if focused:
                line.pad_right(width - line.cell_len)
                line.stylize(focused_style)
            lines.append(line)
        if not form.extra_stages:  # the spacer gives way to extra fields, so the form is no taller with them
            lines.append(Text())
        lines.append(self._confidence_text(Text.assemble(("confidence ", "bright_black"))))
        lines.append(self._note_text(Text.assemble(("note       ", "bright_black")), width - 11))
        lines.append(self._flag_text(Text.assemble(("flag       ", "bright_black"))))
        return lines

    def _hint(self) -> Text | None:
        """A line under the form: a contradiction between overall and the stages, else overall's suggestion."""
        form = self._form
        if form.contradiction is not None:
            return Text(f"⚠ {form.contradiction}", style="yellow")
        suggested = form.suggested_overall
        if suggested is not None:
            key = {Label.PASS: "a", Label.FAIL: "x", Label.UNSURE: "u"}[suggested]
            return Text(f"overall {suggested.value}? as the five say: {key} confirms it", style="italic")
        return None

    def _label_text(self, name: str, label: Label | None, changed: bool) -> Text:
        text = Text()
        if label is not None:
            text.append(label.value, style=LABEL_STYLES[label])
            if changed:
                text.append(" *", style="bright_black")  # not saved yet
            return text
        suggested = self._form.suggested_overall if name == OVERALL else None
        if suggested is not None:
            text.append(f"{suggested.value}?", style=LABEL_STYLES[suggested] + " dim italic")
        else:
            text.append("–", style="bright_black")
        return text

    def _confidence_text(self, line: Text) -> Text:
        confidence = self._form.confidence
        if confidence is None:
            line.append("–  (1 2 3)", style="bright_black")
        else:
            line.append(f"{confidence} {CONFIDENCE_WORDS[confidence]}")
        return line

    def _note_text(self, line: Text, room: int) -> Text:
        form = self._form
        if not (form.note or form.tags):
            line.append("none  (c)", style="bright_black")
            return line
        tags = f" #{len(form.tags)}" if form.tags else ""
        preview = visible(form.note).replace("\n", " ⏎ ")
        room = max(4, room - 2 - len(tags))
        if len(preview) > room:
            preview = preview[: room - 1] + "…"
        line.append("✎ ", style="cyan")
        line.append(preview or "(tags only)")
        line.append(tags, style="bright_black")
        return line

    def _flag_text(self, line: Text) -> Text:
        if self._flagged:
            line.append(f"{FLAG_GLYPH} for audit", style=FLAG_STYLE)
        else:
            line.append("no  (f)", style="bright_black")
        return line

    # ------------------------------------------------------------------ two lines under the diff
    def _compact_lines(self, width: int) -> list[Text]:
        form = self._form
        focused_style = self.get_component_rich_style("judgement-form--focused")
        cells: list[Text] = []
        for index, (name, state) in enumerate(zip(form.names, form.fields)):
            cell = Text()
            if index == len(FIELDS):
                cell.append("│ ", style="bright_black")  # the extra stages stand apart from the six
            cell.append(f"{'▸' if index == form.focus else ' '}{stage_abbreviation(name)} ")
            if state.label is not None:
                cell.append(state.label.value, style=LABEL_STYLES[state.label])
                cell.append("*" if state.changed else " ", style="bright_black")
            elif name == OVERALL and form.suggested_overall is not None:
                cell.append(f"{form.suggested_overall.value}?", style="dim italic")
            else:
                cell.append("–", style="bright_black")
            cell.pad_right(12 + (2 if index == len(FIELDS) else 0) - cell.cell_len)
            if index == form.focus:
                cell.stylize(focused_style)
            cells.append(cell)
        fields = Text("").join(_window(cells, form.focus, width))
        details = self._confidence_text(Text.assemble(("conf ", "bright_black")))
        details.append("  ")
        details.append_text(self._note_text(Text.assemble(("note ", "bright_black")), 24))
        details.append("  ")
        details.append_text(self._flag_text(Text.assemble(("flag ", "bright_black"))))
        hint = self._hint()
        if hint is not None and (form.contradiction is not None or form.focused_field == OVERALL):
            details = hint
        return [fields, details]


def _window(cells: list[Text], focus: int, width: int) -> list[Text]:
    """The field cells that fit in `width`, keeping the focused one in sight: with extra stages the row can be
    wider than a narrow terminal, so it scrolls along with the focus, a '…' saying that fields are left out."""
    start = 0
    while start < focus and sum(c.cell_len for c in cells[start : focus + 1]) + (1 if start else 0) > width:
        start += 1
    return ([Text("…", style="bright_black")] if start else []) + cells[start:]


def _field_name(name: str, extra: bool) -> Text:
    """A field's name padded to NAME_WIDTH; an extra stage's in italics, marked "(extra)" where that fits, and
    a name longer than the column cut with an ellipsis (stage names are ASCII)."""
    room = NAME_WIDTH - 1
    if not extra:
        return Text(f"{name:<{NAME_WIDTH}}")
    text = Text(name if len(name) <= room else name[: room - 1] + "…", style="italic")
    if text.cell_len + len(EXTRA_MARK) <= room:
        text.append(EXTRA_MARK, style="bright_black")
    text.pad_right(NAME_WIDTH - text.cell_len)
    return text
