"""Review plans: allocation, the seeded draw, inclusion probabilities, precision and extension, bad input,
plan lines in and out, merge, and walking a plan on the review screen's headless session."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bare_tui.cli import main
from bare_tui.exporter import export_text
from bare_tui.importer import import_into
from bare_tui.merge import merge_into
from bare_tui.model import Adjudication, Attempt, Judgement, Label, Outcome, ReasonCode, Task, Verdict
from bare_tui.plans import (
    PRIOR_FLOOR,
    PlanDesign,
    PlanError,
    PlanSpec,
    allocate,
    allocation_weights,
    draw_plan,
    extend_plan,
    precision_needs,
    prior_pass_rates,
    required_size,
    save_drawn,
)
from bare_tui.review import FormState, ReviewSession
from bare_tui.store import Store

MODELS = ("m1", "m2", "m3")
LANGUAGES = ("python", "go")
PASS_RATE = {"m1": 0.8, "m2": 0.5, "m3": 0.2}


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """120 attempts: 3 models x 40 tasks (20 Python, 20 Go), an overall verdict each with a pass rate that
    differs by model, and adjudications on 10 attempts (gold candidates)."""
    rng = np.random.default_rng(5)
    path = tmp_path / "study.db"
    with Store.open(path, create=True) as store:
        tasks = [Task(f"t{k:02d}", LANGUAGES[k % 2], f"f{k}.{'py' if k % 2 == 0 else 'go'}", "x\n") for k in range(40)]
        store.add_tasks(tasks)
        attempts, verdicts = [], []
        for model in MODELS:
            for task in tasks:
                attempt_id = f"{model}-{task.task_id}"
                attempts.append(Attempt(attempt_id, task.task_id, model, "y\n"))
                outcome = Outcome.PASS if rng.random() < PASS_RATE[model] else Outcome.FAIL
                verdicts.append(Verdict(attempt_id, "overall", outcome, pipeline_version="v1"))
                verdicts.append(Verdict(attempt_id, "syntax", Outcome.PASS, pipeline_version="v1"))
        store.add_attempts(attempts)
        store.save_verdicts(verdicts)
        with store.writing() as conn:
            for k in range(10):
                store.save_adjudication(
                    Adjudication(f"d{k}", f"m2-t{k:02d}", "overall", "eve", Label.PASS, ReasonCode.OTHER), conn
                )
    return path


def _draw(path: Path, **options: object) -> list:  # type: ignore[type-arg]
    spec = PlanSpec(**{"name": "p1", "size": 30, **options})  # type: ignore[arg-type]
    with Store.open(path) as store:
        plan = draw_plan(store, spec)
        save_drawn(store, plan)
        return store.plan_items(spec.name)


# ---------------------------------------------------------------------- allocation
def test_proportional_allocation_matches_hand_computed_shares() -> None:
    assert allocate(10, [50, 30, 20], [50, 30, 20]) == [5, 3, 2]
    # 4.5, 3.5, 2.0: floors 4, 3, 2; the one left goes to the largest remainder, the first on a tie
    assert allocate(10, [45, 35, 20], [45, 35, 20]) == [5, 3, 2]
    # 19.6, 0.196, 0.098: every non-empty stratum gets one, the rest is shared again
    assert allocate(20, [1000, 10, 5], [1000, 10, 5]) == [18, 1, 1]
    # fewer attempts than strata: no minimum, largest remainders win
    assert allocate(2, [50, 30, 20], [50, 30, 20]) == [1, 1, 0]


def test_equal_allocation_never_takes_more_than_a_stratum_holds() -> None:
    sizes = [50, 30, 2, 0]
    # 3.33 each would pass the 2 the third stratum holds: it gives 2, the others share 8; the empty one gets 0
    assert allocate(10, allocation_weights("equal", sizes, [0.5] * 4), sizes) == [4, 4, 2, 0]
    with pytest.raises(PlanError, match="larger than the population of 82"):
        allocate(83, [1, 1, 1, 0], sizes)


def test_neyman_allocation_is_the_textbook_formula() -> None:
    sizes, priors = [100, 200, 100], [0.5, 0.1, 0.9]
    s = [math.sqrt(p * (1 - p)) for p in priors]  # 0.5, 0.3, 0.3
    n = 28
    textbook = [n * N * S / sum(Ni * Si for Ni, Si in zip(sizes, s)) for N, S in zip(sizes, s)]
    assert textbook == pytest.approx([10, 12, 6])
    assert allocate(n, allocation_weights("neyman", sizes, priors), sizes) == [10, 12, 6]


def test_a_neyman_plan_follows_the_formula_with_the_pipelines_pass_rates(study: Path) -> None:
    items = _draw(study, strata=("model",), allocation="neyman", size=30)
    with Store.open(study) as store:
        outcomes = store.current_stage_outcomes("overall")
    spread = {}
    for model in MODELS:
        rate = sum(outcomes[f"{model}-t{k:02d}"] == "pass" for k in range(40)) / 40
        rate = min(max(rate, PRIOR_FLOOR), 1 - PRIOR_FLOOR)
        spread[model] = 40 * math.sqrt(rate * (1 - rate))
    drawn = Counter(i.stratum for i in items)
    for model in MODELS:
        textbook = 30 * spread[model] / sum(spread.values())
        assert abs(drawn[f"model={model}"] - textbook) < 1  # the formula, rounded by largest remainder
    assert drawn["model=m2"] > drawn["model=m1"]  # the model nearest half passing is sampled most


def test_neyman_priors_come_from_the_pipeline_with_a_floor() -> None:
    # all pass, half, none judged (falls back to the pooled rate), all fail
    rates = prior_pass_rates([10, 5, 0, 0], [10, 10, 0, 4])
    assert rates == pytest.approx([1 - PRIOR_FLOOR, 0.5, 15 / 24, PRIOR_FLOOR])


# ---------------------------------------------------------------------- the draw
def test_inclusion_probabilities_add_up_to_the_drawn_count_per_stratum(study: Path) -> None:
    items = _draw(study, strata=("model", "overall"), size=30)
    with Store.open(study) as store:
        strata = {s.stratum: s for s in store.plan_strata("p1")}
        population = store.plan_population("p1")
    assert sum(s.population for s in strata.values()) == len(population) == 120
    assert sum(s.drawn for s in strata.values()) == len(items) == 30
    members = Counter(population.strata)
    for key, stratum in strata.items():
        drawn = [i for i in items if i.stratum == key]
        assert len(drawn) == stratum.drawn >= 1
        assert members[key] == stratum.population
        # every attempt of the stratum has the same probability n_h / N_h: over the stratum they sum to n_h
        assert [i.inclusion_probability for i in drawn] == pytest.approx(
            [stratum.drawn / stratum.population] * len(drawn)
        )
        assert stratum.population * drawn[0].inclusion_probability == pytest.approx(stratum.drawn)
    assert sorted(i.position for i in items) == list(range(1, 31))


def test_the_draw_is_reproducible_by_seed_and_differs_by_seed(study: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(study, copy)
    first = _draw(study, strata=("model",), seed=11)
    again = _draw(copy, strata=("model",), seed=11)
    assert [(i.attempt_id, i.position) for i in first] == [(i.attempt_id, i.position) for i in again]
    with Store.open(copy) as store:
        other = draw_plan(store, PlanSpec("p2", 30, ("model",), seed=12))
    assert {i.attempt_id for i in other.items} != {i.attempt_id for i in first}


def test_strata_by_a_stage_cover_pipeline_passes_and_fails(study: Path) -> None:
    items = _draw(study, strata=("model", "overall"), allocation="equal", size=30)
    outcomes = Counter(i.stratum.split("|")[1] for i in items)
    assert outcomes["overall=pass"] == outcomes["overall=fail"] == 15


def test_where_keeps_only_the_attempts_that_match_every_condition(study: Path) -> None:
    items = _draw(study, where="model=m1,language=go,overall=pass", size=3)
    with Store.open(study) as store:
        outcomes = store.current_stage_outcomes("overall")
        population = store.plan_population("p1")
    assert all(a.startswith("m1-") for a in population.attempt_ids)
    assert all(int(a[-2:]) % 2 == 1 and outcomes[a] == "pass" for a in population.attempt_ids)
    assert {i.attempt_id for i in items} <= set(population.attempt_ids)


def test_overlap_goes_to_two_reviewers_and_the_load_is_balanced(study: Path) -> None:
    items = _draw(study, size=30, reviewers=("ana", "ben", "cy"), overlap=0.2)
    twice = [i for i in items if len(i.reviewers) == 2]
    assert len(twice) == 6
    assert all(len(i.reviewers) == 1 for i in items if i not in twice)
    load = Counter(r for i in items for r in i.reviewers)
    assert sum(load.values()) == 36 and max(load.values()) - min(load.values()) <= 1
    assert len({i.reviewers for i in twice}) == 3  # every pair overlaps


def test_gold_items_are_adjudicated_unannounced_and_outside_the_sample(study: Path) -> None:
    items = _draw(study, size=27, gold=0.1, reviewers=("ana", "ben"), strata=("model",))
    gold = [i for i in items if i.gold]
    assert len(gold) == 3  # 3 of 30 items
    with Store.open(study) as store:
        adjudicated = store.adjudicated_attempt_ids()
        strata = store.plan_strata("p1")
    assert all(i.attempt_id in adjudicated and i.inclusion_probability is None for i in gold)
    assert sum(s.drawn for s in strata) == 27  # the strata count the sample only
    positions = sorted(i.position for i in gold)
    assert positions != [28, 29, 30]  # mixed in, not appended


def test_stage_strata_stay_as_drawn_after_a_reverify(study: Path) -> None:
    _draw(study, strata=("overall",))
    with Store.open(study) as store:
        before = store.plan_population("p1")
        store.save_verdicts([Verdict(a, "overall", Outcome.FAIL, pipeline_version="v2") for a in before.attempt_ids])
        after = store.plan_population("p1")
        design = PlanDesign.load(store, "p1")
    assert after == before
    assert "overall=pass" in set(after.strata)
    for stratum in design.strata.values():
        assert sum(design.weights()[a] for a in stratum.items) == pytest.approx(stratum.population)
        assert len(stratum.members) == stratum.population


# ---------------------------------------------------------------------- precision and extension
def test_required_size_is_the_normal_formula_with_the_finite_population_correction() -> None:
    assert required_size(0.5, 0.05, 10**9) == 385  # 1.96^2 * 0.25 / 0.05^2 = 384.1
    n0 = 1.959963984540054**2 * 0.25 / 0.05**2
    assert required_size(0.5, 0.05, 1000) == math.ceil(n0 / (1 + (n0 - 1) / 1000)) == 278
    assert required_size(0.5, 0.05, 40) == 37


def test_precision_counts_labels_and_extend_draws_from_the_same_strata(study: Path) -> None:
    items = _draw(study, strata=("model",), size=6, reviewers=("ana",))
    labelled = items[0]
    with Store.open(study) as store:
        store.save_judgements([Judgement("j1", labelled.attempt_id, "ana", "overall", Label.PASS)])
        needs = {n.stratum: n for n in precision_needs(store, "p1", 0.2)}
        assert needs[labelled.stratum].labelled == 1 and needs[labelled.stratum].drawn == 2
        plan, added = extend_plan(store, "p1", 0.2)
        save_drawn(store, plan, replace=True)
        extended = store.plan_items("p1")
        strata = {s.stratum: s for s in store.plan_strata("p1")}
        population = store.plan_population("p1")
    for key, stratum in strata.items():
        assert stratum.drawn == min(stratum.population, needs[key].required)
        assert all(
            i.inclusion_probability == pytest.approx(stratum.drawn / stratum.population)
            for i in extended
            if i.stratum == key
        )
    assert added == len(extended) - 6 > 0
    old = {(i.attempt_id, i.position) for i in items}
    assert old <= {(i.attempt_id, i.position) for i in extended}  # nothing drawn earlier moves
    assert {i.attempt_id for i in extended} <= set(population.attempt_ids)
    assert plan.record.definition["extensions"][0]["added"] == added


# ---------------------------------------------------------------------- the command: bad input
def _plan_cli(path: Path, *options: str) -> int:
    return main(["plan", str(path), *options])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--name", "p2", "--size", "121"), "--size 121 is larger than the population of 120"),
        (("--name", "p2", "--size", "5", "--where", "model=m9"), "--where model=m9: no attempt has it"),
        (("--name", "p2", "--size", "5", "--where", "model=m1,overall=error"), "overall=error: no attempt has it"),
        (
            ("--name", "p2", "--size", "5", "--where", "model=m1,language=go,overall=pass,syntax=fail"),
            "syntax=fail: no attempt has it",
        ),
        (("--name", "p1", "--size", "5"), "a plan named 'p1' exists"),
        (("--name", "p1", "--precision", "0"), "--precision 0.0: the half-width must be more than 0"),
        (("--name", "p1", "--precision", "-0.1"), "the half-width must be more than 0"),
        (("--name", "p2", "--size", "5", "--strata", "model,colour"), "--strata 'colour': not model, language"),
        (("--name", "p2", "--size", "5", "--strata", "behaviour"), "--strata 'behaviour': not model, language"),
        (("--name", "p2", "--size", "5", "--where", "tests=pass"), "'tests' is not model, language or a stage"),
        (("--name", "p2", "--size", "5", "--strata", "defects"), "--strata defects: no attempt of the population"),
        (("--name", "p2", "--size", "5", "--gold", "0.9"), "--gold 0.9: needs 45 adjudicated attempts"),
        (("--name", "p2", "--size", "5", "--overlap", "0.5"), "an overlap needs at least two --reviewers"),
        (("--name", "p2", "--size", "0"), "--size 0: a plan draws at least 1 attempt"),
        (("--name", "p9", "--precision", "0.1"), "no plan named 'p9'"),
    ],
)
def test_bad_plan_input_is_one_line_exit_2_and_nothing_written(
    study: Path, capsys: pytest.CaptureFixture[str], options: tuple[str, ...], message: str
) -> None:
    assert _plan_cli(study, "--name", "p1", "--size", "10", "--seed", "1") == 0
    capsys.readouterr()
    with Store.open(study) as store:
        before = (store.plans(), store.plan_items("p1"))
    assert _plan_cli(study, *options) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    with Store.open(study) as store:
        assert (store.plans(), store.plan_items("p1")) == before


def test_plan_alone_lists_plans_with_progress_per_reviewer(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _plan_cli(study) == 0
    assert "no plans yet" in capsys.readouterr().out
    assert _plan_cli(study, "--name", "p1", "--size", "10", "--reviewers", "ana,ben", "--seed", "2") == 0
    with Store.open(study) as store:
        first = next(i for i in store.plan_items("p1") if "ana" in i.reviewers)
        store.save_judgements([Judgement("j1", first.attempt_id, "ana", "overall", Label.FAIL)])
    capsys.readouterr()
    assert _plan_cli(study) == 0
    out = capsys.readouterr().out
    assert "p1: 1 of 10 labelled" in out
    assert "ana: 1 of 5" in out and "ben: 0 of 5" in out


# ---------------------------------------------------------------------- plan lines in and out, merge
def test_plan_lines_round_trip_through_export_and_import(study: Path, tmp_path: Path) -> None:
    items = _draw(study, strata=("model", "overall"), reviewers=("ana", "ben"), overlap=0.2, gold=0.1, size=27)
    with Store.open(study) as store:
        lines = export_text(store, "plans", "jsonl")
        csv_text = export_text(store, "plans", "csv")
        strata = store.plan_strata("p1")
    first = json.loads(lines.splitlines()[0])
    assert list(first) == ["plan", "attempt_id", "stratum", "inclusion_probability", "position", "reviewers", "gold"]
    assert csv_text.splitlines()[0] == "plan,attempt_id,stratum,inclusion_probability,position,reviewers,gold"
    assert len(csv_text.splitlines()) == len(items) + 1
    copy = tmp_path / "copy.db"
    with Store.open(copy, create=True) as store, Store.open(study, readonly=True) as source:
        store.add_tasks(list(source.tasks().values()))
        store.add_attempts(source.attempts())
    (tmp_path / "plans.jsonl").write_text(lines, encoding="utf-8")
    with Store.open(copy) as store:
        report = import_into(store, tmp_path / "plans.jsonl")
        assert report.complete and report.imported == len(items)
        assert store.plan_items("p1") == items
        assert store.plan_strata("p1") == strata  # N_h from n_h / inclusion probability
        again = import_into(store, tmp_path / "plans.jsonl")
        assert again.imported == 0 and again.unchanged == len(items)


def test_a_plan_naming_attempts_not_in_the_session_is_one_error_and_not_written(study: Path, tmp_path: Path) -> None:
    items = _draw(study, size=5)
    with Store.open(study) as store:
        lines = export_text(store, "plans", "jsonl").splitlines()
    lines.append(
        json.dumps(
            {
                "plan": "p1",
                "attempt_id": "ghost",
                "stratum": "all",
                "inclusion_probability": items[0].inclusion_probability,
                "position": 6,
                "reviewers": [],
                "gold": False,
            }
        )
    )
    lines.append(
        json.dumps(
            {
                "plan": "p2",
                "attempt_id": items[0].attempt_id,
                "stratum": "all",
                "inclusion_probability": 0.5,
                "position": 1,
                "reviewers": [],
                "gold": False,
            }
        )
    )
    source = tmp_path / "plans.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "other.db"
    shutil.copy(study, target)
    with Store.open(target) as store:
        with store._transaction() as conn:  # a session from before plans: the tables emptied under the store
            conn.execute("DELETE FROM plan_items")
            conn.execute("DELETE FROM plan_strata")
            conn.execute("DELETE FROM plan_population")
            conn.execute("DELETE FROM plans")
        report = import_into(store, source)
        assert len(report.errors) == 1
        assert "plan 'p1' names attempts that are not in the session: ghost" in report.errors[0]
        assert [p.name for p in store.plans()] == ["p2"]  # the other plan is whole and went in
        assert store.plan_items("p1") == []


def test_merge_carries_plans_and_repeating_it_changes_nothing(study: Path, tmp_path: Path) -> None:
    items = _draw(study, strata=("model",), reviewers=("ana", "ben"), size=12)
    target = tmp_path / "target.db"
    with Store.open(target, create=True) as store, Store.open(study, readonly=True) as source:
        first = merge_into(store, source)
        second = merge_into(store, source)
        assert first.plans == 1 and second.total == 0 and second.plan_conflicts == ()
        assert store.plan_items("p1") == items
        assert store.plan_population("p1") == source.plan_population("p1")
        assert store.plan_strata("p1") == source.plan_strata("p1")


def test_merge_of_a_copy_taken_before_a_reverify_keeps_the_newer_run(study: Path, tmp_path: Path) -> None:
    reviewer_copy = tmp_path / "ana.db"
    shutil.copy(study, reviewer_copy)
    with Store.open(study) as store:  # the lead re-runs the pipeline after handing out the copy
        store.save_verdicts([Verdict("m1-t00", "overall", Outcome.ERROR, pipeline_version="v2")])
        assert store.current_verdicts()[("m1-t00", "overall")].pipeline_version == "v2"
    with Store.open(reviewer_copy) as store:
        store.save_judgements([Judgement("j1", "m1-t00", "ana", "overall", Label.PASS)])
    with Store.open(study) as store, Store.open(reviewer_copy, readonly=True) as source:
        merge_into(store, source)
        assert store.current_verdicts()[("m1-t00", "overall")].pipeline_version == "v2"
        assert [j.judgement_id for j in store.judgements()] == ["j1"]


# ---------------------------------------------------------------------- review --plan
def test_review_with_a_plan_walks_this_reviewers_assignments_in_plan_order(study: Path) -> None:
    items = _draw(study, size=18, reviewers=("ana", "ben"), overlap=0.25, gold=0.1, strata=("model",))
    mine = sorted((i for i in items if "ana" in i.reviewers), key=lambda i: i.position)
    outside = next(a for a in (f"m3-t{k:02d}" for k in range(40)) if a not in {i.attempt_id for i in items})
    with Store.open(study) as store:
        store.save_judgements([Judgement("j-outside", outside, "ana", "overall", Label.PASS)])
        session = ReviewSession.open(store, "ana", "blind", plan="p1")
        assert session.order == [i.attempt_id for i in mine]
        assert any(i.gold for i in mine)  # gold items are walked like any other
        assert session.plan_progress == f"plan p1: 0 of {len(mine)}"  # a label outside the plan does not count
        first, second = session.order[:2]
        session.save(FormState().mark(Label.PASS, False), session.load(first), "2026-12-01T00:00:00Z")
        assert session.plan_progress == f"plan p1: 1 of {len(mine)}"
        assert session.walk.after_save(first, session.judged) == second


def test_review_with_an_unknown_plan_or_no_assignment_is_a_clear_error(study: Path) -> None:
    _draw(study, size=6, reviewers=("ana",))
    assert main(["review", str(study), "--plan", "nope", "--reviewer", "ana"]) == 2
    assert main(["review", str(study), "--plan", "p1", "--reviewer", "zed"]) == 2


def test_the_attempt_frame_reads_each_attempts_strata_as_the_store_has_them(tmp_path: Path) -> None:
    """AttemptFrame.load reads models, languages and the six fields' counted outcomes as columns (the queue's
    read, outcomes packed); an extra stage by name. Each attempt's values equal what the store says of it one
    attempt at a time, whatever the import order, with outcomes beyond pass and fail and attempts without a
    verdict among them."""
    from bare_tui.plans import AttemptFrame

    path = tmp_path / "frame.db"
    rng = np.random.default_rng(11)
    outcomes = (Outcome.PASS, Outcome.FAIL, Outcome.ERROR, Outcome.SKIPPED)
    with Store.open(path, create=True) as store:
        store.add_tasks(
            [Task(f"t{k}", LANGUAGES[k % 2], f"f{k}.{'py' if k % 2 == 0 else 'go'}", "x\n") for k in range(9)]
        )
        # ids out of import order, so that the frame's order (by id) is not the session's
        store.add_attempts([Attempt(f"a{(7 * k) % 25:02d}", f"t{k % 9}", MODELS[k % 3], "y\n") for k in range(25)])
        verdicts = []
        for k in range(25):
            for stage in ("overall", "defects", "tests"):
                if rng.random() < 0.8:
                    outcome = outcomes[int(rng.integers(len(outcomes)))]
                    verdicts.append(Verdict(f"a{k:02d}", stage, outcome, pipeline_version="v1", source="ext"))
        store.save_verdicts(verdicts)
        names = ["model", "language", "overall", "defects", "tests"]
        frame = AttemptFrame.load(store, names)
        groups = {g.attempt_id: g for g in store.attempt_groups()}
        expected = {
            "model": {a: g.model for a, g in groups.items()},
            "language": {a: g.language for a, g in groups.items()},
        }
        for stage in ("overall", "defects", "tests"):
            expected[stage] = store.current_stage_outcomes(stage)
    assert frame.attempt_ids == sorted(groups)
    for name in names:
        shown = [frame.value(name, row) for row in range(len(frame.attempt_ids))]
        assert shown == [expected[name].get(a, "none") for a in frame.attempt_ids], name
        assert frame.values[name] == sorted(set(shown))
