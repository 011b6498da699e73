"""The statistics read from a session the light way (load_session: SQLite counts the population, only labelled
attempts are lined up) give exactly the rows of the in-memory path (prepare over every record), on random
sessions: extra stages, two and three verdict sources, re-verified runs, superseded and withdrawn labels,
adjudications and plans."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bare_tui.calibration import (
    GROUPINGS,
    Options,
    calibration_rows,
    labelled_sample_kind,
    load_input,
    load_plan,
    load_plan_in_memory,
    load_session,
    plan_rows,
    prepare,
)
from bare_tui.model import (
    FIELDS,
    Adjudication,
    Attempt,
    Judgement,
    Label,
    Outcome,
    PlanItem,
    PlanRecord,
    PlanStratum,
    ReasonCode,
    Task,
    Verdict,
)
from bare_tui.store import Store

STAGES = (*FIELDS, "tests", "lint")
TIMES = ("2026-11-21T10:00:00Z", "2026-11-21T10:00:01Z", "2026-11-21T10:00:02Z")
ATTEMPTS = tuple(f"a-{n}" for n in range(1, 8))
REVIEWERS = ("ana", "ben", "cy")
SOURCES = ("bare-tui", "ext", "ci")
OPTIONS = Options(by=GROUPINGS, replicates=5, precision=0.2)

verdict_specs = st.lists(
    st.tuples(
        st.sampled_from(ATTEMPTS),
        st.sampled_from(STAGES),
        st.sampled_from(SOURCES),
        # "" names the run by its source, so ("ci", "ext") and ("ext", "") are one run called ext
        st.sampled_from(("v1", "v2", "", "ext")),
        st.sampled_from(list(Outcome)),
        st.sampled_from(TIMES),
        st.one_of(st.none(), st.floats(-1, 1, allow_nan=False), st.just(float("inf"))),
    ),
    max_size=60,
)
# whole runs: all five stages of an attempt at once, as verify and pipelines write them, so that overall is
# derived from the five where no overall verdict was given
run_specs = st.lists(
    st.tuples(
        st.sampled_from(ATTEMPTS),
        st.sampled_from(SOURCES),
        st.sampled_from(("v1", "v2", "", "ext")),
        st.lists(st.sampled_from(list(Outcome)), min_size=5, max_size=5),
        st.sampled_from(TIMES),
    ),
    max_size=8,
)
judgement_specs = st.lists(
    st.tuples(
        st.sampled_from(ATTEMPTS),
        st.sampled_from(REVIEWERS),
        st.sampled_from(STAGES),
        st.sampled_from(list(Label)),
        st.sampled_from(TIMES),
        st.booleans(),
        st.booleans(),
        st.booleans(),
    ),
    max_size=40,
)
adjudication_specs = st.lists(
    st.tuples(st.sampled_from(ATTEMPTS), st.sampled_from(STAGES), st.sampled_from(list(Label))), max_size=4
)
plan_specs = st.one_of(
    st.none(),
    st.tuples(
        # each attempt: left out, sampled (from its stratum of the population), or a gold item
        st.lists(st.sampled_from(("out", "in", "gold")), min_size=len(ATTEMPTS), max_size=len(ATTEMPTS)),
        # the population: each attempt's stratum or none, and whether an attempt the session lacks is listed
        st.lists(st.sampled_from(("out", "s1", "s2")), min_size=len(ATTEMPTS), max_size=len(ATTEMPTS)),
        st.booleans(),
    ),
)


def build(store: Store, verdicts: list[Any], judgements: list[Any], adjudications: list[Any], plan: Any) -> None:
    store.add_tasks(
        [Task("t-1", "python", "a.py", "x = 1\n"), Task("t-2", "go", "b.go", "x := 1\n"), Task("t-3", "c", "c.c", "")]
    )
    store.add_attempts([Attempt(a, f"t-{n % 3 + 1}", f"m{n % 2}", "x = 2\n") for n, a in enumerate(ATTEMPTS)])
    seen: set[tuple[str, str, str, str]] = set()
    for attempt_id, stage, source, version, outcome, created_at, score in verdicts:
        if (attempt_id, stage, source, version) not in seen:  # one verdict per run: each written on its own,
            seen.add((attempt_id, stage, source, version))  # as runs are, so that the written order varies
            store.save_verdicts(
                [Verdict(attempt_id, stage, outcome, score, (), version, source, created_at=created_at)]
            )
    latest: dict[tuple[str, str, str], str] = {}
    for n, (attempt_id, reviewer, stage, label, saved_at, supersede, retract, saw) in enumerate(judgements):
        key = (attempt_id, reviewer, stage)
        previous = latest.get(key) if supersede else None
        store.save_judgements(
            [
                Judgement(
                    f"j{n}",
                    attempt_id,
                    reviewer,
                    stage,
                    label,
                    saw_verdicts=saw,
                    opened_at=TIMES[0],
                    saved_at=saved_at,
                    supersedes=previous,
                    retracted=retract and previous is not None,
                )
            ]
        )
        latest[key] = f"j{n}"
    for n, (attempt_id, stage, label) in enumerate(adjudications):
        store.save_adjudication(
            Adjudication(f"d{n}", attempt_id, stage, "aud", label, ReasonCode.OTHER, "", TIMES[n % 3])
        )
    if plan is not None:
        sampled, members, stranger = plan
        # a sampled attempt is drawn from its stratum of the population; a gold item is in no stratum
        items = [
            PlanItem(
                "p",
                a,
                "gold" if kind == "gold" else member,
                None if kind == "gold" else 0.5,
                n + 1,
                ("ana",),
                kind == "gold",
            )
            for n, (a, kind, member) in enumerate(zip(ATTEMPTS, sampled, members))
            if kind == "gold" or (kind == "in" and member != "out")
        ]
        population = [(a, stratum) for a, stratum in zip(ATTEMPTS, members) if stratum != "out"]
        population += [("a-gone", "s1")] if stranger else []
        strata = [
            PlanStratum(
                "p", s, sum(1 for _, m in population if m == s), sum(1 for i in items if i.stratum == s and not i.gold)
            )
            for s in ("s1", "s2")
        ]
        store.save_plan(PlanRecord("p", {}, TIMES[0], len(items)), strata, items, population)


def session_of(verdicts: list[Any], judgements: list[Any], adjudications: list[Any], plan: Any) -> tuple[Any, Path]:
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / "s.db"
    with Store.open(path, create=True) as store:
        build(store, verdicts, judgements, adjudications, plan)
    return folder, path


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verdict_specs, run_specs, judgement_specs, adjudication_specs, plan_specs)
def test_light_read_gives_the_in_memory_rows(
    verdicts: list[Any], runs: list[Any], judgements: list[Any], adjudications: list[Any], plan: Any
) -> None:
    whole = [
        (attempt_id, stage, source, version, outcome, created_at, None)
        for attempt_id, source, version, outcomes, created_at in runs
        for stage, outcome in zip(FIELDS, outcomes)
    ]
    folder, path = session_of(whole + verdicts, judgements, adjudications, plan)
    with folder, Store.open(path, readonly=True) as store:
        for source in (None, "bare-tui", "ext"):  # ci stays in the sessions, a third source
            for versions in (False, True):
                options = OPTIONS if versions else Options(by=("model", "language", "anchoring"), replicates=5)
                reference = prepare(load_input(store, source=source, versions=versions))
                # with the plan, its population is counted in the same pass as the session's
                light = load_session(store, source=source, versions=versions, plan="p" if plan else None)
                assert light.stage_names == reference.stage_names
                assert light.scored_stages == reference.scored_stages
                assert calibration_rows(light, options) == calibration_rows(reference, options), (source, versions)
                if plan is not None:
                    weighed = Options(by=("model", "language"), replicates=5, precision=0.2)
                    light_design = load_plan(store, "p", light, source)
                    counted_apart = load_plan(store, "p", replace(light, plan_counts=None), source)
                    reference_design = load_plan_in_memory(store, "p", reference)
                    assert light_design.sampled == reference_design.sampled
                    assert light_design.population_size == counted_apart.population_size
                    expected = plan_rows(reference, reference_design, weighed)
                    assert plan_rows(light, light_design, weighed) == expected
                    assert plan_rows(light, counted_apart, weighed) == expected
        assert labelled_sample_kind(store) == labelled_sample_kind_by_hand(store)
        columns = store.label_columns_in_force()
        rows = list(zip(columns.attempt_ids, columns.reviewers, columns.stages, columns.labels, columns.saw_verdicts))
        assert rows == [tuple(row) for row in store.current_label_rows()]


def labelled_sample_kind_by_hand(store: Store) -> str:
    """The sentence as the release before the light read wrote it, from every attempt in import order."""
    order = {attempt_id: i for i, (attempt_id, _, _) in enumerate(store.attempt_groups())}
    labelled = sorted({order[row[0]] for row in store.current_label_rows() if row[0] in order})
    adjudicated = {a.attempt_id for a in store.adjudications(current_only=True)}
    total, count = len(order), len(labelled)
    base = "Without a plan these figures describe the labelled attempts only, not the session's population."
    if count == 0:
        return base + " No attempt is labelled yet."
    if count == total:
        return "Every attempt of the session is labelled: the figures describe the whole session."
    notes = []
    if labelled[-1] < count + max(2, count // 10):
        notes.append(f"the {count} labelled attempts are the first in import order (a prefix), not a random sample")
    if adjudicated:
        notes.append(f"{len(adjudicated)} attempts were settled from the audit list, which over-represents disputes")
    if not notes:
        notes.append(f"the {count} labelled attempts of {total} are not known to be a random sample")
    return base + " Warning: " + "; ".join(notes) + ". Draw a plan (`bare-tui plan`) and use `stats --plan`."


def test_more_stages_than_one_packed_word_holds(tmp_path: Path) -> None:
    """Forty extra stages: the population counts pack two bits per stage, 31 stages to an integer, so stage
    31 and later live in a second word; every stage's pass rate still matches the in-memory count."""
    extra = [f"x{n:02d}" for n in range(40)]
    verdicts, judgements = [], []
    for n, attempt_id in enumerate(ATTEMPTS):
        # attempt n fails stage n of the five (attempts 5 and 6 pass them all); the extra stages cycle
        # through pass, fail and error
        for s, stage in enumerate(FIELDS[:-1]):
            verdicts.append((attempt_id, stage, "ext", "", Outcome("fail" if n == s else "pass"), TIMES[0], None))
        for s, stage in enumerate(extra):
            outcome = ("pass", "fail", "error")[(n + s) % 3]
            verdicts.append((attempt_id, stage, "ext", "", Outcome(outcome), TIMES[0], None))
        judgements.append((attempt_id, "ana", extra[-1], Label.PASS, TIMES[0], False, False, False))
    folder, path = session_of(verdicts, judgements, [], None)
    with folder, Store.open(path, readonly=True) as store:
        light, reference = load_session(store), prepare(load_input(store))
        options = Options(by=("model",), replicates=0)
        rows = calibration_rows(light, options)
        assert rows == calibration_rows(reference, options)
    rates = {r.stage: (r.n, r.value) for r in rows if r.metric == "auto_pass_rate" and r.group_by == "all"}
    for s, stage in enumerate(extra):
        outcomes = [(n + s) % 3 for n in range(len(ATTEMPTS))]
        decided = sum(1 for o in outcomes if o < 2)
        assert rates[stage] == (decided, outcomes.count(0) / decided), stage
    # no overall verdict: overall is derived for every attempt, a pass for the two that passed all five
    assert rates["overall"] == (len(ATTEMPTS), 2 / len(ATTEMPTS))


def test_groups_computed_side_by_side_give_the_rows_of_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each group's resampling seeds its own generator, so threads change nothing in the rows."""
    import bare_tui.calibration as calibration

    verdicts = [
        (a, stage, "ext", "", Outcome(("pass", "fail")[(n * 7 + s) % 3 % 2]), TIMES[0], float(n) if s == 4 else None)
        for n, a in enumerate(ATTEMPTS)
        for s, stage in enumerate(FIELDS)
    ]
    judgements = [
        (a, reviewer, stage, (Label.PASS, Label.FAIL)[(n + r + s) % 2], TIMES[0], False, False, bool(n % 2))
        for n, a in enumerate(ATTEMPTS)
        for r, reviewer in enumerate(REVIEWERS[: 1 + n % 3])
        for s, stage in enumerate(FIELDS)
    ]
    folder, path = session_of(verdicts, judgements, [], None)
    options = Options(by=("model", "language", "anchoring"), replicates=300)
    with folder, Store.open(path, readonly=True) as store:
        session = load_session(store)
        monkeypatch.setattr(calibration, "FIGURE_THREADS", 4)
        monkeypatch.setattr(calibration, "FIGURE_THREAD_WORK", 0)  # threads however small the work
        threaded = calibration_rows(session, options)
        monkeypatch.setattr(calibration, "FIGURE_THREADS", 1)
        assert calibration_rows(session, options) == threaded
    assert any(r.metric == "cohen_kappa" and r.ci_low is not None for r in threaded)  # resampled intervals compared
