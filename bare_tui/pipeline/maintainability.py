"""The maintainability stage: per-function lizard metrics before and after, and breaches of session thresholds."""

from __future__ import annotations

import contextlib
import io
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from bare_tui.model import Evidence, Outcome, StageResult, normalise_language
from bare_tui.pipeline.evidence import capped
from bare_tui.pipeline.languages import (
    captures,
    grammar_name,
    kinds_pattern,
    parse_source,
    path_for_grammar,
    spec_for_grammar,
)
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, METRICS, PipelineSettings

if TYPE_CHECKING:
    import tree_sitter

    from bare_tui.pipeline.languages import Source
    from bare_tui.pipeline.languages.spec import NodeKinds

RULES_VERSION = "13"
"""Bumped whenever how breaches are measured or matched, or the thresholds found, changes, so that the pipeline
version changes. 4: an original that cannot be measured is left out of the percentiles (it used to send the
whole session to the default thresholds). 5: whole-number thresholds; an original without breaches is judged on
the metrics' continuous fall instead of failing by construction; lizard through its public API. 6: the
thresholds' floors are the usual review limits; an original without breaches is judged on the file's code size
(tokens outside comments) rather than on per-function loads; an answer that changes only comments or layout
fails; helpers left unused, bit arithmetic introduced and a rise in duplicated code fail an answer whatever its
metrics. 7: an original without breaches must also shrink by a line's worth of tokens (MINIMUM_SHRINK) or lose a
branch or a nesting level, not only by the share: a few tokens fewer in a small file is a lateral edit. 8: an
original without breaches is judged, as DESIGN.md says, on its functions' lizard metrics (decisions, lines, tokens,
parameters, nesting), each over the session's percentile of that metric in the language (Thresholds.scales): their
weighted load must fall (score above settings.minimum_score) with nothing made worse, a longer file included. 9: added
duplication counts from a rise of 20 points of the file (it was 10). 10: a load that moves by no more than
settings.minimum_score either way is flat, and then the file's code must shrink by settings.minimum_shrink (a tenth);
when a breach stays with its severity down, the original's functions that breached nothing must not get more complex
as a whole; the rows of a literal table (calls, arrays or maps of literals only) are not duplicated code. 11: a function
nested in another (a callback, a lambda, a nested def) is measured as part of the function that encloses it: its
decisions, lines and tokens count there, it is a level of that function's nesting, its parameters are not counted.
12: a switch is one decision however many case labels it has (lizard's modified count, `lizard -m`), so is a chain
of like logical operators (`a && b && c`; `a && b || c` is two), and a function
nested in another is one decision of it besides its own (a callback stands for the loop or branch that calls it, so a
loop made a stream is lateral, as the rubric says, rather than a decision gone); a private helper
the answer adds and nothing in the file calls is dead code, as one the original called and the answer no longer does
is (a C++ const method is matched by the name its calls spell); `1 << n` is an integer power of two, not bit
arithmetic, in a language without an integer power operator (LanguageSpec.integer_power) unless the file also
combines bits; an original without breaches whose code loses fewer than settings.minimum_tokens tokens, with no
decision, nesting level or parameter gone, is respelt, not simplified, whatever its lines and load say. 13: a
function that is an entry of a table literal (`const ROUTES = {GET: function () {...}}`, NodeKinds.tables) is reached
by lookup, so it is no helper that nothing calls: an if/else chain made a dispatch table is what refactoring does."""

METRIC_NAMES = {
    "cyclomatic_complexity": "cyclomatic complexity",
    "nloc": "lines of code",
    "token_count": "tokens",
    "parameter_count": "parameters",
    "nesting_depth": "nesting depth",
}


class MetricsUnavailable(Exception):
    """lizard could not measure a text, so its functions' metrics would be partial."""


@dataclass(frozen=True)
class FunctionMetrics:
    """One function's measurements."""

    name: str
    start_line: int
    end_line: int
    values: dict[str, float]


@dataclass(frozen=True)
class Thresholds:
    """Per language and metric, the value above which a function breaches; how they were chosen."""

    by_language: dict[str, dict[str, float]]
    percentile: float
    origin: dict[str, str] = field(default_factory=dict)  # language -> "session (N functions)" or "default"
    settings: PipelineSettings = DEFAULT_SETTINGS
    scales: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per language and metric, the same percentile of the session's original functions before the floors (at least
    1): what one unit of that metric's fall is worth, for an original that breaches nothing."""

    def for_language(self, language: str) -> tuple[dict[str, float], str]:
        found = self.by_language.get(language)
        if found is None:
            return dict(self.settings.default_thresholds), "default"
        return found, self.origin.get(language, "session")

    def scales_for(self, language: str) -> dict[str, float]:
        """The metrics' units in a language: the session's percentiles, or the default thresholds without them."""
        found = self.scales.get(language)
        return dict(self.settings.default_thresholds) if found is None else found


def default_thresholds(settings: PipelineSettings = DEFAULT_SETTINGS) -> Thresholds:
    """Thresholds without a session: the documented defaults for every language."""
    return Thresholds(by_language={}, percentile=settings.threshold_percentile, settings=settings)


def compute_thresholds(
    originals: Mapping[str, Iterable[str]], settings: PipelineSettings = DEFAULT_SETTINGS
) -> Thresholds:
    """Thresholds from the session's own originals: each metric's percentile over their functions, per language."""
    sample = FunctionSample()
    for language, texts in originals.items():
        for text in texts:
            try:
                sample.add(language, measure_original(language, text))
            except MetricsUnavailable:
                continue  # one unreadable original does not take the session's thresholds with it
    return sample.thresholds(settings)


def measure_original(language: str, text: str) -> tuple[tuple[float, ...], ...]:
    """One original's part of the thresholds: each function's values, in METRICS order."""
    return tuple(tuple(function.values[metric] for metric in METRICS) for function in function_metrics(language, text))


class FunctionSample:
    """The functions of a session's originals, per language and metric, gathered as their measurements arrive.

    A percentile does not depend on the order of its values, so originals measured in parallel and added in
    any order give the same thresholds as measuring them one after another. Values are kept in compact
    arrays: a BARE-sized session has hundreds of thousands of functions."""

    def __init__(self) -> None:
        self._columns: dict[str, tuple[array, ...]] = {}

    def add(self, language: str, rows: Iterable[Sequence[float]]) -> None:
        """One original's rows, as measure_original gives them."""
        columns = self._columns.get(language)
        if columns is None:
            columns = self._columns[language] = tuple(array("d") for _ in METRICS)
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                column.append(value)

    def functions(self, language: str) -> int:
        columns = self._columns.get(language)
        return len(columns[0]) if columns else 0

    def thresholds(self, settings: PipelineSettings = DEFAULT_SETTINGS) -> Thresholds:
        """Each metric's percentile per language; a language with too few functions keeps the defaults."""
        import numpy  # only the parent process computes thresholds; workers start faster without it

        by_language: dict[str, dict[str, float]] = {}
        scales: dict[str, dict[str, float]] = {}
        origin: dict[str, str] = {}
        for language, columns in self._columns.items():
            count = len(columns[0])
            if count < settings.minimum_functions:
                continue
            chosen, units = {}, {}
            for metric, values in zip(METRICS, columns):
                # Every metric counts whole things (branches, lines, tokens, parameters, levels): a threshold of
                # 2.6 would make a depth of 3 a breach that no session's originals ever justified.
                value = math.ceil(float(numpy.percentile(values, settings.threshold_percentile)))
                chosen[metric] = float(max(value, settings.threshold_floors.get(metric, 1.0)))
                units[metric] = float(max(value, 1))
            by_language[language] = chosen
            scales[language] = units
            origin[language] = f"session ({count} functions)"
        return Thresholds(by_language, settings.threshold_percentile, origin, settings, scales)


def function_metrics(language: str, text: str, path: str = "") -> list[FunctionMetrics]:
    """lizard's metrics for each function of a text, with its nesting depth measured on the tree-sitter tree."""
    grammar = grammar_name(language, path)
    return list(_function_metrics(grammar, language, text, path_for_grammar(grammar)))


# A task's original comes back once per model's attempt: its metrics are remembered for a while.
@lru_cache(maxsize=32)
def _function_metrics(grammar: str, language: str, text: str, path: str) -> tuple[FunctionMetrics, ...]:
    # what lizard cannot read as written the language file rewrites for it (TypeScript's generic functions)
    lizard_source = spec_for_grammar(grammar).lizard_source
    readable = lizard_source(parse_source(language, text, path)) if lizard_source is not None else text
    complaints = io.StringIO()
    with contextlib.redirect_stderr(complaints):  # lizard reports (and swallows) its own failures on stderr
        # lizard picks its reader from the file name's extension, which each language file declares
        extension = spec_for_grammar(grammar).lizard_extensions[grammar]
        info = _analyzer().analyze_source_code("attempt" + extension, readable)
    if "RecursionError" in complaints.getvalue():
        raise MetricsUnavailable("lizard could not read the file: its nesting is too deep")
    depths, callbacks = _nesting_by_end_line(language, text, path)
    parameters = _parameters_by_end_line(language, text, path)
    functions = []
    for function in info.function_list:
        counted = _at_end(parameters, function.end_line)
        values = {
            "cyclomatic_complexity": float(function.cyclomatic_complexity),
            "nloc": float(function.nloc),
            "token_count": float(function.token_count),
            "parameter_count": float(function.parameter_count if counted is None else counted),
            "nesting_depth": float(_at_end(depths, function.end_line) or 0),
        }
        functions.append(FunctionMetrics(function.name, function.start_line, function.end_line, values))
    # a chain of like logical operators is one condition: lizard counts each operator of `a && b && c` as a decision
    for row in _chained_operators(language, text, path):
        # the innermost function around it is the one lizard counted the operator in
        around = [f for f in functions if f.start_line <= row <= f.end_line]
        if around:
            values = max(around, key=lambda f: (f.start_line, -f.end_line)).values
            values["cyclomatic_complexity"] = max(values["cyclomatic_complexity"] - 1.0, 1.0)
    folded = _fold_nested(functions)
    for function in folded:
        # each function nested in it is a decision too, whether lizard lists it apart or not (a Java lambda)
        function.values["cyclomatic_complexity"] += _at_end(callbacks, function.end_line) or 0
    return folded


_LOGICAL_OPERATORS = frozenset({b"&&", b"||", b"and", b"or"})
"""The logical operators lizard counts as decisions, in every grammar's spelling."""


def _chained_operators(language: str, text: str, path: str) -> list[int]:
    """The lines (1-based) of each logical operator that continues a chain of the same operator: in `a && b && c` the
    second `&&`, which a reader takes in with the first as one condition (cognitive complexity counts a sequence of
    like operators once); `a && b || c` is two conditions, and so is `a && (b || c)`."""
    source = parse_source(language, text, path)
    kinds = spec_for_grammar(source.grammar).node_kinds
    pattern = kinds_pattern(source.grammar, sorted(kinds.operations), "hit")
    if not pattern:
        return []
    data, rows = source.data, []
    for node in captures(source, pattern, name="hit"):
        operator = node.child_by_field_name("operator")
        if operator is None or data[operator.start_byte : operator.end_byte] not in _LOGICAL_OPERATORS:
            continue
        parent = node.parent
        while parent is not None and parent.type in kinds.parentheses:
            parent = parent.parent  # `(a && b) && c` is still one chain
        outer = (
            parent.child_by_field_name("operator") if parent is not None and parent.type in kinds.operations else None
        )
        if (
            outer is not None
            and data[outer.start_byte : outer.end_byte] == data[operator.start_byte : operator.end_byte]
        ):
            rows.append(operator.start_point.row + 1)
    return rows


@lru_cache(maxsize=1)
def _analyzer():  # type: ignore[no-untyped-def]  # why: lizard has no type hints
    """lizard's file analyzer with its modified cyclomatic complexity (`lizard -m`): a switch is one decision however
    many case labels it has, as a table of cases reads as one choice; `if`/`else if` chains still count per branch."""
    import lizard  # its public API (FileAnalyzer and get_extensions, as analyze_file is built), not its modules

    return lizard.FileAnalyzer(lizard.get_extensions(["modified"]))


def _fold_nested(functions: list[FunctionMetrics]) -> tuple[FunctionMetrics, ...]:
    """Each function nested in another (a callback, a lambda, a nested def) measured as part of the function that
    encloses it, as a reader reads it: its decisions, lines and tokens count there (lizard measures it apart and
    leaves them out of the enclosing function), itself one more decision (counted with the nesting: the function it
    is passed to loops over it or calls it on a condition, `rows.filter(...)` as the `for` it replaces), its
    parameters are not the enclosing function's, and it is a level of nesting there (_nesting_by_end_line).
    Otherwise a loop made a stream moves its `for` and `if` into callbacks of one or two units each and reads as
    simpler, where the rubric calls it lateral, and a callback made a loop reads as one function made more complex.

    lizard lists a function when it ends, so the functions inside one come before it; the function a nested one
    folds into is the first after it whose lines span its own (two functions on one line are read as one)."""
    values = [dict(function.values) for function in functions]
    folded: set[int] = set()
    for index, inner in enumerate(functions):
        for outer_index in range(index + 1, len(functions)):
            outer = functions[outer_index]
            if outer.start_line <= inner.start_line and inner.end_line <= outer.end_line:
                into, own = values[outer_index], values[index]
                into["cyclomatic_complexity"] += own["cyclomatic_complexity"] - 1.0  # its decisions, not its path
                # lizard counts a line the two share (`rows.forEach((row) => {`) in both: no more lines than it spans
                into["nloc"] = min(into["nloc"] + own["nloc"], float(outer.end_line - outer.start_line + 1))
                into["token_count"] += own["token_count"]
                folded.add(index)
                break
    return tuple(
        FunctionMetrics(function.name, function.start_line, function.end_line, values[index])
        for index, function in enumerate(functions)
        if index not in folded
    )


def check_maintainability(
    language: str,
    original: str,
    refactored: str | None,
    path: str = "",
    thresholds: Thresholds | None = None,
) -> StageResult:
    """Pass when the weighted severity of threshold breaches falls and no function breaches anew."""
    if refactored is None or not refactored.strip():
        return StageResult(Outcome.SKIPPED, details={"reason": "no refactored code to measure"})
    thresholds = thresholds or default_thresholds()
    settings = thresholds.settings
    limits, origin = thresholds.for_language(normalise_language(language) or language)
    try:
        before = function_metrics(language, original, path)
        after = function_metrics(language, refactored, path)
    except MetricsUnavailable as exc:
        reason = str(exc)
        return StageResult(
            Outcome.ERROR, evidence=(Evidence("refactored", None, None, reason),), details={"reason": reason}
        )
    details = {
        "thresholds": limits,
        "thresholds_from": origin,
        "percentile": thresholds.percentile,
        "weights": dict(settings.weights),
        "functions_before": len(before),
        "functions_after": len(after),
    }
    if not before and not after:
        return StageResult(Outcome.SKIPPED, details=details | {"reason": "neither file has a function to measure"})
    breaches_before = _breaches(before, limits)
    breaches_after = _breaches(after, limits)
    # A function the answer no longer has was not improved, only lost (truncated or dropped answers): its
    # breaches stay on the books instead of counting as resolved.
    lost = _lost_functions(before, after, limits)
    carried = [b for b in breaches_before if (b.function, b.line) in lost]
    severity_before = _severity(breaches_before, settings.weights)
    severity_after = _severity(breaches_after + carried, settings.weights)
    total = severity_before + severity_after
    # Bounded in [-1, 1]: 1 when every breach is gone, 0 when nothing changed, -1 when all are new.
    score = (severity_before - severity_after) / total if total > 0 else 0.0
    known = Counter(b.key for b in breaches_before)
    new = []
    for breach in breaches_after:
        if known[breach.key] > 0:
            known[breach.key] -= 1
        else:
            new.append(breach)
    details |= {
        "severity_before": round(severity_before, 4),
        "severity_after": round(severity_after, 4),
        "breaches_before": len(breaches_before),
        "breaches_after": len(breaches_after),
        "new_breaches": len(new),
        "breaches_of_missing_functions": len(carried),
    }
    evidence = [Evidence("refactored", b.line, 1, "new breach: " + b.message) for b in new]
    new_ids = {id(b) for b in new}
    evidence += [
        Evidence("refactored", b.line, 1, "still breached: " + b.message)
        for b in breaches_after
        if id(b) not in new_ids
    ]
    evidence += [
        Evidence("original", b.line, 1, "not resolved, the function is missing from the answer: " + b.message)
        for b in carried
    ]
    after_keys = Counter(b.key for b in breaches_after + carried)
    for breach in breaches_before:
        if after_keys[breach.key] > 0:
            after_keys[breach.key] -= 1
        else:
            evidence.append(Evidence("original", breach.line, 1, "resolved: " + breach.message))
    code_before, code_after = code_profile(language, original, path), code_profile(language, refactored, path)
    details |= {
        "code_tokens_before": len(code_before.tokens),
        "code_tokens_after": len(code_after.tokens),
        "duplicated_share_before": round(code_before.duplicated_share, 4),
        "duplicated_share_after": round(code_after.duplicated_share, 4),
    }
    if code_before.tokens == code_after.tokens:
        return StageResult(
            Outcome.FAIL,
            score=0.0,
            evidence=(Evidence("refactored", None, None, "the code is unchanged: only comments or layout differ"),),
            details=details,
        )
    worse = _made_worse(code_before, code_after)
    units = thresholds.scales_for(normalise_language(language) or language)
    load_before, load_after = _load(before, units, settings.weights), _load(after, units, settings.weights)
    details |= {"load_before": round(load_before, 4), "load_after": round(load_after, 4)}
    if not breaches_before:
        # Nothing to reduce: the attempt is judged on the same metrics' continuous fall.
        score, fell, judged, grew = _judge_by_load(
            before, after, units, len(code_before.tokens), len(code_after.tokens), thresholds
        )
        evidence.append(judged)
        worse += grew
        passed = fell and not new
    else:
        passed = severity_after < severity_before and not new
        if passed and severity_after > 0:
            # A breach stays, with its severity down: what the answer changed may lie elsewhere.
            found = _clean_functions_worse(before, after, {b.function for b in breaches_before}, units, settings)
            if found is not None:
                passed = False
                score = min(score, found[0])
                worse.append(found[1])
    evidence = worse + evidence
    return StageResult(
        Outcome.PASS if passed and not worse else Outcome.FAIL,
        score=round(score, 6),
        evidence=capped(evidence, "breaches"),
        details=details,
    )


def _fall(before: float, after: float) -> float:
    """A relative fall in [-1, 1]: 1 when all of it is gone, 0 when nothing changed, -1 from nothing to something."""
    total = before + after
    return (before - after) / total if total > 0 else 0.0


def _judge_by_load(
    before: list[FunctionMetrics],
    after: list[FunctionMetrics],
    units: Mapping[str, float],
    tokens_before: int,
    tokens_after: int,
    thresholds: Thresholds,
) -> tuple[float, bool, Evidence, list[Evidence]]:
    """An original without breaches: its score (the load's fall), whether that is a gain, the evidence saying why,
    and what it made worse (a file grown).

    Each function's load is its metrics, each over the session's percentile of that metric in the language (what a
    large function of the session measures) and weighted as the breaches are; the file's load is their sum.
    Extracting a helper from a function no threshold flags adds a function's parameters and lines: no credit; a loop
    folded into a library call or a branch removed lowers it. A load that moves by no more than settings'
    minimum_score is flat (a token or a line in a file of hundreds): the metrics say neither simpler nor worse, and
    only a clearly shorter file (settings.minimum_shrink) is a measurable gain. Either way, an answer whose code shrinks
    by fewer than settings.minimum_tokens tokens with no decision, nesting level or parameter gone is a spelling (a
    block-bodied arrow made an expression, a template literal a plain string, a function a const arrow), not a
    simplification, however its lines fall."""
    settings = thresholds.settings
    load_before, load_after = _load(before, units, settings.weights), _load(after, units, settings.weights)
    score, band = _fall(load_before, load_after), settings.minimum_score
    changed = ", ".join(
        f"{METRIC_NAMES[m]} {_total(before, m):g} -> {_total(after, m):g}"
        for m in METRICS
        if _total(before, m) != _total(after, m)
    )
    load = f"load {load_before:.2f} -> {load_after:.2f} (score {score:+.3f}; {changed or 'no metric moved'})"
    code = f"{tokens_before} -> {tokens_after} tokens outside comments"
    structural = any(_total(after, m) < _total(before, m) for m in _STRUCTURE)
    spelling = tokens_before - tokens_after < settings.minimum_tokens and not structural
    respelt = (
        f"; the file's code {code} loses fewer than {settings.minimum_tokens} tokens, with no decision, nesting "
        "level or parameter gone: a spelling, not a simplification"
        if spelling
        else ""
    )
    if abs(score) <= band:
        shrank = tokens_after <= tokens_before * (1.0 - settings.minimum_shrink) and not spelling
        message = (
            f"the original breaches no threshold: its functions' {load} is flat, within {band:g}; the file's code "
            f"{code} {'shrinks' if shrank else 'does not shrink'} by {settings.minimum_shrink:.0%} or more{respelt}"
        )
        return score, shrank, Evidence("original", None, None, message), []
    fell = score > band and not spelling
    message = (
        "the original breaches no threshold: judged on its functions' metrics over the session's "
        f"{thresholds.percentile:g}th percentiles, {load}, {'a fall beyond' if score > band else 'not a fall beyond'} "
        f"{band:g}{respelt if score > band else ''}"
    )
    grew = [Evidence("refactored", None, None, f"the file's code grew: {code}")] if tokens_after > tokens_before else []
    return score, fell, Evidence("original", None, None, message), grew


_STRUCTURE = ("cyclomatic_complexity", "nesting_depth", "parameter_count")
"""The metrics that count a function's structure (its decisions, its levels, what a caller passes), not its spelling."""


def _clean_functions_worse(
    before: list[FunctionMetrics],
    after: list[FunctionMetrics],
    breaching: set[str],
    units: Mapping[str, float],
    settings: PipelineSettings,
) -> tuple[float, Evidence] | None:
    """When a breach stays: the original's functions that breached nothing and are still there (by name) must not get
    more complex as a whole (their load's fall below -minimum_score), so that a function made clearly worse is not
    hidden behind a breach that eased a little. Helpers split out of a breaching function are new and not counted:
    resolving a breach is what they are for. Their fall and the evidence, or None."""
    kept_before, kept_after = _kept_clean(before, after, breaching)
    load_before = _load(kept_before, units, settings.weights)
    load_after = _load(kept_after, units, settings.weights)
    score = _fall(load_before, load_after)
    if score >= -settings.minimum_score:
        return None
    risen = ", ".join(
        f"{old.name} {_load([old], units, settings.weights):.2f} -> {_load([new], units, settings.weights):.2f}"
        for old, new in zip(kept_before, kept_after, strict=True)
        if _load([new], units, settings.weights) > _load([old], units, settings.weights)
    )
    message = (
        f"a breach stays, and functions that breached nothing got more complex: {risen} "
        f"(their load {load_before:.2f} -> {load_after:.2f})"
    )
    return score, Evidence("refactored", None, None, message)


# ---------------------------------------------------------------------------------------------------------
# The file as a maintainer reads it: its code tokens (comments left out), how much of it repeats, bit arithmetic
# on literals, and helpers only the file itself can call. What the per-function thresholds cannot see.

DUPLICATE_WINDOW = 10
"""A run of this many tokens that occurs twice or more in a file is duplicated code (about one line of it)."""

DUPLICATION_RISE = 0.20
"""An answer whose share of duplicated tokens grows by more than this (20 points) adds duplication. Calibrated with the
metrics' fall on the 273 labelled real answers: kappa rises from 0.53 at 10 points to a plateau of 0.55-0.56 from 20
points up (short runs of 10 tokens also repeat in tables, loop headers and paired calls the reviewer finds clear); the
smallest rise within 0.01 of the best was taken, so large copies still fail."""

_BIT_OPERATORS = frozenset({b"~", b"&", b"|", b"^", b"<<", b">>", b">>>", b"&=", b"|=", b"^=", b"<<=", b">>=", b">>>="})


@dataclass(frozen=True)
class CodeProfile:
    """A text's code tokens (leaves of its tree, comments left out) and what maintainability reads from them."""

    tokens: tuple[bytes, ...]
    duplicated: int  # tokens inside a run of DUPLICATE_WINDOW tokens that occurs more than once
    bit_operators: int  # bitwise operators with an integer literal operand, and bitwise complements
    bitwise: int  # every binary bitwise operator and complement: the file already works with bits
    hidden_helpers: tuple[str, ...]  # functions callers outside the file cannot call, by name, once per definition

    @property
    def duplicated_share(self) -> float:
        return self.duplicated / len(self.tokens) if self.tokens else 0.0


def code_profile(language: str, text: str, path: str = "") -> CodeProfile:
    """The code tokens of a text and what they show (see CodeProfile)."""
    return _code_profile(grammar_name(language, path), text)


@lru_cache(maxsize=32)
def _code_profile(grammar: str, text: str) -> CodeProfile:
    from bare_tui.pipeline.signatures import extract_signatures  # the stage that knows each language's visibility

    spec = spec_for_grammar(grammar)
    language, path = spec.name, path_for_grammar(grammar)
    source = parse_source(language, text, path)
    walk = _walk(source, spec.node_kinds, spec.integer_power)
    entries = _table_entries(source, spec.node_kinds)
    helpers = tuple(
        _called_as(signature.name)
        for signature in extract_signatures(language, text, path)
        if not signature.visible
        and not signature.declaration
        and not signature.local
        and _called_as(signature.name) not in entries
    )
    duplicated = _duplicated(_without_tables(walk.tokens, walk.tables))
    # `1 << n` is two to the n where a language's only power is floating point (C's pow, Go's math.Pow, Java's
    # Math.pow): the plain integer spelling, unless the file also combines bits (`seen & bit`), where it is a mask.
    bits = walk.bits + (walk.powers if walk.bitwise > walk.powers else 0)
    return CodeProfile(tuple(walk.tokens), duplicated, bits, walk.bitwise, helpers)


def _table_entries(source: Source, kinds: NodeKinds) -> frozenset[str]:
    """The names of the functions that are entries of a table literal (NodeKinds.tables): a pair whose value is a
    function, or a method written in the literal. A string key is named without its quotes."""
    if not kinds.tables:
        return frozenset()
    names = set()
    for table in captures(source, kinds_pattern(source.grammar, sorted(kinds.tables), "hit"), name="hit"):
        for entry in table.named_children:
            if entry.type in kinds.pairs:
                key, value = entry.child_by_field_name("key"), entry.child_by_field_name("value")
                if key is None or value is None or value.type not in kinds.functions:
                    continue
            elif entry.type in kinds.functions:
                key = entry.child_by_field_name("name")
                if key is None:
                    continue
            else:
                continue
            names.add(source.node_text(key).strip("'\"`"))
    return frozenset(names)


def _called_as(qualified: str) -> str:
    """The name a call spells: the last part of a qualified name, without what follows it (a C++ method's `const`)."""
    return re.split(r"::|\.", qualified)[-1].split()[0]


_DATA_LEAF = re.compile(
    r"string|escape|char|rune|integer|int_literal|float|number|real_literal|boolean|null|content|fragment"
    r"|^(true|false|nil|none|undefined)$"
)
"""The kinds of a leaf that is data, in every grammar's spelling: a literal or a piece of one (a string's text, an
escape). An identifier, a type or an operator is not: a node holding one is code."""


@dataclass
class _Walk:
    tokens: list[bytes] = field(default_factory=list)
    tables: list[tuple[int, int]] = field(default_factory=list)  # token ranges [start, end) of literal table rows
    bits: int = 0
    bitwise: int = 0
    powers: int = 0  # `1 << n` in a language without an integer power operator


def _walk(source: Source, kinds: NodeKinds, integer_power: bool = False) -> _Walk:
    """The code tokens of a tree in order (comments left out), its bitwise operators, and its table rows: a node
    of two or more parts that are all literals (`Map.entry("UUU", "Phe")`'s arguments, `{"one", "two"}`,
    `{"a": 1, "b": 2}`): data a reviewer reads as a table, not as code that was copied. Walked without recursion
    (a deeply nested file must not overflow the stack), each node's `data` decided from its children's."""
    data, numbers = source.data, kinds.number_literals
    walk = _Walk()
    # A frame: the node, its children, the next child's index, whether every named child so far is data, how many
    # named children, and the index of its first token.
    root = source.tree.root_node
    stack: list[list] = [[root, root.children, 0, True, 0, 0]]
    while stack:
        frame = stack[-1]
        node, children, index = frame[0], frame[1], frame[2]
        if index < len(children):
            frame[2] = index + 1
            child = children[index]
            if "comment" in child.type:
                continue
            if child.children:
                stack.append([child, child.children, 0, True, 0, len(walk.tokens)])
                continue
            token = data[child.start_byte : child.end_byte].strip()
            if token:
                walk.tokens.append(token)
                if token in _BIT_OPERATORS and _is_bitwise(child, token):
                    walk.bitwise += 1
                    if not integer_power and child.parent is not None and _power_of_two(child.parent, token, numbers):
                        walk.powers += 1
                    else:
                        walk.bits += _has_integer_operand(child, token, numbers)
            if child.is_named:
                frame[4] += 1
                frame[3] = frame[3] and (bool(_DATA_LEAF.search(child.type)) or child.type in numbers)
            continue
        stack.pop()
        all_data, parts = frame[3], frame[4]
        is_data = all_data and node.type not in kinds.calls and (parts > 0 or node.type in kinds.strings)
        if is_data and parts >= 2 and node.type not in kinds.strings:
            walk.tables.append((frame[5], len(walk.tokens)))
        if stack and node.is_named:
            parent = stack[-1]
            parent[4] += 1
            parent[3] = parent[3] and is_data
    return walk


def _without_tables(tokens: Sequence[bytes], tables: Sequence[tuple[int, int]]) -> list[object]:
    """The tokens with each outermost table row made one token of its own, unlike any other: rows of a table do not
    repeat each other's code, whatever their punctuation and repeated values share."""
    stream: list[object] = []
    position = 0
    for start, end in sorted(tables, key=lambda span: (span[0], -span[1])):
        if start < position:
            continue  # inside a row already replaced
        stream.extend(tokens[position:start])
        stream.append(object())
        position = end
    stream.extend(tokens[position:])
    return stream


def _is_bitwise(node: tree_sitter.Node, token: bytes) -> bool:
    """A bitwise operator in an expression: `~x`, `a & b`, `x <<= 1` (not `&x`, an address)."""
    parent = node.parent
    if parent is None:
        return False
    if token == b"~":
        return "unary" in parent.type
    return "binary" in parent.type or "assignment" in parent.type or "augmented" in parent.type


def _has_integer_operand(node: tree_sitter.Node, token: bytes, numbers: frozenset[str]) -> bool:
    """Bit arithmetic rather than a set union or a stream: a complement, or an integer literal beside the operator
    (`year & 3`, `1 << i`); `a | b` on sets and `cout << x` are not."""
    parent = node.parent
    return token == b"~" or (parent is not None and any(_is_integer_literal(s, numbers) for s in parent.named_children))


_ONE = re.compile(rb"1(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]|n)")
"""The literal 1 in every grammar's spelling: C's suffixes (1u, 1UL, 1ULL, 1LL), JavaScript's BigInt (1n)."""


def _power_of_two(expression: tree_sitter.Node, token: bytes, numbers: frozenset[str]) -> bool:
    """`1 << n`: the literal 1 shifted left, two to the n."""
    operands = expression.named_children
    return (
        token == b"<<"
        and len(operands) == 2
        and _is_integer_literal(operands[0], numbers)
        and _ONE.fullmatch(operands[0].text or b"") is not None
    )


def _is_integer_literal(node: tree_sitter.Node, numbers: frozenset[str]) -> bool:
    """A literal whose kind says `integer` (every grammar's convention where it has one), or a number literal of
    the language's (NodeKinds.number_literals)."""
    return "integer" in node.type or node.type in numbers


def _duplicated(tokens: Sequence[object]) -> int:
    """How many tokens lie inside a run of DUPLICATE_WINDOW tokens that occurs more than once in the file."""
    width = DUPLICATE_WINDOW
    if len(tokens) < 2 * width:
        return 0
    windows = [hash(tuple(tokens[i : i + width])) for i in range(len(tokens) - width + 1)]
    seen = Counter(windows)
    covered = 0
    reach = -1  # the last token index already counted
    for start, window in enumerate(windows):
        if seen[window] > 1:
            end = start + width - 1
            covered += end - max(reach, start - 1)
            reach = end
    return covered


def _made_worse(before: CodeProfile, after: CodeProfile) -> list[Evidence]:
    """What the answer makes notably worse whatever its metrics: helpers left unused, bit tricks, duplication."""
    found = []
    defined_before, defined_after = Counter(before.hidden_helpers), Counter(after.hidden_helpers)
    uses_before, uses_after = Counter(before.tokens), Counter(after.tokens)
    for name in sorted(defined_after):
        # the original called it (its name occurs beyond its definitions); the answer no longer does
        word = name.encode("utf-8")
        if uses_after[word] > defined_after[name]:
            continue
        if uses_before[word] > defined_before[name] > 0:
            found.append(Evidence("refactored", None, None, f"{name} is left in the answer but no longer used"))
        elif not defined_before[name]:
            found.append(Evidence("refactored", None, None, f"{name} is added to the answer and nothing calls it"))
    if after.bit_operators and not before.bitwise:  # a file that already works with bits may use more of them
        found.append(
            Evidence(
                "refactored",
                None,
                None,
                f"bit arithmetic introduced ({after.bit_operators} operators on literals): clarity traded for speed",
            )
        )
    rise = after.duplicated_share - before.duplicated_share
    if rise > DUPLICATION_RISE:
        found.append(
            Evidence(
                "refactored",
                None,
                None,
                f"duplicated code {before.duplicated_share:.0%} -> {after.duplicated_share:.0%} of the tokens "
                f"(runs of {DUPLICATE_WINDOW} tokens that occur twice or more)",
            )
        )
    return found


@dataclass(frozen=True)
class _Breach:
    function: str
    metric: str
    line: int
    value: float
    threshold: float

    @property
    def key(self) -> tuple[str, str]:
        # The method's own name: one moved to another class (SalesReport::BuildCsv to Row::BuildCsv)
        # keeps its breach rather than resolving one and adding a new one.
        return (_short_name(self.function), self.metric)

    @property
    def excess(self) -> float:
        return self.value / self.threshold - 1.0

    @property
    def message(self) -> str:
        return f"{self.function}: {METRIC_NAMES[self.metric]} {self.value:g} > {self.threshold:g}"


def _lost_functions(
    before: list[FunctionMetrics], after: list[FunctionMetrics], limits: Mapping[str, float]
) -> set[tuple[str, int]]:
    """(name, start line) of the original's functions the answer no longer has. Names are matched as a
    multiset (lizard leaves Python methods unqualified, so two classes' `__init__` share a name); when a name
    loses instances, the breaching ones count as lost, since a lost function cannot show it was improved.
    A name gone entirely is still present if it was unique and its own name reappears (a moved method)."""
    available = Counter(f.name for f in after)
    short_after = Counter(_short_name(f.name) for f in after)
    short_before = Counter(_short_name(f.name) for f in before)

    def breaches(f: FunctionMetrics) -> bool:
        return any(limits[m] > 0 and f.values[m] > limits[m] for m in METRICS)

    lost: set[tuple[str, int]] = set()
    for function in sorted(before, key=breaches):  # clean functions take the surviving names first
        if available[function.name] > 0:
            available[function.name] -= 1
        elif not (short_before[_short_name(function.name)] == 1 and short_after[_short_name(function.name)]):
            lost.add((function.name, function.start_line))
    return lost


def _kept_clean(
    before: list[FunctionMetrics], after: list[FunctionMetrics], breaching: set[str]
) -> tuple[list[FunctionMetrics], list[FunctionMetrics]]:
    """The original's functions that breached nothing, and the answer's functions of the same names, paired in order
    (a name the answer no longer has, or has more often, pairs as far as it goes)."""
    remaining: dict[str, list[FunctionMetrics]] = {}
    for function in after:
        remaining.setdefault(function.name, []).append(function)
    kept_before, kept_after = [], []
    for function in before:
        if function.name in breaching or not remaining.get(function.name):
            continue
        kept_before.append(function)
        kept_after.append(remaining[function.name].pop(0))
    return kept_before, kept_after


def _short_name(qualified: str) -> str:
    return re.split(r"::|\.", qualified)[-1]


def _breaches(functions: list[FunctionMetrics], limits: Mapping[str, float]) -> list[_Breach]:
    found = []
    for function in functions:
        for metric in METRICS:
            limit = limits[metric]
            value = function.values[metric]
            if limit > 0 and value > limit:
                found.append(_Breach(function.name, metric, function.start_line, value, limit))
    return found


def _counted(function: FunctionMetrics, metric: str) -> float:
    """A metric as a load counts it: complexity as the function's decisions (less its one straight path), so that
    a function split in two is not one more unit of complexity; the others as lizard and the tree give them."""
    value = function.values[metric]
    return max(value - 1.0, 0.0) if metric == "cyclomatic_complexity" else value


def _total(functions: list[FunctionMetrics], metric: str) -> float:
    return sum(_counted(f, metric) for f in functions)


def _load(functions: list[FunctionMetrics], units: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """A file's functions' weighted metrics, each in units of the session's percentile of that metric."""
    return sum(weights.get(m, 1.0) * _total(functions, m) / max(units.get(m, 1.0), 1.0) for m in METRICS)


def _severity(breaches: list[_Breach], weights: Mapping[str, float]) -> float:
    return sum(weights.get(b.metric, 1.0) * b.excess for b in breaches)


# ---------------------------------------------------------------------------------------------------------
# Nesting depth from tree-sitter: lizard's NestingDepth extension miscounts (it reports 5 for a Python
# function whose deepest block is 3 levels in, and 2 for a C function with 3), so the tree is measured.

# What is control flow, a function, an `else if` or a catch, the language file says (NodeKinds): an `else if`
# continues its chain rather than nesting; a catch or except is at its try's level.


def _nesting_by_end_line(language: str, text: str, path: str) -> tuple[dict[int, int], dict[int, int]]:
    """The deepest control-flow nesting inside each outermost function, keyed by the function's last line (1-based).
    A function nested in it (a callback, a lambda, a nested def) is part of it (_fold_nested) and one level of its
    nesting: `rows.forEach(row => { if (row) ... })` is as deep as `for (row of rows) { if (row) ... }`. And how
    many functions are nested in each (_fold_nested counts each as a decision), keyed the same way."""
    source = parse_source(language, text, path)
    kinds = spec_for_grammar(source.grammar).node_kinds
    nodes = captures(source, kinds_pattern(source.grammar, sorted(kinds.control | kinds.functions), "hit"), name="hit")
    depths: dict[int, int] = {}
    nested: dict[int, int] = {}
    for node in nodes:
        depth = 0
        current: tree_sitter.Node | None = node
        function = None
        while current is not None:
            kind = current.type
            if kind in kinds.functions:
                if function is not None:
                    depth += 1  # the function found before this one is nested in it: a level
                function = current
            elif kind in kinds.control and kind not in kinds.same_level:
                parent = current.parent
                if not (kind in kinds.conditionals and parent is not None and parent.type in kinds.chained_parents):
                    depth += 1
            current = current.parent
        if function is None:
            continue
        end_line = function.end_point.row + 1
        if depth > depths.get(end_line, 0):
            depths[end_line] = depth
        if node.type in kinds.functions and function is not node:
            nested[end_line] = nested.get(end_line, 0) + 1
    return depths, nested


def _at_end(by_end_line: dict[int, int], end_line: int) -> int | None:
    """The tree-sitter fact for the function lizard says ends on this line (or one line either side)."""
    for line in (end_line, end_line + 1, end_line - 1):
        if line in by_end_line:
            return by_end_line[line]
    return None


# Parameter counts from tree-sitter too: lizard counts `function f($a, $b)` in PHP as one parameter and
# mis-reads Go's grouped `a, b int`.


def _parameters_by_end_line(language: str, text: str, path: str) -> dict[int, int]:
    source = parse_source(language, text, path)
    spec = spec_for_grammar(source.grammar)
    grouped, kinds = spec.grouped_parameters, spec.node_kinds
    counts: dict[int, int] = {}
    for function in captures(source, kinds_pattern(source.grammar, sorted(kinds.functions), "hit"), name="hit"):
        parameters = function.child_by_field_name("parameters")
        if parameters is None:
            declarator = function.child_by_field_name("declarator")
            while declarator is not None and declarator.type not in kinds.function_declarators:
                declarator = declarator.child_by_field_name("declarator")
            parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
        if parameters is None:
            count = 1 if function.child_by_field_name("parameter") is not None else 0
        else:
            count = 0
            for child in parameters.named_children:
                if child.type in kinds.not_parameters:
                    continue
                declaration = child.type in kinds.parameter_declarations
                if declaration and grouped:
                    count += max(1, len(child.children_by_field_name("name")))  # `a, b int` is two
                elif not (declaration and source.node_text(child).strip() == "void"):
                    count += 1
        counts.setdefault(function.end_point.row + 1, count)  # the outer function, not a lambda ending with it
    return counts
