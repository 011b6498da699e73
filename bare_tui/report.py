"""Statistics rows written out: rich tables per stage, JSON, CSV, and a markdown report a lead can paste."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .calibration import ROW_KEYS, StatRow
from .exporter import write_csv
from .model import FIELD_INDEX
from .safe_rich_text import safe_rich_text
from .safe_text import json_for_terminal, markdown_text, visible

FORMATS: tuple[str, ...] = ("table", "json", "csv", "markdown")

SMALL_N = 30
"""Below this many compared attempts a figure's interval is too wide to act on; the report says so."""

SKEWED = 0.10
"""A pass rate below this, or above 1 minus it, makes kappa misleading (the prevalence paradox)."""

COUNT_METRICS = frozenset({"tp", "fp", "fn", "tn", "labels_needed"})

LABELS: dict[str, str] = {
    "auto_pass_rate": "pipeline pass rate",
    "human_pass_rate": "human pass rate",
    "percent_agreement": "agreement",
    "cohen_kappa": "Cohen's kappa",
    "gwet_ac1": "Gwet's AC1",
    "pabak": "PABAK",
    "sensitivity": "sensitivity",
    "specificity": "specificity",
    "ppv": "PPV",
    "npv": "NPV",
    "mcc": "MCC",
    "krippendorff_alpha": "Krippendorff's alpha",
    "fleiss_kappa": "Fleiss' kappa",
    "corrected_pass_rate": "corrected pass rate",
    "ppi_pass_rate": "PPI pass rate",
    "labels_needed": "labels needed",
    "auc": "ROC AUC",
    "best_threshold": "best threshold",
}


@dataclass(frozen=True)
class ReportContext:
    """What the markdown report's method notes need to say about how the rows were made."""

    session: str
    source: str | None = None
    replicates: int = 2000
    seed: int = 0
    plan: str | None = None  # the plan whose design weighs the figures
    sampling: str | None = None  # without a plan: what the labelled attempts are, and the warning about them

    def scope(self) -> str:
        """One line saying whom the figures speak for."""
        if self.plan is not None:
            return (
                f"Figures weighted by plan {visible(self.plan)}: each labelled attempt weighs 1 / its inclusion "
                "probability, so they speak for the plan's population (gold items left out)."
            )
        return self.sampling or "Without a plan these figures describe the labelled attempts only."


def format_number(metric: str, value: float | None) -> str:
    """A figure as people read it: counts whole, thresholds to 4 significant digits, the rest to 3 decimals."""
    if value is None:
        return "–"
    if metric in COUNT_METRICS:
        return str(int(value))
    if metric == "best_threshold":
        return f"{value:.4g}"
    return f"{value:.3f}"


def format_interval(row: StatRow) -> str:
    if row.ci_low is None or row.ci_high is None:
        return ""
    return f"{format_number(row.metric, row.ci_low)}–{format_number(row.metric, row.ci_high)}"


# ---------------------------------------------------------------- machine formats


def rows_to_json(rows: Iterable[StatRow]) -> str:
    """An array of objects with exactly the eight keys; undefined figures are null (NaN is refused)."""
    return json.dumps([row.as_dict() for row in rows], ensure_ascii=False, allow_nan=False, indent=1) + "\n"


def rows_to_csv(rows: Iterable[StatRow], out: TextIO, terminal: bool = False) -> int:
    """The eight keys as the header; undefined figures empty; text that would start a formula neutralised."""
    return write_csv((row.as_dict() for row in rows), out, ROW_KEYS, terminal)


# ---------------------------------------------------------------- rich tables


def _by_stage(rows: Iterable[StatRow]) -> dict[str, list[StatRow]]:
    stages: dict[str, list[StatRow]] = defaultdict(list)
    for row in rows:
        stages[row.stage].append(row)
    return dict(sorted(stages.items(), key=lambda item: (FIELD_INDEX.get(item[0], len(FIELD_INDEX)), item[0])))


def stage_tables(rows: Iterable[StatRow]) -> list[Table]:
    """One rich table per stage: metric, grouping, group, n, value and 95% interval; data never read as markup."""
    tables = []
    for stage, stage_rows in _by_stage(rows).items():
        table = Table(title=safe_rich_text(stage), title_justify="left", expand=False)
        for name in ("metric", "by", "group"):
            table.add_column(name, justify="left")
        for name in ("n", "value", "95% CI"):
            table.add_column(name, justify="right")
        previous_group = None
        for row in stage_rows:
            group = (row.group_by, row.group)
            if previous_group is not None and group != previous_group:
                table.add_section()
            previous_group = group
            table.add_row(
                Text(row.metric),
                safe_rich_text(row.group_by),
                safe_rich_text(row.group),
                Text(str(row.n)),
                Text(format_number(row.metric, row.value)),
                Text(format_interval(row)),
            )
        tables.append(table)
    return tables


def write_tables(
    rows: Sequence[StatRow],
    out: TextIO,
    width: int | None = None,
    color: bool = False,
    context: ReportContext | None = None,
) -> None:
    console = Console(file=out, width=width or 120, force_terminal=color, no_color=not color, highlight=False)
    if context is not None:
        console.print(Text(context.scope(), style="bold yellow" if context.plan is None else "bold"))
        console.print()
    for table in stage_tables(rows):
        console.print(table)
        console.print()


# ---------------------------------------------------------------- markdown


def _md(text: str) -> str:
    """Untrusted text for the markdown report: no links, images, HTML, code spans or cell breaks from data."""
    return markdown_text(text)


def _cell(row: StatRow | None) -> str:
    if row is None:
        return ""
    interval = format_interval(row)
    value = format_number(row.metric, row.value)
    return f"{value} ({interval}) n={row.n}" if interval else f"{value} n={row.n}"


AGREEMENT_COLUMNS = (
    "percent_agreement",
    "cohen_kappa",
    "gwet_ac1",
    "pabak",
    "mcc",
    "krippendorff_alpha",
    "fleiss_kappa",
)
RATE_COLUMNS = (
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "auto_pass_rate",
    "human_pass_rate",
    "corrected_pass_rate",
    "ppi_pass_rate",
    "labels_needed",
    "auc",
    "best_threshold",
)


def warnings_for(rows: Sequence[StatRow]) -> list[str]:
    """Where a reader should distrust kappa: too few compared attempts, or a skewed pass rate."""
    found: list[str] = []
    cells: dict[tuple[str, str, str], dict[str, StatRow]] = defaultdict(dict)
    for row in rows:
        cells[(row.stage, row.group_by, row.group)][row.metric] = row
    for (stage, group_by, group), metrics in cells.items():
        where = f"{stage}, {group_by} {_md(group)}" if group_by != "all" else f"{stage}, all attempts"
        if not {"tp", "fp", "fn", "tn"} <= metrics.keys():
            continue
        tp, fp, fn, tn = (int(metrics[m].value or 0) for m in ("tp", "fp", "fn", "tn"))
        n = tp + fp + fn + tn
        if n == 0:
            found.append(
                f"{where}: no attempt has both a pass/fail verdict and a human consensus; agreement is undefined."
            )
            continue
        if n < SMALL_N:
            found.append(
                f"{where}: only {n} compared attempts (< {SMALL_N}); intervals are wide, "
                "treat the figures as indicative."
            )
        human = (tp + fn) / n
        pipeline = (tp + fp) / n
        skewed = [
            f"{name} {rate:.0%}"
            for name, rate in (("people pass", human), ("pipeline passes", pipeline))
            if rate < SKEWED or rate > 1 - SKEWED
        ]
        if skewed:
            ac1 = metrics.get("gwet_ac1")
            pabak = metrics.get("pabak")
            found.append(
                f"{where}: skewed prevalence ({', '.join(skewed)}) depresses kappa even when agreement is high; "
                f"read Gwet's AC1 ({format_number('gwet_ac1', ac1.value if ac1 else None)}) and PABAK "
                f"({format_number('pabak', pabak.value if pabak else None)}) instead."
            )
    return found


def markdown_report(rows: Sequence[StatRow], context: ReportContext) -> str:
    """A report to paste into a review: method notes, warnings, then two tables per stage; n in every cell."""
    out = io.StringIO()
    write = out.write
    write(f"# Pipeline against people: {_md(context.session)}\n\n")
    write("## Method\n\n")
    source = (
        f"`--source {_md(context.source)}`"
        if context.source
        else (
            "bare-tui's own verdicts of the newest pipeline version where an attempt has them, else the imported source"
        )
    )
    bootstrap = (
        f"a paired Bayesian bootstrap over attempts with Jeffreys' half observation added to each cell "
        f"({context.replicates} resamples, seed {context.seed}; the same resample for every statistic; the "
        "interval widened to hold the estimate), which cannot collapse to zero width on a small sample in "
        "perfect agreement"
        if context.replicates > 0
        else "no resampling (`--bootstrap 0`): kappa, AC1, MCC and alpha without intervals"
    )
    notes = [
        f"Scope: {_md(context.scope())}",
        f"Verdicts: {source}. `error` and `skipped` verdicts are left out of every pass/fail figure.",
        "Human consensus: the strict majority of each reviewer's latest pass/fail label; an auditor's "
        "adjudication overrides it; ties and `unsure` give no consensus. `unsure` is a missing label for "
        "kappa and alpha.",
        "Score curve (a stage with a score): `auc` is the share of (human pass, human fail) pairs the score "
        "orders rightly, ties counted half, and `best_threshold` the cut-off of 'pass when score ≥ cut-off' with "
        "the highest Youden index (sensitivity + specificity − 1), the lowest on a tie; neither has an interval. "
        "Under a plan each pair weighs the product of its attempts' weights and the cut-off's shares are "
        "weighted too; n is the scored attempts behind them.",
        "Pipeline against people: pass is the positive class, so sensitivity is the share of human passes the "
        "pipeline passed and a false negative (fn) is a disputed failure.",
        "Among reviewers: Krippendorff's alpha (nominal, missing labels allowed); Fleiss' kappa over the items "
        "with the commonest number of reviewers, without an interval. Under a plan both are design-weighted: each "
        "labelled item weighs its stratum's attempts over its labelled items (N_h / n_h), and alpha's interval "
        "comes from resampling the labelled items within their strata (Rao & Wu's rescaling bootstrap, "
        "spanned with Jeffreys' half observation per pair of categories, so that it cannot collapse either).",
        "Intervals, 95%: Wilson for proportions (pass rates, agreement, sensitivity, specificity, PPV, NPV; "
        f"PABAK = 2·agreement − 1 with the same interval); {bootstrap} for kappa, AC1, MCC and alpha; "
        "Lang & Reiczigel (2014) for the corrected pass rate, the Rogan-Gladen estimate that removes the "
        "pipeline's measured error rates from its raw pass rate; the PPI pass rate (prediction-powered inference, "
        "Angelopoulos et al. 2023, power-tuned) takes the pipeline's verdict on every attempt and corrects it by "
        "the labelled attempts, with a normal interval whose variance adds half an observation per (human, "
        "pipeline) cell. Under a plan the pipeline's pass rate is counted over the plan's population, and every "
        "other proportion is a design-weighted (ratio) estimate with Wilson's interval "
        "at Kish's effective sample size, kappa, AC1 and MCC take the Jeffreys posterior of the weighted table at "
        "that size, and PPI is stratified; `bench/coverage.py` checks each interval covers 93% or more.",
        "Each cell reads value (interval) n=items behind the figure. A dash is a figure that is undefined "
        "there (for example kappa when both sides are constant).",
    ]
    write("".join(f"- {note}\n" for note in notes) + "\n")

    warnings = warnings_for(rows)
    if context.plan is None and context.sampling and "Warning" in context.sampling:
        warnings.insert(0, _md(context.sampling))
    if warnings:
        write("## Warnings\n\n")
        write("".join(f"- {warning}\n" for warning in warnings) + "\n")

    for stage, stage_rows in _by_stage(rows).items():
        groups: dict[tuple[str, str], dict[str, StatRow]] = defaultdict(dict)
        for row in stage_rows:
            groups[(row.group_by, row.group)][row.metric] = row
        write(f"## {_md(stage)}\n\n")
        present = {row.metric for row in stage_rows}
        write("### Agreement\n\n")
        _markdown_table(out, groups, [m for m in AGREEMENT_COLUMNS if m in present], confusion=True)
        write("### Error rates and pass rates\n\n")
        _markdown_table(out, groups, [m for m in RATE_COLUMNS if m in present], confusion=False)
    return out.getvalue()


def _markdown_table(
    out: TextIO, groups: dict[tuple[str, str], dict[str, StatRow]], metrics: list[str], confusion: bool
) -> None:
    headers = ["group"] + (["tp / fp / fn / tn"] if confusion else []) + [LABELS.get(m, m) for m in metrics]
    out.write("| " + " | ".join(headers) + " |\n")
    out.write("|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|\n")
    for (group_by, group), cells in groups.items():
        name = "all" if group_by == "all" else f"{_md(group_by)}: {_md(group)}"
        row = [name]
        if confusion:
            counts = [count for count in (cells.get(m) for m in ("tp", "fp", "fn", "tn")) if count is not None]
            if len(counts) == 4:
                row.append(" / ".join(format_number("tp", c.value) for c in counts) + f" n={counts[0].n}")
            else:
                row.append("")
        row += [_cell(cells.get(metric)) for metric in metrics]
        out.write("| " + " | ".join(row) + " |\n")
    out.write("\n")


# ---------------------------------------------------------------- one entry point for the command and screen


def write_rows(
    rows: Sequence[StatRow],
    fmt: str,
    out: TextIO,
    context: ReportContext,
    color: bool = False,
    terminal: bool = False,
) -> None:
    """Write rows in one of FORMATS. `terminal`: out is a terminal, so no data character may act on it."""
    if fmt == "json":
        text = rows_to_json(rows)
        out.write(json_for_terminal(text) if terminal else text)
    elif fmt == "csv":
        rows_to_csv(rows, out, terminal)
    elif fmt == "markdown":
        out.write(markdown_report(rows, context))
    elif fmt == "table":
        write_tables(rows, out, color=color, context=context)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
