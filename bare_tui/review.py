"""The review session without a screen: attempt order, what to open, the form's state, saving and undo."""

from __future__ import annotations

import getpass
import os
import random
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, NamedTuple, TypeGuard

from .model import FIELD_INDEX, FIELDS, Attempt, AttemptSummary, Flag, Judgement, Label, Task, Verdict, stage_order
from .store import ReviewerBusy, ReviewerClaim, SessionError, Store, claim_reviewer, new_id, utc_now

Mode = Literal["blind", "assisted"]
MODES: tuple[str, ...] = ("blind", "assisted")


def is_mode(value: str) -> TypeGuard[Mode]:
    """True for a review mode's name: the check that lets the type checker treat the string as a Mode."""
    return value in MODES


MODE_SETTING = "review_mode"


def revealed_setting(reviewer: str) -> str:
    """The session setting that keeps the attempts a blind reviewer revealed with `r`: a reveal lasts for the
    session, not only for the process that pressed it."""
    return f"revealed:{reviewer}"


def resolve_reviewer(given: str | None) -> str:
    """--reviewer, else $BARE_REVIEWER, else the login name."""
    for candidate in (given, os.environ.get("BARE_REVIEWER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "reviewer"


def review_order(attempt_ids: Sequence[str], reviewer: str, shuffle_seed: str | None = None) -> list[str]:
    """Attempt ids (given in import order) in the order this reviewer meets them: that, or a shuffle of their own.

    The shuffle is seeded by the seed and the reviewer's name together, so two reviewers given the same seed
    see different orders (order effects average out) and each sees the same order every time.
    """
    ids = list(attempt_ids)
    if shuffle_seed is not None:
        # A str seed is hashed with SHA-512 by random.Random: stable across runs and PYTHONHASHSEED.
        random.Random(f"{shuffle_seed}\x00{reviewer}").shuffle(ids)
    return ids


def plan_review_order(store: Store, plan: str, reviewer: str) -> list[str]:
    """This reviewer's attempts of a plan in the plan's position order; a clear error when there are none."""
    from .plans import assignments  # plans bring numpy: imported when a plan is walked, not before every paint

    if store.plan(plan) is None:
        names = ", ".join(p.name for p in store.plans()) or "none yet"
        raise SessionError(f"{store.path}: no plan named {plan!r} (plans: {names})")
    items = store.plan_items(plan)
    order = assignments(items, reviewer)
    if not order:
        given = sorted({r for item in items for r in item.reviewers})
        raise SessionError(
            f"{store.path}: plan {plan!r} assigns nothing to {reviewer!r} (it is for "
            f"{', '.join(given)}); pass --reviewer NAME"
        )
    return order


def first_unjudged(order: Sequence[str], judged: set[str], start: int = 0) -> int | None:
    """The index of the first attempt at or after `start` (wrapping round) that is not judged yet."""
    n = len(order)
    for step in range(n):
        index = (start + step) % n
        if order[index] not in judged:
            return index
    return None


DiffTexts = tuple[str, "str | None", str, str]
"""What the diff of an attempt shows: the original, the refactored text (None: no code), language and path."""


def diff_texts(task: Task, attempt: Attempt) -> DiffTexts:
    return (task.original, attempt.refactored, task.language, task.path)


def read_diff_texts(store: Store, attempt_id: str) -> DiffTexts | None:
    """An attempt's diff texts read on their own (without its verdicts and judgements); None if it is gone."""
    attempt = store.attempt(attempt_id)
    task = store.task(attempt.task_id) if attempt is not None else None
    return None if attempt is None or task is None else diff_texts(task, attempt)


@dataclass(frozen=True)
class AttemptBundle:
    """One attempt with all the review screen shows about it, loaded on its own."""

    summary: AttemptSummary
    task: Task
    attempt: Attempt
    verdicts: dict[str, Verdict]  # stage -> the verdict screens use
    judgements: dict[str, Judgement]  # field -> this reviewer's label in force
    flagged: bool
    fields: tuple[str, ...] = FIELDS  # the form's fields: the five, overall, then the session's extra stages

    @property
    def attempt_id(self) -> str:
        return self.attempt.attempt_id

    @property
    def problems(self) -> tuple[str, ...]:
        return self.attempt.problems

    @property
    def diff_texts(self) -> DiffTexts:
        return diff_texts(self.task, self.attempt)


def load_bundle(store: Store, attempt_id: str, reviewer: str, flagged: bool) -> AttemptBundle:
    """Read one attempt, its task, current verdicts and this reviewer's current judgements."""
    attempt = store.attempt(attempt_id)
    task = store.task(attempt.task_id) if attempt is not None else None
    if attempt is None or task is None:
        raise SessionError(f"{store.path}: attempt {attempt_id} vanished while the session was open")
    summary = AttemptSummary(
        attempt_id, attempt.task_id, attempt.model, task.language, task.path, attempt.seq, attempt.problems
    )
    verdicts = {stage: v for (_, stage), v in store.current_verdicts(attempt_id=attempt_id).items()}
    judgements = {j.stage: j for j in store.judgements(attempt_id=attempt_id, reviewer=reviewer)}
    fields = form_fields([*store.verdict_stages(), *verdicts, *judgements])
    return AttemptBundle(summary, task, attempt, verdicts, judgements, flagged, fields)


def form_fields(stages: Iterable[str]) -> tuple[str, ...]:
    """The judgement form's fields: the five and overall, then every extra stage named (an external pipeline's
    `tests`, the session's stages found by `Store.verdict_stages`), by name, so a reviewer labels them too."""
    extra = set(stages) - FIELD_INDEX.keys()
    return FIELDS + tuple(sorted(extra, key=stage_order))


class FieldState(NamedTuple):
    """One form field: its label, whether verdicts were visible when it was given, and whether it is new."""

    label: Label | None = None
    saw_verdicts: bool = False
    changed: bool = False  # labelled on this visit, not carried over from a saved judgement


OVERALL = FIELDS[-1]
STAGE_FIELDS = FIELDS[:-1]


def overall_from_stages(labels: Sequence[Label | None]) -> Label | None:
    """What the five stage labels say of `overall` (success at all five): fail if any stage fails, pass if every
    stage passes, unsure if none fails but some are unsure; None while a stage is unlabelled."""
    if any(label is None for label in labels):
        return None
    if Label.FAIL in labels:
        return Label.FAIL
    return Label.PASS if all(label is Label.PASS for label in labels) else Label.UNSURE


@dataclass(frozen=True)
class FormState:
    """The judgement form for one attempt; every change returns a new state. `names` are its fields' names:
    the five stages and overall, then any extra stage (DESIGN.md "Extra stages"), one FieldState each."""

    fields: tuple[FieldState, ...] = tuple(FieldState() for _ in FIELDS)
    focus: int = 0
    confidence: int | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    loaded: tuple[int | None, str, tuple[str, ...]] = (None, "", ())  # confidence, note, tags as saved
    names: tuple[str, ...] = FIELDS

    def __post_init__(self) -> None:
        if len(self.fields) != len(self.names):  # a form of the six given extra names: their fields start empty
            missing = len(self.names) - len(self.fields)
            object.__setattr__(self, "fields", (*self.fields, *(FieldState() for _ in range(max(0, missing)))))

    @classmethod
    def from_judgements(cls, judgements: dict[str, Judgement], names: Sequence[str] = FIELDS) -> FormState:
        """The form as the reviewer left it: their labels in force, syntax focused. `names`: the fields (an
        AttemptBundle's); a label of an extra stage not among them still gets its field, so none is lost."""
        names = form_fields([*names, *judgements])
        fields = tuple(
            FieldState(judgements[f].label, judgements[f].saw_verdicts) if f in judgements else FieldState()
            for f in names
        )
        # Note and confidence are written on every row of a save; the newest row carries the latest.
        newest = max(judgements.values(), key=lambda j: j.saved_at or "", default=None)
        if newest is None:
            return cls(fields, names=names)
        return cls(
            fields,
            confidence=newest.confidence,
            note=newest.note,
            tags=newest.tags,
            loaded=(newest.confidence, newest.note, newest.tags),
            names=names,
        )

    @classmethod
    def restored(
        cls, in_force: dict[str, Judgement], undone: Sequence[Judgement], names: Sequence[str] = FIELDS
    ) -> FormState:
        """The form after an undo: the undone save's labels, confidence and note back in the fields, unsaved,
        over what is in force now, so the reviewer fixes the one field that was wrong and saves again."""
        base = cls.from_judgements(in_force, [*names, *(j.stage for j in undone)])
        if not undone:
            return base
        fields = list(base.fields)
        for j in undone:
            fields[base.names.index(j.stage)] = FieldState(j.label, j.saw_verdicts, changed=True)
        newest = max(undone, key=lambda j: j.saved_at or "")
        return replace(base, fields=tuple(fields), confidence=newest.confidence, note=newest.note, tags=newest.tags)

    @property
    def focused_field(self) -> str:
        return self.names[self.focus]

    @property
    def extra_stages(self) -> tuple[str, ...]:
        """The form's fields beyond the five and overall: stages an external pipeline brought."""
        return self.names[len(FIELDS) :]

    def label_of(self, name: str) -> Label | None:
        index = FIELD_INDEX[name] if name in FIELD_INDEX else self.names.index(name) if name in self.names else None
        return None if index is None else self.fields[index].label

    @property
    def all_labelled(self) -> bool:
        return all(f.label is not None for f in self.fields)

    @property
    def details_changed(self) -> bool:
        return (self.confidence, self.note, self.tags) != self.loaded

    @property
    def unsaved(self) -> bool:
        """True when saving would write something: a new label, or a changed note, confidence or tags."""
        return bool(self.fields_to_save())

    def fields_to_save(self) -> list[str]:
        """The fields a save writes: new labels; all labelled fields when note, confidence or tags changed."""
        if self.details_changed:
            return [name for name, f in zip(self.names, self.fields) if f.label is not None]
        return [name for name, f in zip(self.names, self.fields) if f.changed and f.label is not None]

    @property
    def suggested_overall(self) -> Label | None:
        """`overall` as the five stage labels imply it, offered while overall is unlabelled (never saved as it
        is: the reviewer confirms it with a key)."""
        if self.label_of(OVERALL) is not None:
            return None
        return overall_from_stages([self.label_of(stage) for stage in STAGE_FIELDS])

    @property
    def contradiction(self) -> str | None:
        """A hint when `overall` disagrees with the stages (overall is success at all five), else None."""
        overall = self.label_of(OVERALL)
        failed = [stage for stage in STAGE_FIELDS if self.label_of(stage) is Label.FAIL]
        if overall is Label.PASS and failed:
            return f"overall pass, but {', '.join(failed)} fail: overall passes only when all five pass"
        implied = overall_from_stages([self.label_of(stage) for stage in STAGE_FIELDS])
        if overall is Label.FAIL and implied is Label.PASS:
            return "overall fail, but all five stages pass: a note could say why"
        return None

    def mark(self, label: Label, verdicts_visible: bool) -> FormState:
        """Label the focused field, then move the focus to the next field (staying on the last)."""
        fields = list(self.fields)
        fields[self.focus] = FieldState(label, verdicts_visible, changed=True)
        return replace(self, fields=tuple(fields), focus=min(self.focus + 1, len(self.names) - 1))

    def mark_unlabelled(self, label: Label, verdicts_visible: bool) -> FormState:
        """Label every field that has no label yet (the `A` key: a sound attempt in one key)."""
        fields = tuple(FieldState(label, verdicts_visible, changed=True) if f.label is None else f for f in self.fields)
        return replace(self, fields=fields, focus=len(self.names) - 1)

    def move(self, step: int) -> FormState:
        """Focus the next (+1) or previous (-1) field, wrapping round."""
        return replace(self, focus=(self.focus + step) % len(self.names))

    def with_confidence(self, confidence: int | None) -> FormState:
        if confidence is not None and confidence not in (1, 2, 3):
            raise ValueError(f"confidence must be 1, 2 or 3, not {confidence!r}")
        return replace(self, confidence=confidence)

    def with_note(self, note: str, tags: Sequence[str] | None = None) -> FormState:
        return replace(self, note=note, tags=self.tags if tags is None else tuple(tags))


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed as a comma- or space-separated list: trimmed, empty ones dropped, first spelling kept."""
    seen: dict[str, None] = {}
    for piece in text.replace(",", " ").split():
        seen.setdefault(piece, None)
    return tuple(seen)


def build_judgements(
    form: FormState,
    bundle: AttemptBundle,
    reviewer: str,
    opened_at: str,
    saved_at: str | None = None,
) -> list[Judgement]:
    """The rows one save appends: a new judgement per field to save, superseding the label it replaces."""
    saved_at = saved_at or utc_now()
    rows = []
    for name in form.fields_to_save():
        state = form.fields[form.names.index(name)]
        assert state.label is not None
        previous = bundle.judgements.get(name)
        rows.append(
            Judgement(
                judgement_id=new_id(),
                attempt_id=bundle.attempt_id,
                reviewer=reviewer,
                stage=name,
                label=state.label,
                confidence=form.confidence,
                note=form.note,
                tags=form.tags,
                saw_verdicts=state.saw_verdicts,
                opened_at=opened_at,
                saved_at=saved_at,
                supersedes=previous.judgement_id if previous is not None else None,
            )
        )
    return rows


@dataclass(frozen=True)
class SaveResult:
    """What a save or an undo did. For an undo, `undone` holds the rows the undo took back and `in_force` the
    reviewer's labels of the attempt in force after it (field -> judgement)."""

    attempt_id: str
    judgements: tuple[Judgement, ...]
    undone: tuple[Judgement, ...] = ()
    in_force: dict[str, Judgement] = field(default_factory=dict)


@dataclass(frozen=True)
class Walk:
    """The attempts the review screen steps through, in order: the session's order, a filtered queue's rows,
    or any other ordered list of attempt ids (a plan's). `name` says which, in the header; empty for the
    session's own order."""

    ids: tuple[str, ...]
    name: str = ""
    positions: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.positions:
            object.__setattr__(self, "positions", {attempt_id: i for i, attempt_id in enumerate(self.ids)})

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, attempt_id: object) -> bool:
        return attempt_id in self.positions

    def index_of(self, attempt_id: str) -> int | None:
        return self.positions.get(attempt_id)

    def where(self, attempt_id: str) -> str:
        """The attempt's place for the header: "attempt 3 of 200", "filter python: 2 of 17"."""
        index = self.positions.get(attempt_id)
        if not self.name:
            return f"attempt {index + 1} of {len(self.ids)}" if index is not None else "attempt"
        if index is None:
            return f"{self.name}: not in it ({len(self.ids)})"
        return f"{self.name}: {index + 1} of {len(self.ids)}"

    def after_save(self, attempt_id: str, judged: set[str]) -> str | None:
        """Where saving goes: the next attempt in the walk not judged (wrapping), else simply the next; None at
        the end. An attempt outside the walk (reached with g) goes on from the walk's start."""
        if not self.ids:
            return None
        index = self.positions.get(attempt_id, -1)
        following = first_unjudged(self.ids, judged, (index + 1) % len(self.ids))
        if following is not None:
            return self.ids[following]
        return self.ids[index + 1] if index + 1 < len(self.ids) else None

    def step(self, attempt_id: str, step: int) -> str | None:
        """The next (+1) or previous (-1) attempt in the walk (n, p); None past either end."""
        index = self.positions.get(attempt_id)
        if index is None:
            return self.ids[0] if self.ids and step > 0 else None
        target = index + step
        return self.ids[target] if 0 <= target < len(self.ids) else None

    def likely_next(self, attempt_id: str, judged: set[str]) -> list[str]:
        """The attempts a reviewer probably opens after this one, most likely first: where saving it would go,
        then the next in the walk (n)."""
        candidates = (self.after_save(attempt_id, judged | {attempt_id}), self.step(attempt_id, 1))
        return [c for c in dict.fromkeys(candidates) if c is not None and c != attempt_id]


class ReviewerLabels(NamedTuple):
    """What the review session needs of a reviewer's labels in force: the attempts judged (a label in force on any
    field) and those labelled in every field of the form, whose verdicts are no secret to the reviewer (as a save
    with every field labelled reveals them within a process)."""

    judged: frozenset[str]
    fully_labelled: frozenset[str]


def read_labels(store: Store, reviewer: str, fields: Sequence[str]) -> ReviewerLabels:
    """The reviewer's labelled attempts; fields: the form's (the six and the session's extra stages, as
    `Store.fields` gives them)."""
    labelled = store.reviewer_labelled_attempts(reviewer, fields)
    return ReviewerLabels(frozenset(labelled.judged), frozenset(labelled.fully_labelled))


def read_labels_ahead(path: Path, reviewer: str, fields: Sequence[str]) -> Future[ReviewerLabels]:
    """Start `read_labels` on a thread of its own (its own read-only connection) and return at once: the review
    command starts it before it imports and starts the screen, so that SQLite counts the reviewer's labels (without
    the interpreter's lock) while the interface loads. The future holds the labels, or what reading them raised."""
    future: Future[ReviewerLabels] = Future()

    def read() -> None:
        try:
            with Store.open(path, readonly=True) as store:
                future.set_result(read_labels(store, reviewer, fields))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever takes the labels, as a call would raise it
            future.set_exception(exc)

    threading.Thread(target=read, name="review-labels", daemon=True).start()
    return future


@dataclass
class ReviewSession:
    """One reviewer working through a session: the order, what is judged and flagged, saves and undo.

    Holds the main thread's Store: every method is a few small queries, each write one committed
    transaction that has returned before the method does. Holds the reviewer's claim on the session too:
    a second process of the same reviewer opens read-only (`read_only_reason` says why).
    """

    store: Store
    reviewer: str
    mode: Mode
    order: list[str]
    judged: set[str]
    flagged: set[str]
    positions: dict[str, int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # attempts whose verdicts this reviewer may see (blind mode)
    claim: ReviewerClaim | None = None
    busy: ReviewerBusy | None = None  # set when another process holds this reviewer's claim
    own_saves: dict[str, tuple[Judgement, ...]] = field(default_factory=dict)  # save_id -> rows, this process
    plan: str | None = None  # the review plan whose assignments `order` holds
    touched: set[str] = field(default_factory=set)  # attempts saved, undone, flagged or revealed: `take_touched`
    shuffle_seed: str | None = None
    fields: tuple[str, ...] = FIELDS  # the session's fields (Store.fields): an attempt labelled in all is seen
    # A lazy open: the reviewer's labels being read (`take_labels` takes them; None once taken), and the session's
    # attempts counted (the total shown before the order is read)
    labels_ahead: Future[ReviewerLabels] | None = None
    attempt_count: int = 0
    # judged_count as last counted, and what it was counted from: (positions, len(judged), count); a save or undo
    # keeps it current (_mark_judged)
    _counted: tuple[int, int, int] = field(default=(0, -1, 0), repr=False, compare=False)
    # While the labels are being read: what this process's saves and undos made of each attempt (judged or not),
    # laid over the labels read, which may predate them
    _unread: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    _places: dict[str, int | None] = field(default_factory=dict, repr=False, compare=False)  # import-order places

    @classmethod
    def open(
        cls,
        store: Store,
        reviewer: str,
        mode: str | None = None,
        shuffle_seed: str | None = None,
        plan: str | None = None,
        claim: bool = True,
        lazy: bool = False,
    ) -> ReviewSession:
        """Read what the review screen needs up front: the attempt ids (no texts), judged and flagged ones.

        With a plan: this reviewer's assignments in the plan's order (gold items among them, as any other).
        claim: take this reviewer's claim on the session; when another live process holds it the session opens
        read-only and says who holds it. lazy: leave the session's own order (every attempt id of the session)
        unread, so that a screen can paint first; `read_order` reads it (on any thread) and `set_order` takes
        it. A plan's order is read at once: it is small. lazy also leaves the reviewer's labels to a thread
        (`labels_ahead`, taken by `take_labels`): until then the session answers in import order through the
        store (`first_attempt`, `step`, `where`, `after_save`) and keeps its own saves and undos aside.
        """
        chosen = mode or store.get_setting(MODE_SETTING, "blind")
        if not is_mode(chosen):
            raise SessionError(f"{store.path}: review_mode setting is {chosen!r}; expected blind or assisted")
        order: list[str] = []
        count = 0
        if plan is not None:
            order = plan_review_order(store, plan, reviewer)
        elif not lazy:
            order = cls.read_order(store, reviewer, shuffle_seed)
        elif not (count := store.count_attempts()):
            raise SessionError(f"{store.path}: the session has no attempts to review; import some first")
        flagged = {f.attempt_id for f in store.flags() if f.reviewer == reviewer and f.flagged}
        fields = tuple(store.fields())
        session = cls(store, reviewer, chosen, [], set(), flagged, plan=plan, shuffle_seed=shuffle_seed, fields=fields)
        session.attempt_count = count
        if order:
            session.set_order(order)
        session.seen = set(store.get_setting(revealed_setting(reviewer), []))
        if lazy:
            session.labels_ahead = read_labels_ahead(store.path, reviewer, fields)
        else:
            session.take_labels(read_labels(store, reviewer, fields))
        if claim and not store.readonly:
            try:
                session.claim = claim_reviewer(store.path, reviewer)
            except ReviewerBusy as exc:
                session.busy = exc
        return session

    @staticmethod
    def read_order(store: Store, reviewer: str, shuffle_seed: str | None = None) -> list[str]:
        """The session's order for this reviewer: import order, or their shuffle of it."""
        ids = store.attempt_ids_in_order()
        if not ids:
            raise SessionError(f"{store.path}: the session has no attempts to review; import some first")
        return review_order(ids, reviewer, shuffle_seed)

    @property
    def ordered(self) -> bool:
        """Whether the order has been read (a lazy open leaves it to `set_order`)."""
        return bool(self.order)

    # ------------------------------------------------------------------ the reviewer's labels, read on a thread
    @property
    def labels_known(self) -> bool:
        """Whether the reviewer's labels have been taken (a lazy open reads them on a thread)."""
        return self.labels_ahead is None

    def take_labels(self, labels: ReviewerLabels) -> None:
        """Take the reviewer's labels as read, with this process's saves and undos since laid over them (the read
        may have begun before or after each of them: what the process did last to an attempt is what holds)."""
        judged = set(labels.judged)
        for attempt_id, is_judged in self._unread.items():
            if is_judged:
                judged.add(attempt_id)
            else:
                judged.discard(attempt_id)
        self.judged = judged
        self.seen |= labels.fully_labelled
        self._unread = {}
        self._counted = (0, -1, 0)
        self.labels_ahead = None

    def poll_labels(self) -> bool:
        """Take the labels if their read has finished (without waiting); whether they are known now."""
        if self.labels_ahead is not None and self.labels_ahead.done():
            self.wait_for_labels()
        return self.labels_known

    def wait_for_labels(self) -> None:
        """Take the labels, waiting for their read if it is under way (what needs every judged attempt: where a
        save in a walk goes, what the queue may show); read here, on this store, if the thread could not."""
        ahead = self.labels_ahead
        if ahead is None:
            return
        try:
            labels = ahead.result()
        except Exception:  # noqa: BLE001 - the thread's own connection failed: this one reads them (or says why)
            labels = read_labels(self.store, self.reviewer, self.fields)
        self.take_labels(labels)

    def set_order(self, order: Sequence[str]) -> None:
        self.order = list(order)
        self.positions = {attempt_id: i for i, attempt_id in enumerate(self.order)}

    def first_attempt(self) -> str | None:
        """Where a screen can open before the order is read: the first attempt in import order this reviewer
        has not judged, found through the store's indexes (neither the order nor the labels are needed); None
        with a shuffle (its first attempt needs the whole order) or when every attempt is judged."""
        if self.shuffle_seed is not None:
            return None
        return self.store.first_attempt_unjudged(self.reviewer)

    @property
    def in_import_order(self) -> bool:
        """Whether the session's order is import order, so that it can be walked through the store before it is
        read (not a shuffle, nor a plan's)."""
        return self.shuffle_seed is None and self.plan is None

    def step(self, attempt_id: str, step: int) -> str | None:
        """The next (+1) or previous (-1) attempt of the session's order; None past either end. Before the order
        is read, in import order through the store (the caller checks `in_import_order`)."""
        if self.ordered:
            return self.walk.step(attempt_id, step)
        return self.store.attempt_step(attempt_id, step)

    def where(self, attempt_id: str) -> str:
        """The attempt's place for the header, "attempt 3 of 200"; before the order is read, counted through the
        store in import order (a shuffle's place is not known until then: "attempt")."""
        if self.ordered:
            place = self.positions.get(attempt_id)
        elif self.in_import_order:
            if attempt_id not in self._places:
                self._places[attempt_id] = self.store.attempt_position(attempt_id)
            place = self._places[attempt_id]
        else:
            place = None
        return "attempt" if place is None else f"attempt {place + 1} of {self.total}"

    def after_save(self, walk: Walk, attempt_id: str) -> str | None:
        """Where saving this attempt goes in a walk: the next attempt not judged (wrapping), else the next. Before
        the session's order is read (an empty walk), the next one not judged in import order, through the store;
        a walk of its own (a plan's, a filter's) waits for the labels."""
        if walk.ids or walk.name or not self.in_import_order:
            self.wait_for_labels()
            return walk.after_save(attempt_id, self.judged)
        return self.store.first_attempt_unjudged(self.reviewer, after=attempt_id)

    def likely_next(self, walk: Walk, attempt_id: str) -> list[str]:
        """The attempts a reviewer probably opens after this one (`Walk.likely_next`), before the order and the
        labels are read too: where a save would go, then the next in import order."""
        if walk.ids or walk.name or not self.in_import_order:
            if self.labels_known:
                return walk.likely_next(attempt_id, self.judged)
            return [c for c in (walk.step(attempt_id, 1),) if c is not None and c != attempt_id]
        candidates = (self.store.first_attempt_unjudged(self.reviewer, after=attempt_id), self.step(attempt_id, 1))
        return [c for c in dict.fromkeys(candidates) if c is not None and c != attempt_id]

    def close(self) -> None:
        """Let go of the reviewer's claim (the process ending does so too)."""
        if self.claim is not None:
            self.claim.release()
            self.claim = None

    @property
    def read_only_reason(self) -> str | None:
        """Why nothing can be saved in this process, or None when it can."""
        if self.store.readonly:
            return "the session file is read-only"
        if self.busy is not None:
            holder = self.busy.holder
            where = f" ({holder.describe()})" if holder is not None else ""
            return f"{self.reviewer} is labelling this session in another bare-tui{where}"
        return None

    @property
    def walk(self) -> Walk:
        """The session's own order as a walk (import order, or this reviewer's shuffle)."""
        return Walk(tuple(self.order), positions=self.positions)

    @property
    def total(self) -> int:
        """Attempts in the order; before a lazy open's order is read, the session's attempts as counted."""
        return len(self.order) if self.ordered else self.attempt_count

    @property
    def judged_count(self) -> int:
        """Attempts of this order the reviewer has judged (a plan's order is part of the session)."""
        if not self.positions:  # built without positions: every judged attempt is in the order
            return len(self.judged)
        # Counted again only when the order or the judged set changed behind our back: the header asks on every
        # attempt, and a reviewer of a BARE-sized study has judged thousands (a save or an undo counts one).
        basis = (id(self.positions), len(self.judged))
        if self._counted[:2] != basis:
            if len(self.judged) <= len(self.positions):
                count = sum(1 for attempt_id in self.judged if attempt_id in self.positions)
            else:
                count = sum(1 for attempt_id in self.positions if attempt_id in self.judged)
            self._counted = (*basis, count)
        return self._counted[2]

    def _mark_judged(self, attempt_id: str, judged: bool) -> None:
        """Add an attempt to the judged ones or take it out, keeping judged_count current with one lookup."""
        if not self.labels_known:
            self._unread[attempt_id] = judged  # laid over the labels when they are taken
        if judged == (attempt_id in self.judged):
            return
        current = self._counted[:2] == (id(self.positions), len(self.judged))
        if judged:
            self.judged.add(attempt_id)
        else:
            self.judged.discard(attempt_id)
        if current:
            step = (1 if judged else -1) if attempt_id in self.positions else 0
            self._counted = (id(self.positions), len(self.judged), self._counted[2] + step)

    @property
    def complete(self) -> bool:
        return self.ordered and self.labels_known and self.judged_count >= len(self.order)

    @property
    def progress(self) -> int | None:
        """Attempts of the order judged, for the header; None while the labels are being read (not a guess)."""
        return self.judged_count if self.labels_known else None

    @property
    def plan_progress(self) -> str | None:
        """The header's plan line, e.g. "plan p1: 37 of 200"; None when no plan is being walked."""
        if self.plan is None:
            return None
        judged = self.progress
        return f"plan {self.plan}: {'…' if judged is None else judged} of {self.total}"

    def sees_verdicts(self, attempt_id: str) -> bool:
        """Whether this reviewer may see the attempt's automated outcomes on any screen: always in assisted
        mode; in blind mode once the reviewer's labels of every field are saved or they revealed them (r)."""
        return self.mode == "assisted" or attempt_id in self.seen

    def visible_ids(self) -> frozenset[str] | None:
        """The attempts whose outcomes the queue and audit may show; None: every attempt's (assisted)."""
        if self.mode == "assisted":
            return None
        self.wait_for_labels()  # every fully labelled attempt is among them
        return frozenset(self.seen)

    def reveal(self, attempt_id: str) -> None:
        """The reviewer has seen this attempt's verdicts: on every screen, and in the next process too (a read-only
        process remembers it only while it runs)."""
        if attempt_id in self.seen:
            return
        self.seen.add(attempt_id)
        self._remember_seen(attempt_id)

    def _remember_seen(self, attempt_id: str) -> None:
        """Keep an attempt seen in the next process (the session's revealed setting), whatever its labels say."""
        self.touched.add(attempt_id)
        if self.read_only_reason is None:
            key = revealed_setting(self.reviewer)
            self.store.set_setting(key, sorted({*self.store.get_setting(key, []), attempt_id}))

    def take_touched(self) -> set[str]:
        """The attempts this process changed since the last call (what a list on another screen must read
        again), and start a new set."""
        touched, self.touched = self.touched, set()
        return touched

    def may_see_statistics(self) -> bool:
        """Whether the agreement statistics may be shown: they count the pipeline's verdicts on every attempt, so a
        blind reviewer sees them only once every attempt of the session is seen (labelled in full or revealed)."""
        if self.mode == "assisted":
            return True
        self.wait_for_labels()
        return len(self.seen) >= self.store.count_attempts()

    def start_index(self) -> int:
        """Where the screen opens: the first attempt not judged, else the last attempt."""
        self.wait_for_labels()
        index = first_unjudged(self.order, self.judged)
        return len(self.order) - 1 if index is None else index

    def diff_texts(self, attempt_id: str) -> DiffTexts | None:
        """The diff texts of an attempt, or None if it has vanished."""
        return read_diff_texts(self.store, attempt_id)

    def load(self, attempt_id: str) -> AttemptBundle:
        bundle = load_bundle(self.store, attempt_id, self.reviewer, attempt_id in self.flagged)
        if not self.labels_known:
            # What the labels being read will say of this attempt, known from its own: judged, and seen when
            # labelled in every field (the header and the verdict panel show both before the labels are in).
            if bundle.judgements:
                self.judged.add(attempt_id)
            else:
                self.judged.discard(attempt_id)
            if set(self.fields) <= bundle.judgements.keys():
                self.seen.add(attempt_id)
        return bundle

    def _writable(self) -> None:
        reason = self.read_only_reason
        if reason is not None:
            raise SessionError(f"read-only: {reason}")

    def save(self, form: FormState, bundle: AttemptBundle, opened_at: str) -> SaveResult:
        """Commit the form's labels as judgements in one transaction; the rows are on disk when this returns."""
        self._writable()
        rows = build_judgements(form, bundle, self.reviewer, opened_at)
        if rows:
            save_id = new_id()
            self.store.save_judgements(rows, save_id=save_id)
            self.own_saves[save_id] = tuple(rows)
            self._mark_judged(bundle.attempt_id, True)
            self.touched.add(bundle.attempt_id)
            if form.all_labelled:
                self.seen.add(bundle.attempt_id)
        return SaveResult(bundle.attempt_id, tuple(rows))

    def undo(self) -> SaveResult | None:
        """Withdraw this process's last save still in force; None when there is nothing to undo.

        Only saves made by this process are undone, never another process's (another terminal's) work.
        """
        self._writable()
        written = self.store.undo_last_save(self.reviewer, among=self.own_saves.keys())
        if not written:
            return None
        attempt_id = written[0].attempt_id
        self.touched.add(attempt_id)
        mine = {j.judgement_id: j for rows in self.own_saves.values() for j in rows}
        undone = tuple(mine[j.supersedes] for j in written if j.supersedes in mine)
        in_force = {j.stage: j for j in self.store.judgements(attempt_id=attempt_id, reviewer=self.reviewer)}
        self._mark_judged(attempt_id, bool(in_force))
        if self.mode != "assisted" and attempt_id in self.seen and not set(self.fields) <= in_force.keys():
            # The save showed its verdicts (on any screen, until this undo) and this process keeps them shown, so
            # the next one does too: reopened, an attempt labelled in part again would be blind again, and labels
            # changed there would be saved as given without the verdicts.
            self._remember_seen(attempt_id)
        return SaveResult(attempt_id, tuple(written), undone, in_force)

    def after_undo(self, bundle: AttemptBundle, result: SaveResult) -> AttemptBundle:
        """An attempt's bundle as an undo leaves it, from the bundle read when it was last opened: only the
        reviewer's labels (and the flag) can have changed, so nothing else is read again."""
        if bundle.attempt_id != result.attempt_id:
            raise ValueError(f"the undo was of {result.attempt_id}, not {bundle.attempt_id}")
        return replace(bundle, judgements=dict(result.in_force), flagged=bundle.attempt_id in self.flagged)

    def toggle_flag(self, attempt_id: str) -> bool:
        """Flag the attempt for audit, or take the flag back; saved at once. Returns the new state."""
        self._writable()
        flagged = attempt_id not in self.flagged
        self.store.set_flag(Flag(attempt_id, self.reviewer, flagged, saved_at=utc_now()))
        self.touched.add(attempt_id)
        if flagged:
            self.flagged.add(attempt_id)
        else:
            self.flagged.discard(attempt_id)
        return flagged


@dataclass
class Pace:
    """Time on the attempt on show and the session's rate, for the header; the clock is given (tests fix it)."""

    started: float
    opened: float
    saved: int = 0

    def open(self, now: float) -> None:
        self.opened = now

    def describe(self, now: float, rate: bool = True) -> str:
        """The time on the attempt on show, then (with `rate`, once something is saved) the saves per hour."""
        on_item = max(0, int(now - self.opened))
        text = f"{on_item // 60}:{on_item % 60:02d} on this"
        hours = (now - self.started) / 3600
        if rate and self.saved and hours > 0:
            text += f" · {self.saved / hours:.0f}/h"
        return text
