"""Review plans, headless: draw, extend, list, exchange and read back a seeded stratified sample of attempts.

A plan (DESIGN.md "Review plans") is a recorded probability sample: which attempts people label, in which
order, by whom, and with which inclusion probability, so that every figure can be weighted back to the
population it was drawn from.

How a plan is drawn (`draw_plan`):

- population: every attempt of the session, or those `--where` keeps (`model=x,language=c,syntax=fail`:
  conditions joined by commas, all must hold; a stage condition reads the verdict that counts, with `none`
  for an attempt without one).
- strata: the combinations of the attributes named (`model`, `language`, a stage name: the pipeline's outcome
  of that stage, pass/fail/error/skipped/none), written `model=m|language=c|overall=pass`; no attributes:
  one stratum, `all`. Each attempt's stratum is kept as drawn (the population table), so a re-verify does
  not move attempts between strata.
- allocation of the sample size n over strata: `proportional` (n_h ∝ N_h), `neyman` (n_h ∝ N_h S_h with
  S_h = sqrt(p_h (1 - p_h)), p_h the pipeline's pass rate in the stratum of the first stage named in the
  strata, else of `overall`, held inside [PRIOR_FLOOR, 1 - PRIOR_FLOOR] so no stratum has a zero prior)
  or `equal`. Every non-empty stratum gets at least one attempt when n allows, never more than it holds;
  what a cap or a minimum frees or takes is shared among the other strata by the same rule, and the
  rounding is by largest remainder.
- within each stratum, simple random sampling without replacement from its attempts sorted by id, with a
  numpy Generator seeded by the plan's seed: the same seed draws the same plan in every copy of a session.
  Inclusion probability n_h / N_h.
- overlap: that share of the drawn attempts goes to two reviewers (pairs taken in turn), the rest to one
  (the least loaded), so inter-rater figures have a random subsample to work on.
- gold items: adjudicated attempts not drawn, added so that they make up the share asked of all items,
  one reviewer each in turn; marked gold in the store (never on the review screen), no inclusion
  probability, never counted in the study's figures.
- positions: every item's place in the review order, a seeded shuffle, from 1.

`precision_needs` says how many labels each stratum (and the whole population estimate) needs for a
normal-approximation 95% interval of half-width H on the human pass rate, with the pipeline's pass rate as
the prior (floored as above) and the finite-population correction; `extend_plan` draws the missing attempts
from the same strata, and every item's inclusion probability becomes its stratum's new n_h / N_h (SRS
without replacement followed by SRS from the rest is SRS of the combined size).

For the estimators: `PlanDesign.load(store, name)` gives, per stratum, N_h, n_h and the drawn attempts
with their weights (N_h / n_h), the gold items apart, and the population's attempts per stratum.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from .model import FIELD_INDEX, FIELDS, PLAN_LINE_KEYS, PlanItem, PlanRecord, PlanStratum
from .queue import NO_OUTCOME, OUTCOME_CHOICES
from .store import FIELD_OUTCOME_BITS, FIELD_OUTCOME_NAMES, FIELD_OUTCOME_OTHER, SessionError, Store, utc_now

ALLOCATIONS: tuple[str, ...] = ("proportional", "neyman", "equal")
ATTRIBUTES: tuple[str, ...] = ("model", "language")
PRIOR_FLOOR = 0.1
"""The least pass (and fail) rate a prior assumes in any stratum: the pipeline is taken to be wrong at least
this often, so a stratum the pipeline calls all pass (or all fail) still has a spread to sample for."""
Z_95 = 1.959963984540054
ALL = "all"
PRECISION_FIELD = "overall"
"""The human label whose pass rate --precision sizes the plan for."""


class PlanError(ValueError):
    """Bad plan input; the message is one line a user can act on. Nothing has been written."""


# ---------------------------------------------------------------------- the plan asked for
@dataclass(frozen=True)
class PlanSpec:
    """What `bare-tui plan` was asked for."""

    name: str
    size: int
    strata: tuple[str, ...] = ()
    allocation: str = "proportional"
    overlap: float = 0.0
    reviewers: tuple[str, ...] = ()
    gold: float = 0.0
    where: str = ""
    seed: int = 0

    def definition(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "strata": list(self.strata),
            "allocation": self.allocation,
            "overlap": self.overlap,
            "reviewers": list(self.reviewers),
            "gold": self.gold,
            "where": self.where,
            "seed": self.seed,
            "prior_floor": PRIOR_FLOOR,
            "extensions": [],
        }


def parse_where(text: str, stages: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`model=x,language=c,syntax=fail` as (attribute, value) conditions, all of which must hold."""
    known = tuple(stages)
    conditions = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key or not value:
            raise PlanError(f"--where {part!r}: write a condition as name=value, e.g. model=x or syntax=fail")
        if key in known:
            value = value.lower()
            if value not in OUTCOME_CHOICES:
                raise PlanError(f"--where {part!r}: {value!r} is not an outcome (one of {', '.join(OUTCOME_CHOICES)})")
        elif key not in ATTRIBUTES:
            raise PlanError(f"--where {part!r}: {key!r} is not model, language or a stage ({', '.join(known)})")
        conditions.append((key, value))
    return tuple(conditions)


def check_strata(names: Sequence[str], stages: Iterable[str]) -> tuple[str, ...]:
    known = tuple(stages)
    seen: list[str] = []
    for name in names:
        if name not in ATTRIBUTES and name not in known:
            raise PlanError(f"--strata {name!r}: not model, language or a stage ({', '.join(known)})")
        if name in seen:
            raise PlanError(f"--strata {name!r}: named twice")
        seen.append(name)
    return tuple(seen)


def known_stages(store: Store) -> tuple[str, ...]:
    """The five stages, overall, and any stage an external pipeline brought."""
    extra = sorted(set(store.verdict_stages()) - set(FIELDS))
    return FIELDS + tuple(extra)


# ---------------------------------------------------------------------- the attempts a plan draws from
@dataclass
class AttemptFrame:
    """Every attempt of the session sorted by id, with the attributes plans stratify and filter by, each as
    codes (one per attempt) into its sorted distinct values."""

    attempt_ids: list[str]
    codes: dict[str, np.ndarray]  # attribute or stage -> code per attempt
    values: dict[str, list[str]]  # attribute or stage -> its distinct values, sorted

    @classmethod
    def load(cls, store: Store, attributes: Iterable[str]) -> AttemptFrame:
        """The attempts in attempt-id order (a seed draws the same attempts whatever the import order), from the
        queue's columnar read (Store.attempt_columns: models and tasks as codes, the six fields' counted outcomes
        packed), so that no Python object is made per attempt beyond its id. At BARE scale a plan's draw read
        every attempt as a (id, model, language) tuple and one stage's verdicts as a dictionary: 1.6 s of its
        2.2 s of CPU. An extra stage, or a field holding an outcome outside Outcome, is read by name as before."""
        columns = store.attempt_columns()
        ids = columns.attempt_ids
        order = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.intp)
        frame = cls([ids[i] for i in order.tolist()], {}, {})
        for name in dict.fromkeys(attributes):
            if name == "model":
                frame.codes[name], frame.values[name] = _recoded(columns.model[order], columns.models)
                continue
            if name == "language":
                languages = [columns.tasks[task].language for task in columns.task_ids]
                frame.codes[name], frame.values[name] = _recoded(columns.task[order], languages)
                continue
            if name in FIELD_INDEX:
                packed = (
                    columns.field_outcomes[order] >> (FIELD_OUTCOME_BITS * FIELD_INDEX[name])
                ) & FIELD_OUTCOME_OTHER
                if not (packed == FIELD_OUTCOME_OTHER).any():
                    frame.codes[name], frame.values[name] = _recoded(packed, [NO_OUTCOME, *FIELD_OUTCOME_NAMES])
                    continue
            outcomes = store.current_stage_outcomes(name)
            frame.codes[name], frame.values[name] = _codes([outcomes.get(ids[i], NO_OUTCOME) for i in order.tolist()])
        return frame

    def value(self, name: str, row: int) -> str:
        return self.values[name][self.codes[name][row]]

    def matching(self, name: str, value: str) -> np.ndarray:
        """Which attempts have this value (all False when none has it)."""
        values = self.values[name]
        if value not in values:
            return np.zeros(len(self.attempt_ids), dtype=bool)
        return self.codes[name] == values.index(value)

    def mask(self, conditions: Sequence[tuple[str, str]]) -> np.ndarray:
        keep = np.ones(len(self.attempt_ids), dtype=bool)
        for key, value in conditions:
            names = self.values[key]
            if value not in names:
                choices = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
                raise PlanError(f"--where {key}={value}: no attempt has it ({key}: {choices or 'none'})")
            keep &= self.matching(key, value)
        return keep

    def strata(self, names: Sequence[str], keep: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The stratum of each kept attempt (codes into the returned keys, sorted), from the attributes named."""
        count = int(keep.sum())
        if not names:
            return np.zeros(count, dtype=np.intp), [ALL]
        combined = np.zeros(count, dtype=np.int64)
        parts: list[list[str]] = []
        for name in names:
            values = self.values[name]
            combined = combined * len(values) + self.codes[name][keep]
            parts.append([f"{name}={v}" for v in values])
        present, inverse = np.unique(combined, return_inverse=True)
        keys = []
        for value in present.tolist():
            pieces = []
            for labels in reversed(parts):
                value, code = divmod(value, len(labels))
                pieces.append(labels[code])
            keys.append("|".join(reversed(pieces)))
        order = np.argsort(np.array(keys, dtype=object), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[inverse.reshape(-1)], [keys[i] for i in order.tolist()]


def _recoded(codes: np.ndarray, values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """_codes of the values these codes stand for (values[code]; a value may stand for several codes), from the
    codes alone: the distinct values that occur, sorted, and each code's place among them."""
    present = np.unique(codes).tolist()
    names = sorted({values[code] for code in present})
    place = {name: k for k, name in enumerate(names)}
    table = np.zeros(max(len(values), 1), np.intp)
    table[present] = [place[values[code]] for code in present]
    return table[codes], names


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's code into the sorted distinct values (dict and map run in C: np.unique on strings sorts
    all 243,732 of them, 20x slower)."""
    names = sorted(dict.fromkeys(values))
    code = {name: k for k, name in enumerate(names)}
    return np.fromiter(map(code.__getitem__, values), np.intp, len(values)), names


# ---------------------------------------------------------------------- allocation
def allocate(total: int, weights: Sequence[float], capacity: Sequence[int]) -> list[int]:
    """Share `total` over strata in proportion to `weights`, each between its minimum and its capacity.

    The minimum is 1 for every non-empty stratum when the total covers them all, else 0. A stratum whose
    share would pass its capacity is fixed there, one under its minimum is fixed at it, and the rest is
    shared again among the others; the last step rounds by largest remainder (ties to the earlier stratum).
    """
    caps = [int(c) for c in capacity]
    if total > sum(caps):
        raise PlanError(f"a sample of {total} is larger than the population of {sum(caps)}")
    non_empty = [h for h, c in enumerate(caps) if c > 0]
    least = 1 if total >= len(non_empty) else 0
    fixed: dict[int, int] = {h: 0 for h, c in enumerate(caps) if c == 0}
    while True:
        free = [h for h in range(len(caps)) if h not in fixed]
        left = total - sum(fixed.values())
        mass = sum(weights[h] for h in free)
        ideal = {h: (left * weights[h] / mass if mass > 0 else left / len(free)) for h in free}
        over = [h for h in free if ideal[h] > caps[h]]
        under = [h for h in free if ideal[h] < least]
        if over:
            fixed.update({h: caps[h] for h in over})
        elif under:
            fixed.update({h: least for h in under})
        else:
            break
    shares = dict(fixed)
    floors = {h: min(caps[h], math.floor(ideal[h])) for h in free}
    shares.update(floors)
    remainder = total - sum(shares.values())
    by_fraction = sorted(free, key=lambda h: (-(ideal[h] - floors[h]), h))
    for h in by_fraction:
        if remainder == 0:
            break
        if shares[h] < caps[h]:
            shares[h] += 1
            remainder -= 1
    return [shares[h] for h in range(len(caps))]


def prior_pass_rates(passes: Sequence[int], judged: Sequence[int]) -> list[float]:
    """Each stratum's prior pass rate: the pipeline's, or the whole population's where a stratum has no
    pass/fail verdicts, held inside [PRIOR_FLOOR, 1 - PRIOR_FLOOR]."""
    overall = sum(passes) / sum(judged) if sum(judged) else 0.5
    return [min(max(p / j if j else overall, PRIOR_FLOOR), 1 - PRIOR_FLOOR) for p, j in zip(passes, judged)]


def allocation_weights(allocation: str, sizes: Sequence[int], priors: Sequence[float]) -> list[float]:
    if allocation == "proportional":
        return [float(n) for n in sizes]
    if allocation == "neyman":
        return [n * math.sqrt(p * (1 - p)) for n, p in zip(sizes, priors)]
    if allocation == "equal":
        return [1.0 if n else 0.0 for n in sizes]
    raise PlanError(f"--allocation {allocation!r}: one of {', '.join(ALLOCATIONS)}")


# ---------------------------------------------------------------------- drawing
@dataclass(frozen=True)
class DrawnPlan:
    """A plan ready to save: the record, strata, items and population, all as the store keeps them."""

    record: PlanRecord
    strata: list[PlanStratum]
    items: list[PlanItem]
    population: list[tuple[str, str]]


def prior_stage(strata: Sequence[str], stages: Iterable[str]) -> str:
    known = set(stages)
    return next((name for name in strata if name in known), "overall")


def draw_plan(store: Store, spec: PlanSpec) -> DrawnPlan:
    """Draw a plan from the session (nothing is written; `save_drawn` stores it)."""
    if not spec.name.strip():
        raise PlanError("--name: give the plan a name")
    if store.plan(spec.name) is not None:
        raise PlanError(f"a plan named {spec.name!r} exists in {store.path}; choose another name")
    if spec.size < 1:
        raise PlanError(f"--size {spec.size}: a plan draws at least 1 attempt")
    if spec.allocation not in ALLOCATIONS:
        raise PlanError(f"--allocation {spec.allocation!r}: one of {', '.join(ALLOCATIONS)}")
    _check_share("--overlap", spec.overlap, inclusive=True)
    _check_share("--gold", spec.gold, inclusive=False)
    reviewers = tuple(dict.fromkeys(r for r in spec.reviewers if r))
    if spec.overlap > 0 and len(reviewers) < 2:
        raise PlanError(f"--overlap {spec.overlap}: an overlap needs at least two --reviewers")
    stages = known_stages(store)
    strata_names = check_strata(spec.strata, stages)
    conditions = parse_where(spec.where, stages)
    prior = prior_stage(strata_names, stages)
    frame = AttemptFrame.load(store, [*strata_names, *(k for k, _ in conditions), prior])
    if not frame.attempt_ids:
        raise PlanError(f"{store.path}: the session has no attempts to plan; import some first")
    keep = frame.mask(conditions)
    for name in strata_names:
        if name not in ATTRIBUTES and not (keep & ~frame.matching(name, NO_OUTCOME)).any():
            article = "an" if name[:1] in "aeiou" else "a"
            raise PlanError(f"--strata {name}: no attempt of the population has {article} {name} verdict (run verify)")
    population_size = int(keep.sum())
    if population_size == 0:
        raise PlanError(f"--where {spec.where}: no attempt matches all the conditions")
    if spec.size > population_size:
        raise PlanError(f"--size {spec.size} is larger than the population of {population_size} attempts")
    stratum_of, keys = frame.strata(strata_names, keep)
    everyone = population_size == len(frame.attempt_ids)
    ids = frame.attempt_ids if everyone else [frame.attempt_ids[i] for i in np.flatnonzero(keep).tolist()]
    sizes = np.bincount(stratum_of, minlength=len(keys)).tolist()
    passed = frame.matching(prior, "pass")[keep]
    passes = np.bincount(stratum_of, weights=passed, minlength=len(keys))
    judged = np.bincount(stratum_of, weights=passed | frame.matching(prior, "fail")[keep], minlength=len(keys))
    priors = prior_pass_rates(passes.astype(int).tolist(), judged.astype(int).tolist())
    drawn = allocate(spec.size, allocation_weights(spec.allocation, sizes, priors), sizes)

    rng = np.random.default_rng(spec.seed)
    members = _members(stratum_of, len(keys))
    chosen: list[tuple[str, int]] = []
    for h, n in enumerate(drawn):
        for index in rng.choice(members[h], size=n, replace=False).tolist() if n else ():
            chosen.append((ids[index], h))
    gold_ids = _gold(store, {a for a, _ in chosen}, spec.gold, len(chosen), rng)
    stratum_key = {ids[i]: keys[h] for i, h in enumerate(stratum_of.tolist())} if gold_ids else {}
    gold_keys = _gold_strata(frame, strata_names, gold_ids, stratum_key)
    items = _assemble(
        spec.name,
        [(a, keys[h], drawn[h] / sizes[h]) for a, h in chosen],
        [(a, gold_keys[a]) for a in gold_ids],
        reviewers,
        spec.overlap,
        rng,
        first_position=1,
    )
    strata = [PlanStratum(spec.name, key, sizes[h], drawn[h]) for h, key in enumerate(keys)]
    record = PlanRecord(spec.name, spec.definition(), utc_now(), len(items))
    population = list(zip(ids, map(keys.__getitem__, stratum_of.tolist())))
    return DrawnPlan(record, strata, items, population)


def save_drawn(store: Store, plan: DrawnPlan, replace: bool = False) -> None:
    population = None if replace else plan.population
    try:
        store.save_plan(plan.record, plan.strata, plan.items, population, replace=replace)
    except SessionError as exc:
        raise PlanError(str(exc)) from None


def _check_share(option: str, value: float, inclusive: bool) -> None:
    if not (0 <= value <= 1 if inclusive else 0 <= value < 1) or math.isnan(value):
        bound = "0 to 1" if inclusive else "0 up to (not including) 1"
        raise PlanError(f"{option} {value}: a share from {bound}")


def _members(stratum_of: np.ndarray, count: int) -> list[np.ndarray]:
    """Positions (into the population, which is sorted by attempt id) of each stratum's attempts, in order."""
    order = np.argsort(stratum_of, kind="stable")
    bounds = np.cumsum(np.bincount(stratum_of, minlength=count))[:-1]
    return np.split(order, bounds)


def _gold(store: Store, drawn: set[str], share: float, sample: int, rng: np.random.Generator) -> list[str]:
    """Adjudicated attempts not drawn, enough that they are `share` of all items."""
    if share <= 0:
        return []
    wanted = round(sample * share / (1 - share))
    if wanted == 0:
        return []
    candidates = sorted(store.adjudicated_attempt_ids() - drawn)
    if len(candidates) < wanted:
        raise PlanError(
            f"--gold {share}: needs {wanted} adjudicated attempts outside the sample; the session has "
            f"{len(candidates)} (settle more in `bare-tui audit`, or ask a smaller share)"
        )
    return [candidates[i] for i in rng.choice(len(candidates), size=wanted, replace=False).tolist()]


def _gold_strata(
    frame: AttemptFrame, names: Sequence[str], gold: Sequence[str], known: Mapping[str, str]
) -> dict[str, str]:
    """Each gold item's stratum label: its population stratum, else the same attributes read for it."""
    if not gold:
        return {}
    row = {a: i for i, a in enumerate(frame.attempt_ids)}
    labels = {}
    for attempt_id in gold:
        if attempt_id in known:
            labels[attempt_id] = known[attempt_id]
        elif not names:
            labels[attempt_id] = ALL
        else:
            labels[attempt_id] = "|".join(f"{n}={frame.value(n, row[attempt_id])}" for n in names)
    return labels


def _assemble(
    plan: str,
    sample: Sequence[tuple[str, str, float]],
    gold: Sequence[tuple[str, str]],
    reviewers: Sequence[str],
    overlap: float,
    rng: np.random.Generator,
    first_position: int,
    load: Counter[str] | None = None,
) -> list[PlanItem]:
    """Sample and gold items with reviewers and shuffled positions from `first_position`."""
    load = Counter({r: 0 for r in reviewers}) if load is None else load
    twice = set(rng.choice(len(sample), size=round(overlap * len(sample)), replace=False).tolist()) if sample else set()
    pairs = list(combinations(reviewers, 2))
    assigned: list[tuple[str, ...]] = [() for _ in sample]
    if reviewers:
        # overlap items first, the reviewer pairs in turn so every pair shares some; then single items to
        # whoever has least, so the loads end within one of each other
        for turn, k in enumerate(sorted(twice)):
            pair = pairs[turn % len(pairs)]
            load.update(pair)
            assigned[k] = pair
        for k in range(len(sample)):
            if k not in twice:
                one = min(reviewers, key=lambda r: (load[r], reviewers.index(r)))
                load[one] += 1
                assigned[k] = (one,)
    gold_assigned = [(reviewers[k % len(reviewers)],) if reviewers else () for k in range(len(gold))]
    positions = (rng.permutation(len(sample) + len(gold)) + first_position).tolist()
    items = [PlanItem(plan, a, stratum, p, positions[k], assigned[k]) for k, (a, stratum, p) in enumerate(sample)]
    items += [
        PlanItem(plan, a, stratum, None, positions[len(sample) + k], gold_assigned[k], gold=True)
        for k, (a, stratum) in enumerate(gold)
    ]
    return sorted(items, key=lambda i: i.position)


# ---------------------------------------------------------------------- precision and extension
@dataclass(frozen=True)
class StratumNeed:
    """Labels one stratum (or `all`) needs for the half-width asked: required, labelled so far, drawn."""

    stratum: str
    population: int
    required: int
    labelled: int
    drawn: int
    prior: float

    @property
    def labels_needed(self) -> int:
        return max(0, self.required - self.labelled)

    @property
    def to_draw(self) -> int:
        return max(0, min(self.required, self.population) - self.drawn)


def required_size(prior: float, half_width: float, population: int) -> int:
    """Labels for a 95% normal-approximation half-width on a proportion near `prior`, with the finite-
    population correction: n0 = z^2 p (1 - p) / H^2, n = n0 / (1 + (n0 - 1) / N), never above N."""
    n0 = Z_95**2 * prior * (1 - prior) / half_width**2
    if population <= 0:
        return 0
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def precision_needs(store: Store, name: str, half_width: float) -> list[StratumNeed]:
    """Per stratum, then `all` (the stratified estimate of the whole population, Neyman-allocated: n =
    (sum W_h S_h)^2 / (V + sum W_h S_h^2 / N), V = (H / z)^2): labels required, labelled so far, drawn."""
    if not half_width > 0:
        raise PlanError(f"--precision {half_width}: the half-width must be more than 0 (e.g. 0.05)")
    record = _existing(store, name)
    strata = store.plan_strata(name)
    items = [i for i in store.plan_items(name) if not i.gold]
    labelled_ids = _labelled(store, [i.attempt_id for i in items])
    priors = _stratum_priors(store, name, record)
    labelled = Counter(i.stratum for i in items if i.attempt_id in labelled_ids)
    needs = [
        StratumNeed(
            s.stratum,
            s.population,
            required_size(priors.get(s.stratum, 0.5), half_width, s.population),
            labelled[s.stratum],
            s.drawn,
            priors.get(s.stratum, 0.5),
        )
        for s in strata
    ]
    total = sum(s.population for s in strata)
    if total:
        spread = sum(s.population / total * math.sqrt(n.prior * (1 - n.prior)) for s, n in zip(strata, needs))
        within = sum(s.population / total * n.prior * (1 - n.prior) for s, n in zip(strata, needs))
        overall = math.ceil(spread**2 / ((half_width / Z_95) ** 2 + within / total))
        pooled = sum(n.prior * s.population for s, n in zip(strata, needs)) / total
        needs.append(
            StratumNeed(ALL, total, min(total, overall), sum(labelled.values()), sum(s.drawn for s in strata), pooled)
        )
    return needs


def _labelled(store: Store, attempt_ids: Sequence[str]) -> set[str]:
    """Plan attempts with a pass or fail label in force on the precision field, by anyone."""
    wanted = set(attempt_ids)
    return {
        attempt_id
        for attempt_id, _, stage, label in store.current_labels()
        if stage == PRECISION_FIELD and label in ("pass", "fail") and attempt_id in wanted
    }


def _stratum_priors(store: Store, name: str, record: PlanRecord) -> dict[str, float]:
    """The pipeline's pass rate per stratum (floored), read over the plan's population; for a plan that
    came in as lines (no population), the drawn attempts stand in."""
    population = store.plan_population(name)
    if len(population):
        ids, strata = population.attempt_ids, population.strata
    else:
        items = [i for i in store.plan_items(name) if not i.gold]
        ids, strata = [i.attempt_id for i in items], [i.stratum for i in items]
    stage = prior_stage(record.definition.get("strata", []), known_stages(store))
    outcomes = store.current_stage_outcomes(stage)
    passes: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    for attempt_id, stratum in zip(ids, strata):
        outcome = outcomes.get(attempt_id)
        if outcome in ("pass", "fail"):
            judged[stratum] += 1
            passes[stratum] += outcome == "pass"
    keys = sorted(set(strata))
    rates = prior_pass_rates([passes[k] for k in keys], [judged[k] for k in keys])
    return dict(zip(keys, rates))


def extend_plan(store: Store, name: str, half_width: float) -> tuple[DrawnPlan, int]:
    """The plan with more attempts drawn from its strata (from its recorded population) until each stratum
    holds what `half_width` requires; every item's inclusion probability is its stratum's new n_h / N_h.
    Returns the extended plan (not yet saved) and how many sample attempts were added."""
    record = _existing(store, name)
    population = store.plan_population(name)
    if not len(population):
        raise PlanError(
            f"plan {name!r} came in as plan lines, without its population; extend it in the session where it was drawn"
        )
    needs = {n.stratum: n for n in precision_needs(store, name, half_width) if n.stratum != ALL}
    items = store.plan_items(name)
    in_plan = {i.attempt_id for i in items}
    definition = dict(record.definition)
    extensions = list(definition.get("extensions", []))
    rng = np.random.default_rng([int(definition.get("seed", 0)), len(extensions) + 1])
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for attempt_id, stratum in zip(population.attempt_ids, population.strata):
        if attempt_id not in in_plan:
            by_stratum[stratum].append(attempt_id)  # sorted by id, as the store reads them
    strata = store.plan_strata(name)
    added: list[tuple[str, str]] = []
    new_strata = []
    for s in strata:
        more = min(needs[s.stratum].to_draw, len(by_stratum[s.stratum])) if s.stratum in needs else 0
        pool = by_stratum[s.stratum]
        added += (
            [(pool[k], s.stratum) for k in rng.choice(len(pool), size=more, replace=False).tolist()] if more else []
        )
        new_strata.append(PlanStratum(name, s.stratum, s.population, s.drawn + more))
    probability = {s.stratum: s.drawn / s.population for s in new_strata}
    kept = [i if i.gold else _with_probability(i, probability[i.stratum]) for i in items]
    share = float(definition.get("gold", 0.0))
    gold_ids = _gold(store, in_plan | {a for a, _ in added}, share, len(added), rng)
    population_key = dict(zip(population.attempt_ids, population.strata))
    reviewers = tuple(definition.get("reviewers", []))
    load = Counter({r: 0 for r in reviewers})
    for item in items:
        if not item.gold:
            load.update(item.reviewers)
    frame = AttemptFrame.load(store, definition.get("strata", [])) if gold_ids else AttemptFrame([], {}, {})
    gold_keys = _gold_strata(frame, definition.get("strata", []), gold_ids, population_key)
    new_items = _assemble(
        name,
        [(a, s, probability[s]) for a, s in added],
        [(a, gold_keys[a]) for a in gold_ids],
        reviewers,
        float(definition.get("overlap", 0.0)),
        rng,
        first_position=max((i.position for i in items), default=0) + 1,
        load=load,
    )
    extensions.append({"at": utc_now(), "precision": half_width, "added": len(added), "gold_added": len(gold_ids)})
    definition["extensions"] = extensions
    all_items = kept + new_items
    extended = PlanRecord(name, definition, record.created_at, len(all_items))
    return DrawnPlan(extended, new_strata, all_items, []), len(added)


def _with_probability(item: PlanItem, probability: float) -> PlanItem:
    return PlanItem(item.plan, item.attempt_id, item.stratum, probability, item.position, item.reviewers, item.gold)


def _existing(store: Store, name: str) -> PlanRecord:
    record = store.plan(name)
    if record is None:
        names = ", ".join(p.name for p in store.plans()) or "none yet"
        raise PlanError(f"no plan named {name!r} in {store.path} (plans: {names})")
    return record


# ---------------------------------------------------------------------- progress
@dataclass(frozen=True)
class PlanProgress:
    """How far a plan's reviewers are: items with every assigned reviewer's label, and per reviewer."""

    record: PlanRecord
    done: int
    per_reviewer: dict[str, tuple[int, int]]  # reviewer -> (judged, assigned)


def plan_progress(store: Store, record: PlanRecord) -> PlanProgress:
    items = store.plan_items(record.name)
    judged: dict[str, set[str]] = defaultdict(set)
    for attempt_id, reviewer, _, _ in store.current_labels():
        judged[reviewer].add(attempt_id)
    per: dict[str, list[int]] = {}
    done = 0
    for item in items:
        who = item.reviewers
        # an item nobody in particular was given counts once anyone has labelled it
        labelled_by = who or tuple(r for r, ids in judged.items() if item.attempt_id in ids)[:1]
        if labelled_by and all(item.attempt_id in judged[r] for r in labelled_by):
            done += 1
        for r in who:
            counts = per.setdefault(r, [0, 0])
            counts[1] += 1
            counts[0] += item.attempt_id in judged[r]
    return PlanProgress(record, done, {r: (c[0], c[1]) for r, c in per.items()})


def assignments(items: Sequence[PlanItem], reviewer: str) -> list[str]:
    """This reviewer's attempts in plan position order, gold items included; a plan assigned to nobody in
    particular is everyone's."""
    ordered = sorted(items, key=lambda i: i.position)
    if not any(i.reviewers for i in ordered):
        return [i.attempt_id for i in ordered]
    return [i.attempt_id for i in ordered if reviewer in i.reviewers]


# ---------------------------------------------------------------------- plan lines (export, import, merge)
LINE_KEYS = PLAN_LINE_KEYS  # in model.py, so that the exporter lists a plan's columns without loading numpy


def plan_line(item: PlanItem) -> dict[str, Any]:
    return {
        "plan": item.plan,
        "attempt_id": item.attempt_id,
        "stratum": item.stratum,
        "inclusion_probability": item.inclusion_probability,
        "position": item.position,
        "reviewers": list(item.reviewers),
        "gold": item.gold,
    }


def plan_lines(store: Store) -> Iterable[dict[str, Any]]:
    for record in store.plans():
        yield from (plan_line(item) for item in store.plan_items(record.name))


def _plan_text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise PlanError(f"plan line: '{key}' must be a non-empty string")
    return value


def parse_plan_line(data: Mapping[str, Any]) -> PlanItem:
    """One plan line as a PlanItem; PlanError says what is wrong with it."""
    name, attempt_id, stratum = (_plan_text(data, key) for key in ("plan", "attempt_id", "stratum"))
    position = data.get("position")
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        raise PlanError("plan line: 'position' must be a whole number from 1")
    gold = data.get("gold", False)
    if not isinstance(gold, bool):
        raise PlanError("plan line: 'gold' must be true or false")
    probability = data.get("inclusion_probability")
    if probability is None and not gold:
        raise PlanError("plan line: 'inclusion_probability' is missing (only a gold item has none)")
    if probability is not None and (
        isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability <= 1
    ):
        raise PlanError("plan line: 'inclusion_probability' must be a number above 0 and at most 1")
    reviewers = data.get("reviewers", [])
    if not isinstance(reviewers, list) or not all(isinstance(r, str) and r for r in reviewers):
        raise PlanError("plan line: 'reviewers' must be a list of names")
    return PlanItem(
        name,
        attempt_id,
        stratum,
        None if probability is None else float(probability),
        position,
        tuple(reviewers),
        gold,
    )


def plan_from_items(name: str, items: Sequence[PlanItem], definition: Mapping[str, Any]) -> DrawnPlan:
    """A plan rebuilt from its items alone (plan lines): n_h counted, N_h = n_h / inclusion probability."""
    ids = [i.attempt_id for i in items]
    if len(set(ids)) != len(ids):
        twice = next(a for a, c in Counter(ids).items() if c > 1)
        raise PlanError(f"plan {name!r}: attempt {twice!r} appears twice")
    positions = [i.position for i in items]
    if len(set(positions)) != len(positions):
        twice_at = next(p for p, c in Counter(positions).items() if c > 1)
        raise PlanError(f"plan {name!r}: position {twice_at} appears twice")
    probability: dict[str, float] = {}
    drawn: Counter[str] = Counter()
    for item in items:
        if item.gold:
            continue
        assert item.inclusion_probability is not None
        seen = probability.setdefault(item.stratum, item.inclusion_probability)
        if not math.isclose(seen, item.inclusion_probability, rel_tol=1e-9):
            raise PlanError(
                f"plan {name!r}: stratum {item.stratum!r} has two inclusion probabilities "
                f"({seen} and {item.inclusion_probability})"
            )
        drawn[item.stratum] += 1
    strata = [PlanStratum(name, s, round(drawn[s] / probability[s]), drawn[s]) for s in sorted(drawn)]
    ordered = sorted(items, key=lambda i: i.position)
    return DrawnPlan(PlanRecord(name, dict(definition), utc_now(), len(items)), strata, ordered, [])


def absorb_plan(store: Store, conn: Any, incoming: DrawnPlan, population: Sequence[tuple[str, str]] | None) -> str:
    """Write a plan that came from elsewhere (plan lines, another copy) inside the caller's transaction.

    Returns "new", "unchanged", "completed" or "extended". A plan of that name whose items are the same is
    left alone, unless it lacks the population the incoming one brings ("completed");
    one whose items are all among the incoming ones (the incoming plan was extended) takes the incoming
    items and strata; anything else is a conflict (PlanError, nothing written).
    """
    name = incoming.record.name
    missing = store.missing_attempt_ids(i.attempt_id for i in incoming.items)
    if missing:
        more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
        raise PlanError(
            f"plan {name!r} names attempts that are not in the session: {', '.join(missing[:3])}{more}; "
            "nothing of the plan was written (import the attempts first)"
        )
    existing = store.plan(name)
    if existing is None:
        store.save_plan(incoming.record, incoming.strata, incoming.items, population or [], conn=conn)
        return "new"
    held = {(i.attempt_id, i.position, i.gold) for i in store.plan_items(name)}
    coming = {(i.attempt_id, i.position, i.gold) for i in incoming.items}
    if held == coming:
        if population and not len(store.plan_population(name)):
            # the same plan, arriving with the population it was drawn from (a copy that took plan lines
            # meets the lead's copy): the design is complete now
            record = PlanRecord(name, incoming.record.definition, existing.created_at, existing.size)
            store.save_plan(record, incoming.strata, incoming.items, population, replace=True, conn=conn)
            return "completed"
        return "unchanged"
    if not held <= coming:
        raise PlanError(
            f"plan {name!r} is in the session with other attempts or positions; nothing of it was "
            "written (draw a plan under another name)"
        )
    keep_population = len(store.plan_population(name)) > 0
    record = PlanRecord(
        name,
        existing.definition if incoming.record.definition.get("imported") else incoming.record.definition,
        existing.created_at,
        incoming.record.size,
    )
    store.save_plan(
        record,
        incoming.strata,
        incoming.items,
        None if keep_population or not population else population,
        replace=True,
        conn=conn,
    )
    return "extended"


# ---------------------------------------------------------------------- the design, for the estimators
@dataclass(frozen=True)
class StratumDesign:
    """One stratum of a plan: N_h, n_h, the drawn attempts (gold excluded) and the population's attempts."""

    stratum: str
    population: int
    drawn: int
    items: tuple[str, ...]
    members: tuple[str, ...]  # the population's attempts in this stratum (empty for a plan from plan lines)

    @property
    def weight(self) -> float:
        """The design weight of each drawn attempt: 1 / inclusion probability = N_h / n_h."""
        return self.population / self.drawn if self.drawn else 0.0

    @property
    def inclusion_probability(self) -> float:
        return self.drawn / self.population if self.population else 0.0


@dataclass(frozen=True)
class PlanDesign:
    """A plan as the estimators read it: strata with N_h, n_h, items and weights; gold items apart."""

    record: PlanRecord
    strata: dict[str, StratumDesign]
    items: tuple[PlanItem, ...]  # every item in position order, gold included
    stratum_of: dict[str, str] = field(default_factory=dict)  # drawn (non-gold) attempt -> stratum

    @classmethod
    def load(cls, store: Store, name: str) -> PlanDesign:
        record = _existing(store, name)
        items = tuple(store.plan_items(name))
        population = store.plan_population(name)
        members: dict[str, list[str]] = defaultdict(list)
        for attempt_id, stratum in zip(population.attempt_ids, population.strata):
            members[stratum].append(attempt_id)
        drawn: dict[str, list[str]] = defaultdict(list)
        for item in items:
            if not item.gold:
                drawn[item.stratum].append(item.attempt_id)
        strata = {
            s.stratum: StratumDesign(
                s.stratum, s.population, s.drawn, tuple(drawn[s.stratum]), tuple(members[s.stratum])
            )
            for s in store.plan_strata(name)
        }
        stratum_of = {a: s for s, ids in drawn.items() for a in ids}
        return cls(record, strata, items, stratum_of)

    @property
    def sample(self) -> list[PlanItem]:
        """The probability sample: every item but the gold ones."""
        return [i for i in self.items if not i.gold]

    @property
    def gold(self) -> list[PlanItem]:
        return [i for i in self.items if i.gold]

    @property
    def population_size(self) -> int:
        return sum(s.population for s in self.strata.values())

    def weights(self) -> dict[str, float]:
        """Drawn attempt -> design weight (N_h / n_h)."""
        return {a: self.strata[s].weight for a, s in self.stratum_of.items()}

    def labelled(self, labelled_ids: Iterable[str]) -> dict[str, list[tuple[str, float]]]:
        """Per stratum, the drawn attempts among `labelled_ids` with their design weights."""
        wanted = set(labelled_ids)
        return {s.stratum: [(a, s.weight) for a in s.items if a in wanted] for s in self.strata.values()}
