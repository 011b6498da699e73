"""The stats screen: how far the pipeline agrees with people, per stage, per model and at each score cut-off."""

from __future__ import annotations

import io
from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, LoadingIndicator, Static

from bare_tui.agreement import Confusion, ThresholdCurve
from bare_tui.calibration import (
    Options,
    PlanDesign,
    PreparedSession,
    StatRow,
    calibration_rows,
    confusion,
    load_plan,
    load_session,
    mixed_pipelines_note,
    plan_confusion,
    plan_rows,
    plan_score_curve,
    score_curve,
    stages_for,
)
from bare_tui.model import FIELDS
from bare_tui.report import ReportContext, markdown_report, rows_to_csv
from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.store import SessionError, Store, unreadable

from . import close_or_quit, take_width_class

SCORED_STAGE = "maintainability"
TABLE_LEGEND = Text(
    "agree: share of pairs where pipeline and people agree · alpha: Krippendorff's alpha among reviewers · "
    "sens / spec: the pipeline's sensitivity and specificity against people · kappa blind / saw: kappa of labels "
    "given before / after the reviewer saw the verdicts",
    style="dim",
)
WAITING = {
    "read": Text("Reading the session…", style="dim"),
    "rates": Text("Computing the success rates per model…", style="dim"),
    "study": Text("Computing the study panel…", style="dim"),
}
"""What each section (and the progress line under the title) says while its figures are computed."""
TABLE_TITLE = "Agreement by stage (95% intervals)"
CONFUSIONS_TITLE = "Pipeline verdicts against the human consensus"
CURVE_TITLE = f"The {SCORED_STAGE} score's threshold against people"
"""The titles of the sections whose figures speak for a plan or the labelled attempts (StatsScreen._scoped)."""
STUDY_STAGE = "overall"
STUDY_PRECISION = 0.05
"""The half-width the study panel counts the labels still needed for (plus or minus 5 points)."""


@dataclass(frozen=True)
class StudyPanel:
    """What the study panel paints: per model the pipeline's pass rate against the PPI estimate of the rate
    people would give, for the plan's population when a plan backs it, and the plan's progress."""

    rows: tuple[StatRow, ...]
    plan: str | None  # None: no plan in the session; the figures then assume the labels are a random sample
    labelled: int = 0  # the plan's sampled attempts with a human consensus on overall
    planned: int = 0  # the plan's sampled attempts (gold items left out)


@dataclass(frozen=True)
class StatsBundle:
    """Everything the screen paints, computed off the event loop in parts (`bundle_parts`), each part a bundle
    with one more section filled in: `rates` and `study` are None until computed."""

    rows: tuple[StatRow, ...]  # the stage table's: every stage's `all` rows, and `anchoring` where asked for
    confusions: dict[str, Confusion]
    curve: ThresholdCurve
    options: Options
    study: StudyPanel | None = None
    rates: tuple[StatRow, ...] | None = None  # raw and corrected success rates, all and per model, of overall
    session: PreparedSession | None = None  # what the export computes every row from
    design: PlanDesign | None = None  # the plan whose design weighs every figure, when one backs the screen
    mixed: str | None = None  # the verdicts that count come from several imported pipelines: mixed_pipelines_note

    @property
    def complete(self) -> bool:
        return self.rates is not None and self.study is not None


def bundle_parts(session_path: Path, options: Options, plan: str | None = None) -> Iterator[StatsBundle]:
    """Open the session read-only in this thread and compute what the screen shows, yielding a bundle as each
    section is ready: the stage table, confusion matrices and curve first, then the success rates per model,
    then the study panel. Every section speaks for the plan named, else the session's newest plan (its
    design-weighted figures, `stats --plan`'s), else for the labelled attempts as they are. The per-model rows
    the screen shows need no resamples, so none are drawn for them: the export computes every row with its
    intervals (`export_rows`)."""
    with Store.open(session_path, readonly=True) as store:
        plans = store.plans()
        name = plan if plan is not None else (plans[-1].name if plans else None)
        session = load_session(store, plan=name)  # the plan's population counted in the same pass
        design = load_plan(store, name, session) if name is not None else None
        options = replace(options, stages=stages_for(session, options))  # extra stages after the five
        table_options = replace(options, by=tuple(b for b in options.by if b == "anchoring"))
        # every section speaks for the plan's population when there is one, as the study panel does
        if design is None:
            rows = calibration_rows(session, table_options)
            confusions = {stage: confusion(session, stage) for stage in options.stages}
            curve = score_curve(session, SCORED_STAGE)
        else:
            rows = plan_rows(session, design, table_options)
            confusions = {stage: plan_confusion(session, design, stage) for stage in options.stages}
            curve = plan_score_curve(session, design, SCORED_STAGE)
        bundle = StatsBundle(
            tuple(rows), confusions, curve, options, session=session, mixed=mixed_pipelines_note(store), design=design
        )
        yield bundle
        rate_options = Options(
            by=tuple(b for b in options.by if b == "model"), stages=(STUDY_STAGE,), replicates=0, ppi=False
        )
        rates = plan_rows(session, design, rate_options) if design else calibration_rows(session, rate_options)
        bundle = replace(bundle, rates=tuple(rates))
        yield bundle
    study_options = Options(
        by=("model",), stages=(STUDY_STAGE,), replicates=0, seed=options.seed, precision=STUDY_PRECISION
    )
    if design is not None:
        consensus = session.humans[STUDY_STAGE].consensus[design.rows]
        study = StudyPanel(
            tuple(plan_rows(session, design, study_options)), design.name, int((consensus >= 0).sum()), design.sampled
        )
    else:
        study = StudyPanel(tuple(calibration_rows(session, study_options)), None)
    yield replace(bundle, study=study)


def compute_bundle(session_path: Path, options: Options, plan: str | None = None) -> StatsBundle:
    """Every section of the screen at once (bundle_parts' last)."""
    (last,) = deque(bundle_parts(session_path, options, plan), maxlen=1)
    return last


def export_rows(bundle: StatsBundle) -> list[StatRow]:
    """Every row of the screen's options, intervals included: what `e` writes (the figures `bare-tui stats`
    writes with the same options, and the same plan: `--plan NAME` when one backs the screen)."""
    assert bundle.session is not None
    if bundle.design is not None:
        return plan_rows(bundle.session, bundle.design, bundle.options)
    return calibration_rows(bundle.session, bundle.options)


# ---------------------------------------------------------------- painting helpers (plain functions, testable)


def _index(rows: tuple[StatRow, ...]) -> dict[tuple[str, str, str, str], StatRow]:
    return {(r.metric, r.stage, r.group_by, r.group): r for r in rows}


def _figure(row: StatRow | None, with_interval: bool = True) -> Text:
    if row is None or row.value is None:
        return Text("–", style="dim")
    text = Text(f"{row.value:.2f}")
    if with_interval and row.ci_low is not None and row.ci_high is not None:
        # Compact, so the eleven columns fit 140 columns: "0.40 [.12,.66]".
        text.append(f" [{_short(row.ci_low)},{_short(row.ci_high)}]", style="dim")
    return text


def _short(value: float) -> str:
    """A figure in [-1, 1] without its leading zero: .12, -.40, 1."""
    if value in (1.0, -1.0, 0.0):
        return f"{value:.0f}"
    return f"{value:.2f}".replace("0.", ".", 1)


def confusion_table(stage: str, cells: Confusion) -> Table:
    """A 2 x 2 matrix: pipeline verdict down, human consensus across; disputed failures (fn) stand out."""
    table = Table(title=safe_rich_text(stage), title_justify="left", box=None, padding=(0, 1), show_edge=False)
    table.add_column("pipeline╲people", style="bold")
    table.add_column("pass", justify="right")
    table.add_column("fail", justify="right")
    table.add_row(Text("pass"), _count(cells.tp, "green"), _count(cells.fp, "yellow"))
    table.add_row(Text("fail"), _count(cells.fn, "bold red"), _count(cells.tn, "green"))
    return table


def _count(n: int, style: str) -> Text:
    """A cell of the matrix: disagreements are coloured only when there are some (a perfect stage has no red)."""
    return Text(str(n), style=style if n else "dim")


def pass_rate_bars(
    rows: tuple[StatRow, ...],
    width: int = 40,
    stage: str = "overall",
    bars: tuple[tuple[str, str, str], ...] = (
        ("raw", "auto_pass_rate", "cyan"),
        ("corrected", "corrected_pass_rate", "magenta"),
    ),
    line_width: int | None = None,
) -> Text:
    """Two figures per model as pairs of bars (by default raw against corrected success rate); the second bar
    shows its interval. With `line_width`, the bars narrow (to no less than 10 cells) so that a line keeps its
    figures and n on one line at that width."""
    metrics = {metric for _, metric, _ in bars}
    by_group: dict[tuple[str, str], dict[str, StatRow]] = defaultdict(dict)
    for row in rows:
        if row.stage == stage and row.metric in metrics and row.group_by in ("all", "model"):
            by_group[(row.group_by, row.group)][row.metric] = row
    text = Text()
    names = [("all", "all")] + sorted(key for key in by_group if key[0] == "model")
    label_width = min(24, max(len("all models"), *(len(group) for _, group in names)))
    if line_width is not None:  # name, " people    ", bar, " 100% (100%–100%) n=99999"
        width = max(10, min(width, line_width - label_width - 11 - len(" 100% (100%–100%) n=99999")))
    for group_by, group in names:
        cells = by_group.get((group_by, group), {})
        name = "all models" if group_by == "all" else group
        for k, (label, metric, style) in enumerate(bars):
            rate = cells.get(metric)
            head = safe_rich_text(name[:label_width].ljust(label_width) if k == 0 else " " * label_width)
            text.append_text(head)
            text.append(f" {label:<9} ")
            text.append_text(_bar(rate, width, style, CORRECTED_UNDEFINED if metric == "corrected_pass_rate" else "–"))
            text.append("\n")
    return text


CORRECTED_UNDEFINED = "– undefined: sensitivity + specificity ≤ 1, or too few labels"


def _bar(row: StatRow | None, width: int, style: str, missing: str = "–") -> Text:
    if row is None or row.value is None:
        return Text("·" * width + "  " + missing, style="dim")
    filled = round(row.value * width)
    low = round((row.ci_low if row.ci_low is not None else row.value) * width)
    high = round((row.ci_high if row.ci_high is not None else row.value) * width)
    bar = Text()
    for i in range(width):
        if i < filled:
            bar.append("█", style=style)
        elif low <= i < high:
            bar.append("▒", style=style)  # the interval beyond the point estimate
        else:
            bar.append("·", style="dim")
    bar.append(f" {row.value:.0%}")
    if row.ci_low is not None and row.ci_high is not None:
        bar.append(f" ({row.ci_low:.0%}–{row.ci_high:.0%})", style="dim")
    bar.append(f" n={row.n}", style="dim")
    return bar


def study_panel(study: StudyPanel, width: int = 40, line_width: int | None = None) -> Text:
    """The study panel: whom the figures speak for (a warning line when no plan backs them), the plan's
    progress and the labels still needed, then per model the pipeline's pass rate against the PPI estimate."""
    text = Text()
    if study.plan is None:
        text.append(
            "⚠ No review plan backs these figures: they treat the labelled attempts as a random sample "
            "of the study, which they may not be. Draw one with `bare-tui plan`.\n",
            style="bold yellow",
        )
    else:
        text.append("Plan ", style="bold")
        text.append_text(safe_rich_text(study.plan))
        text.append(f": {study.labelled} of {study.planned} labelled")
        needed = next((r for r in study.rows if r.metric == "labels_needed" and r.group_by == "all"), None)
        if needed is not None and needed.value is not None:
            text.append(f"; {int(needed.value)} more for ±{STUDY_PRECISION * 100:.0f} points on the pass rate")
        text.append("\n")
    bars = (("pipeline", "auto_pass_rate", "cyan"), ("people", "ppi_pass_rate", "green"))
    text.append_text(pass_rate_bars(study.rows, width, STUDY_STAGE, bars, line_width))
    return text


def curve_plot(curve: ThresholdCurve, width: int = 60, height: int = 11) -> Text:
    """Sensitivity (s) and specificity (p) of 'pass when score >= t' across the observed scores, with the
    Youden-best cut-off marked; a text plot so it works in any terminal."""
    if not curve.thresholds or curve.best_threshold is None:
        return Text(
            f"No threshold curve: the {SCORED_STAGE} stage needs scores and a human consensus with both passes "
            f"and fails (now {curve.positives} passes, {curve.negatives} fails).",
            style="dim",
        )
    low, high = curve.thresholds[0], curve.thresholds[-1]
    span = (high - low) or 1.0
    columns = []
    for c in range(width):
        t = low + span * c / max(1, width - 1)
        # the last observed threshold at or below t: the rule that column stands for
        i = max(0, bisect_right(curve.thresholds, t + 1e-12 * span) - 1)
        columns.append((curve.sensitivity[i], curve.specificity[i]))
    best_column = round((curve.best_threshold - low) / span * (width - 1))
    grid = [[" "] * width for _ in range(height)]
    for c, (sens, spec) in enumerate(columns):
        for value, mark in ((spec, "p"), (sens, "s")):
            r = height - 1 - round(value * (height - 1))
            grid[r][c] = "*" if grid[r][c] not in (" ", mark) else mark
    text = Text()
    for r, line in enumerate(grid):
        level = 1 - r / (height - 1)
        text.append(f"{level:4.1f} │")
        for c, char in enumerate(line):
            if c == best_column and char == " ":
                text.append("┊", style="yellow")
            else:
                text.append(char, style={"s": "green", "p": "cyan", "*": "bold"}.get(char, ""))
        text.append("\n")
    text.append("     └" + "─" * width + "\n")
    text.append(f"      score {low:.3g}".ljust(width // 2 + 6) + f"{high:.3g}".rjust(width // 2) + "\n")
    text.append("      s sensitivity  p specificity  ", style="dim")
    text.append("┊ suggested cut-off", style="yellow")
    text.append("\n")
    text.append(
        f"Suggested cut-off: pass when score ≥ {curve.best_threshold:.4g} (Youden J {curve.best_youden:.2f}; "
        f"ROC AUC {curve.auc:.2f}; {curve.positives} human passes, {curve.negatives} fails)",
        style="bold",
    )
    return text


# ---------------------------------------------------------------- the screen


class StatsScreen(Screen[None]):
    """Per-stage agreement with intervals, confusion matrices, raw against corrected pass rates per model,
    and the maintainability score's threshold curve, for one session."""

    CSS_PATH = "stats.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - Textual declares it so

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export", tooltip="Write the report (markdown) and the rows (CSV) beside the session"),
        Binding("r", "reload", "Reload", tooltip="Recompute from the session"),
        Binding("escape,q", "close", "Back", tooltip="Leave the statistics"),
    ]

    class Loaded(Message):
        """A part of the figures is ready (bundle_parts), or none could be computed: `error` says why."""

        def __init__(self, bundle: StatsBundle | None, error: str | None = None) -> None:
            super().__init__()
            self.bundle = bundle
            self.error = error

    class Exported(Message):
        """The export's files are written (`error`: why they are not)."""

        def __init__(self, written: tuple[Path, Path] | None, error: str | None = None) -> None:
            super().__init__()
            self.written = written
            self.error = error

    def __init__(self, session_path: Path, options: Options | None = None, plan: str | None = None) -> None:
        super().__init__()
        self.session_path = Path(session_path)
        self.options = options or Options(by=("model", "anchoring"))
        self.plan = plan
        self.bundle: StatsBundle | None = None

    def compose(self) -> ComposeResult:
        take_width_class(self)  # the children styled once, their width class already set
        yield Static(self._title(), id="stats-title")
        yield Static(WAITING["read"], id="stats-progress")
        yield Static(id="stats-warning")
        yield LoadingIndicator(id="stats-loading")
        with VerticalScroll(id="stats-body"):
            yield Static(
                Text("Study: the pipeline's pass rate against the rate people would give (PPI, 95%)", style="bold"),
                classes="section-title",
            )
            yield Static(WAITING["study"], id="study")
            yield Static(self._scoped(TABLE_TITLE), id="table-title", classes="section-title")
            yield DataTable(id="stage-table", cursor_type="row", zebra_stripes=True)
            yield Static(TABLE_LEGEND, id="stage-legend")
            yield Static(self._scoped(CONFUSIONS_TITLE), id="confusions-title", classes="section-title")
            with Grid(id="confusions"):
                for stage in FIELDS:
                    yield Static(id=f"confusion-{stage}", classes="confusion")
            yield Static(
                Text("Success rate per model: raw against corrected for the pipeline's error rates", style="bold"),
                classes="section-title",
            )
            yield Static(WAITING["rates"], id="pass-rates")
            yield Static(self._scoped(CURVE_TITLE), id="curve-title", classes="section-title")
            yield Static(id="threshold-curve")
        yield Footer()

    @staticmethod
    def _scoped(title: str, bundle: StatsBundle | None = None) -> Text:
        """A section's title and whom its figures speak for, once the session is read: a plan's population
        (weighted), or the labelled attempts as they are."""
        text = Text(title, style="bold")
        if bundle is not None:
            if bundle.design is not None:
                text.append("  weighted by plan ", style="dim")
                text.append_text(safe_rich_text(bundle.design.name, style="dim"))
            else:
                text.append("  the labelled attempts only, no plan", style="dim")
        return text

    def _title(self) -> Text:
        title = Text("Statistics  ", style="bold")
        title.append_text(safe_rich_text(self.session_path.name))
        return title

    def on_mount(self) -> None:
        self.query_one("#stats-body").display = False
        self.query_one("#stats-warning").display = False
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self) -> None:
        try:
            for bundle in bundle_parts(self.session_path, self.options, self.plan):
                self.post_message(self.Loaded(bundle))
        except (SessionError, ValueError) as exc:
            self.post_message(self.Loaded(None, str(exc)))
        except Exception as exc:  # noqa: BLE001 - a damaged page: shown on the screen, not lost in a dead worker
            self.post_message(self.Loaded(None, unreadable(self.session_path, exc)))

    def on_stats_screen_loaded(self, message: Loaded) -> None:
        self.query_one("#stats-loading").display = False
        body = self.query_one("#stats-body")
        body.display = True
        progress = self.query_one("#stats-progress", Static)
        if message.bundle is None:
            self.bundle = None
            body.display = False  # none of it can be shown: the line at the top says why
            said = Text("Could not read the session: ", style="bold red")
            said.append_text(safe_rich_text(message.error or "", style="bold red"))
            progress.add_class("failed")
            progress.update(said)
            return
        bundle = message.bundle
        warning = self.query_one("#stats-warning", Static)
        warning.display = bundle.mixed is not None
        if bundle.mixed is not None:
            said = Text("Warning: ", style="bold yellow")
            said.append_text(safe_rich_text(bundle.mixed, style="yellow"))
            warning.update(said)
        if bundle.rates is None:
            self._paint_stages(bundle)
            progress.update(WAITING["rates"])
        elif bundle.study is None:
            self._paint_bars(bundle)
            progress.update(WAITING["study"])
        else:
            self._paint_bars(bundle)
            progress.display = False
        if bundle.complete:
            self.bundle = bundle

    def _paint_bars(self, bundle: StatsBundle) -> None:
        """The pass-rate bars and the study panel, their bars as wide as the screen allows (the scrollbar and
        the padding take 4 columns)."""
        line_width = self.size.width - 4
        if bundle.rates is not None:
            self.query_one("#pass-rates", Static).update(pass_rate_bars(bundle.rates, line_width=line_width))
        if bundle.study is not None:
            self.query_one("#study", Static).update(study_panel(bundle.study, line_width=line_width))

    def on_resize(self) -> None:
        if self.bundle is not None:
            self._paint_bars(self.bundle)

    def _paint_stages(self, bundle: StatsBundle) -> None:
        rows = _index(bundle.rows)
        self.query_one("#table-title", Static).update(self._scoped(TABLE_TITLE, bundle))
        self.query_one("#curve-title", Static).update(self._scoped(CURVE_TITLE, bundle))
        counted = "the plan's labelled attempts, counted" if bundle.design is not None else "labelled attempts, counted"
        confusions = self._scoped(CONFUSIONS_TITLE)
        confusions.append(f"  {counted}", style="dim")
        self.query_one("#confusions-title", Static).update(confusions)
        table = self.query_one("#stage-table", DataTable)
        table.display = True
        table.clear(columns=True)
        for label in (
            "stage",
            "pairs",
            "agree",
            "kappa",
            "AC1",
            "PABAK",
            "alpha",
            "sens",
            "spec",
            "kappa blind",
            "kappa saw",
        ):
            table.add_column(Text(label, style="bold"), key=label)
        for stage in bundle.options.stages:

            def get(metric: str, group_by: str = "all", group: str = "all", stage: str = stage) -> StatRow | None:
                return rows.get((metric, stage, group_by, group))

            pairs = get("tp")
            table.add_row(
                safe_rich_text(stage),
                Text(str(pairs.n if pairs else 0)),
                _figure(get("percent_agreement"), with_interval=False),
                _figure(get("cohen_kappa")),
                _figure(get("gwet_ac1")),
                _figure(get("pabak"), with_interval=False),
                _figure(get("krippendorff_alpha")),
                _figure(get("sensitivity"), with_interval=False),
                _figure(get("specificity"), with_interval=False),
                _figure(get("cohen_kappa", "anchoring", "blind")),
                _figure(get("cohen_kappa", "anchoring", "saw_verdicts")),
                key=stage,
            )
        grid = self.query_one("#confusions", Grid)
        for stage, cells in bundle.confusions.items():
            cells_table = confusion_table(stage, cells)
            found = grid.query(f"#confusion-{stage}")
            if found:
                found.first(Static).update(cells_table)
            else:  # an extra stage an external pipeline brought (stage names are safe ids): after the six
                grid.mount(Static(cells_table, id=f"confusion-{stage}", classes="confusion"))
        self.query_one("#threshold-curve", Static).update(curve_plot(bundle.curve))

    def action_reload(self) -> None:
        self.bundle = None
        self.query_one("#stats-loading").display = True
        self.query_one("#stats-body").display = False
        progress = self.query_one("#stats-progress", Static)
        progress.remove_class("failed")
        progress.update(WAITING["read"])
        progress.display = True
        for section in ("rates", "study"):
            self.query_one(f"#{'pass-rates' if section == 'rates' else section}", Static).update(WAITING[section])
        self.load()

    def action_close(self) -> None:
        close_or_quit(self)

    def action_export(self) -> None:
        """Write `<session>-stats.md` and `<session>-stats.csv` beside the session: every row of the screen's
        groupings with its intervals, computed now off the event loop."""
        if self.bundle is None:
            self.notify("Nothing to export yet", severity="warning")
            return
        self.notify("Computing every row with its intervals for the export…", timeout=4)
        self.export(self.bundle)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats-export")
    def export(self, bundle: StatsBundle) -> None:
        stem = self.session_path.with_suffix("")
        markdown_path = stem.with_name(stem.name + "-stats.md")
        csv_path = stem.with_name(stem.name + "-stats.csv")
        rows = export_rows(bundle)
        context = ReportContext(
            session=self.session_path.name,
            replicates=bundle.options.replicates,
            seed=bundle.options.seed,
            plan=bundle.design.name if bundle.design is not None else None,
        )
        csv_text = io.StringIO()
        rows_to_csv(rows, csv_text)
        try:
            markdown_path.write_text(markdown_report(rows, context), encoding="utf-8")
            csv_path.write_text(csv_text.getvalue(), encoding="utf-8", newline="")
        except OSError as exc:
            self.post_message(self.Exported(None, f"Export failed: {exc.strerror or exc}"))
            return
        self.post_message(self.Exported((markdown_path, csv_path)))

    def on_stats_screen_exported(self, message: Exported) -> None:
        if message.written is None:
            self.notify(message.error or "Export failed", severity="error", markup=False)
            return
        markdown_path, csv_path = message.written
        self.notify(
            f"Wrote {markdown_path.name} and {csv_path.name} in {markdown_path.parent.resolve()}",
            title="Exported",
            markup=False,
            timeout=8,
        )
