"""The stats screen loads a session off the event loop, paints its figures safely and exports them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import DataTable, LoadingIndicator, Static

from bare_tui.agreement import threshold_curve
from bare_tui.calibration import Options
from bare_tui.model import Attempt, Judgement, Label, Outcome, Task, Verdict
from bare_tui.store import Store
from bare_tui.tui.screens.stats import StatsScreen, curve_plot

EVIL_MODEL = "[bold red]evil[/] model"
STAGES_5 = ("syntax", "signatures", "integrity", "defects", "maintainability")


def build_session(path: Path) -> Path:
    """Two models; the pipeline fails some of what people pass on 'evil', never on 'good'."""
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(f"t{i}", "python", f"f{i}.py", "x = 1\n") for i in range(40)])
        store.add_attempts(
            [Attempt(f"a{i}", f"t{i}", EVIL_MODEL if i % 2 else "good", "x = 2\n", seq=i) for i in range(40)]
        )
        verdicts, judgements = [], []
        for i in range(40):
            human_pass = i % 4 != 0
            auto_pass = human_pass and not (i % 2 and i % 3 == 0)
            for stage in STAGES_5:
                score = (i % 3) + (5.0 if human_pass else 0.0) if stage == "maintainability" else None
                verdicts.append(
                    Verdict(f"a{i}", stage, Outcome.PASS if auto_pass else Outcome.FAIL, score, (), "0.1", "bare-tui")
                )
            for stage in (*STAGES_5, "overall"):
                judgements.append(
                    Judgement(
                        f"j{i}{stage}",
                        f"a{i}",
                        "ana",
                        stage,
                        Label.PASS if human_pass else Label.FAIL,
                        saw_verdicts=i < 20,
                    )
                )
        store.save_verdicts(verdicts)
        store.save_judgements(judgements)
    return path


class StatsApp(App[None]):
    def __init__(self, session: Path) -> None:
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.session, Options(by=("model", "anchoring"), replicates=200)))


def text_of(widget: Static) -> str:
    console = Console(record=True, width=200)
    console.print(widget.content)
    return console.export_text()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_session(tmp_path_factory.mktemp("screen") / "study.db")


async def test_screen_shows_stages_confusions_rates_and_curve(session: Path) -> None:
    app = StatsApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert not screen.query_one(LoadingIndicator).display
        table = screen.query_one("#stage-table", DataTable)
        assert table.row_count == 6
        syntax = table.get_row("syntax")
        assert str(syntax[1]) == "40"  # every attempt compared
        assert str(syntax[3]).startswith("0.") and "[" in str(syntax[3])  # kappa with its interval
        assert str(syntax[9]) != "–" and str(syntax[10]) != "–"  # blind and seen, side by side

        confusion = text_of(screen.query_one("#confusion-syntax", Static))
        # good: 10 of 20 pass for people and pipeline alike; evil: all 20 pass for people, the pipeline fails
        # the 7 whose index is a multiple of 3
        lines = [line.split() for line in confusion.splitlines()]
        assert ["pass", "23", "0"] in lines and ["fail", "7", "10"] in lines

        rates = text_of(screen.query_one("#pass-rates", Static))
        assert EVIL_MODEL in rates  # shown literally, never read as markup
        assert "good" in rates and "corrected" in rates

        curve = text_of(screen.query_one("#threshold-curve", Static))
        assert "Suggested cut-off: pass when score ≥ 5 (Youden J 1.00; ROC AUC 1.00" in curve


async def test_export_key_writes_report_and_rows(session: Path) -> None:
    app = StatsApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("e")  # every row is computed for the export, off the event loop
        await app.workers.wait_for_complete()
        await pilot.pause()
    report = session.with_name("study-stats.md")
    rows = session.with_name("study-stats.csv")
    assert "## Method" in report.read_text()
    parsed = list(csv.DictReader(rows.open(newline="")))
    assert {r["group_by"] for r in parsed} == {"all", "model", "anchoring"}
    assert any(r["group"] == EVIL_MODEL for r in parsed)


async def test_with_a_plan_every_section_speaks_for_its_population(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan that oversamples the pipeline's failures: the stage table, the curve and the export are the plan's
    design-weighted figures (stats --plan's), and each section's title says whom it speaks for."""
    import json

    from bare_tui.cli import main

    path = build_session(tmp_path / "planned.db")
    assert main(["plan", str(path), "--name", "p1", "--size", "16", "--strata", "syntax", "--allocation", "equal"]) == 0
    capsys.readouterr()
    assert main(["stats", str(path), "--plan", "p1", "--format", "json", "--bootstrap", "0", "--by", "anchoring"]) == 0
    expected = {(r["metric"], r["stage"], r["group_by"], r["group"]): r for r in json.loads(capsys.readouterr().out)}
    assert main(["stats", str(path), "--format", "json", "--bootstrap", "0"]) == 0
    unweighted = {(r["metric"], r["stage"], r["group_by"], r["group"]): r for r in json.loads(capsys.readouterr().out)}
    app = StatsApp(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.bundle is not None
        shown = {(r.metric, r.stage, r.group_by, r.group): r for r in screen.bundle.rows}
        for key in (("cohen_kappa", "overall", "all", "all"), ("sensitivity", "syntax", "all", "all")):
            assert shown[key].value == pytest.approx(expected[key]["value"], abs=1e-12)
        assert shown[("percent_agreement", "overall", "all", "all")].value != pytest.approx(
            unweighted[("percent_agreement", "overall", "all", "all")]["value"]
        )
        assert "weighted by plan p1" in text_of(screen.query_one("#table-title", Static))
        assert "weighted by plan p1" in text_of(screen.query_one("#curve-title", Static))
        confusion = text_of(screen.query_one("#confusion-overall", Static))
        assert sum(int(n) for line in confusion.splitlines()[2:] for n in line.split()[1:]) == 16
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert "Figures weighted by plan p1" in path.with_name("planned-stats.md").read_text()


async def test_figures_that_mix_imported_pipelines_say_so_above_them(tmp_path: Path, session: Path) -> None:
    """With no verdicts of bare-tui's own and two imported sources, each attempt-stage's newest verdict counts,
    whichever pipeline wrote it: the screen says so in the words the stats command writes on stderr."""
    path = tmp_path / "two.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(f"t{i}", "python", f"f{i}.py", "x = 1\n") for i in range(6)])
        store.add_attempts([Attempt(f"a{i}", f"t{i}", "m", "x = 2\n", seq=i) for i in range(6)])
        store.save_verdicts(
            [
                Verdict(f"a{i}", "syntax", Outcome.PASS, None, (), source, source)
                for i, source in enumerate(["[red]ext[/]", "ext2"] * 3)
            ]
        )
        store.save_judgements([Judgement(f"j{i}", f"a{i}", "ana", "syntax", Label.PASS) for i in range(6)])
    for study, mixed in ((path, True), (session, False)):
        app = StatsApp(study)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            warning = app.screen.query_one("#stats-warning", Static)
            assert warning.display is mixed
            if mixed:
                said = " ".join(text_of(warning).split())
                assert "Warning: the verdicts that count come from 2 imported sources ([red]ext[/], ext2)" in said
                assert "--source NAME" in said
                assert app.screen.query_one("#stats-body").display  # the figures are still shown, under it


async def test_a_missing_session_is_reported_on_screen(tmp_path: Path) -> None:
    app = StatsApp(tmp_path / "nowhere.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = text_of(app.screen.query_one("#stats-progress", Static))
        assert "Could not read the session" in message and "nowhere.db" in message
        await pilot.press("e")  # nothing to export: a warning, not a crash
        await pilot.pause()
    assert not (tmp_path / "nowhere.db").exists()


def test_curve_plot_marks_the_youden_cut_off() -> None:
    curve = threshold_curve([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0, 0, 0, 1, 1, 1])
    text = curve_plot(curve, width=30, height=11).plain
    assert "score ≥ 3" in text and "Youden J 1.00" in text
    empty = curve_plot(threshold_curve([1.0, 2.0], [1, 1])).plain
    assert "No threshold curve" in empty


async def test_an_extra_stage_has_its_row_and_confusion_after_the_six(tmp_path: Path) -> None:
    """An external pipeline's `tests` stage: the stage table's last row, and its own confusion table."""
    from tests.unit.test_report import ci_session

    app = StatsApp(ci_session(tmp_path / "ci.db"))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#stage-table", DataTable)
        assert [str(table.get_row_at(r)[0]) for r in range(table.row_count)][-2:] == ["overall", "tests"]
        assert str(table.get_row("tests")[1]) == "40"
        confusion = text_of(app.screen.query_one("#confusion-tests", Static))
        assert "tests" in confusion


async def test_the_queue_is_not_read_ahead_while_the_statistics_are_on_top(
    demo_session: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review screen reads a big study's queue after a quiet moment; that read holds the interpreter for
    seconds, so when the quiet moment comes while the statistics (computing their figures) are on top, it
    waits, and happens once the reviewer is back."""
    from bare_tui.tui.screens import review
    from tests.tui.conftest import make_app, settle, wait_for

    monkeypatch.setattr(review, "QUEUE_PRELOAD_AFTER", 0.05)
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        reviewing = app.screen
        assert isinstance(reviewing, review.ReviewScreen) and reviewing._queue is None  # a small study: no read
        monkeypatch.setattr(review, "QUEUE_PRELOAD_FROM", 0)  # from now on this study counts as big
        await app.run_action("stats")
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen), "the statistics on top")
        stats = app.screen
        reviewing._preload_queue()  # the quiet moment comes
        for _ in range(10):  # and comes again, many times over
            await pilot.pause(0.05)
        assert reviewing._queue is None
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is reviewing and stats is not app.screen, "back on the review")
        await wait_for(pilot, lambda: reviewing._queue is not None, "the queue read ahead")


@pytest.mark.parametrize("line_width", [76, 116, 136])
def test_pass_rate_bars_keep_each_figure_and_its_n_on_the_line(line_width: int) -> None:
    """At 80 columns the 40-cell bars pushed `n=` (and a wide interval) onto a line of its own, so every model
    took four lines and its figures read as belonging to the next row."""
    from bare_tui.calibration import StatRow
    from bare_tui.tui.screens.stats import pass_rate_bars

    rows = tuple(
        StatRow(metric, "overall", group_by, group, 12345, 1.0, 0.78, 1.0)
        for group_by, group in (("all", "all"), ("model", "marlin-70b-instruct"))
        for metric in ("auto_pass_rate", "corrected_pass_rate")
    )
    lines = pass_rate_bars(rows, line_width=line_width).plain.splitlines()
    assert len(lines) == 4
    assert all(len(line) <= line_width and line.endswith("n=12345") for line in lines), lines
    assert max(len(line) for line in pass_rate_bars(rows).plain.splitlines()) > 76  # the bars as they were
