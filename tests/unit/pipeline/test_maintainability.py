"""The maintainability stage on real standard-library code: splitting a long function pays, renaming does not."""

from __future__ import annotations

import inspect
import json.decoder
import math
import re
from pathlib import Path

import numpy
import pytest
from lizard_core.extensions import get_extensions
from lizard_core.file_analyzer import FileAnalyzer

from bare_tui.model import Outcome
from bare_tui.pipeline.maintainability import (
    DUPLICATION_RISE,
    FunctionSample,
    check_maintainability,
    code_profile,
    compute_thresholds,
    default_thresholds,
    function_metrics,
    measure_original,
)
from bare_tui.pipeline.settings import DEFAULT_SETTINGS
from bare_tui.pipeline.version import pipeline_version
from tests.unit.pipeline import corpus

DECODER = Path(json.decoder.__file__).read_text(encoding="utf-8")
SCANSTRING = inspect.getsource(json.decoder.py_scanstring)

# py_scanstring (cyclomatic complexity 13) split the way a reviewer would ask: the escape handling moves
# into two helpers, the loop keeps only the chunk logic.
SCANSTRING_SPLIT = '''def _decode_unicode_escape(s, end):
    uni = _decode_uXXXX(s, end)
    end += 5
    if 0xd800 <= uni <= 0xdbff and s[end:end + 2] == '\\\\u':
        uni2 = _decode_uXXXX(s, end + 1)
        if 0xdc00 <= uni2 <= 0xdfff:
            uni = 0x10000 + (((uni - 0xd800) << 10) | (uni2 - 0xdc00))
            end += 6
    return chr(uni), end


def _decode_escape(s, end, begin, _b):
    try:
        esc = s[end]
    except IndexError:
        raise JSONDecodeError("Unterminated string starting at", s, begin) from None
    if esc == 'u':
        return _decode_unicode_escape(s, end)
    try:
        char = _b[esc]
    except KeyError:
        msg = "Invalid \\\\escape: {0!r}".format(esc)
        raise JSONDecodeError(msg, s, end)
    return char, end + 1


def py_scanstring(s, end, strict=True,
        _b=BACKSLASH, _m=STRINGCHUNK.match):
    """Scan the string s for a JSON string (see the original docstring)."""
    chunks = []
    begin = end - 1
    while 1:
        chunk = _m(s, end)
        if chunk is None:
            raise JSONDecodeError("Unterminated string starting at", s, begin)
        end = chunk.end()
        content, terminator = chunk.groups()
        if content:
            chunks.append(content)
        if terminator == '"':
            break
        if terminator != '\\\\':
            if strict:
                raise JSONDecodeError("Invalid control character {0!r} at".format(terminator), s, end)
            chunks.append(terminator)
            continue
        char, end = _decode_escape(s, end, begin, _b)
        chunks.append(char)
    return ''.join(chunks), end
'''


def test_splitting_a_long_real_function_into_helpers_passes_with_a_positive_score() -> None:
    refactored = DECODER.replace(SCANSTRING, SCANSTRING_SPLIT)
    assert refactored != DECODER
    compile(refactored, "decoder.py", "exec")  # the split is real Python

    result = check_maintainability("python", DECODER, refactored, "json/decoder.py")

    assert result.outcome is Outcome.PASS
    assert result.score is not None and result.score > 0
    assert result.details["severity_after"] < result.details["severity_before"]
    assert result.details["new_breaches"] == 0
    resolved = [e for e in result.evidence if e.side == "original" and e.message.startswith("resolved")]
    assert any("py_scanstring: cyclomatic complexity 13" in e.message for e in resolved)


def test_renaming_variables_only_scores_zero_and_fails() -> None:
    renames = {"chunks": "pieces", "_append": "_add", "terminator": "term", "content": "body", "uni": "code"}
    refactored = DECODER
    for old, new in renames.items():
        refactored = re.sub(rf"\b{old}\b", new, refactored)
    assert refactored != DECODER

    result = check_maintainability("python", DECODER, refactored, "json/decoder.py")

    assert result.outcome is Outcome.FAIL
    assert result.score == pytest.approx(0.0)


def test_a_new_breach_fails_even_when_total_severity_falls() -> None:
    # The split helps py_scanstring, but a new six-parameter helper breaches the parameter threshold (5).
    helper = "def _wide(a, b, c, d, e, f):\n    return a\n\n\n"
    refactored = DECODER.replace(SCANSTRING, helper + SCANSTRING_SPLIT)

    result = check_maintainability("python", DECODER, refactored, "json/decoder.py")

    assert result.outcome is Outcome.FAIL
    assert result.details["new_breaches"] == 1
    assert any(e.message.startswith("new breach: _wide: parameters 6 > 5") for e in result.evidence)


def test_thresholds_are_the_sessions_percentiles_measured_by_lizard_itself() -> None:
    import email.message
    import http.client
    import textwrap

    texts = [
        Path(module.__file__).read_text(encoding="utf-8")
        for module in (json.decoder, textwrap, http.client, email.message)
    ]
    analyzer = FileAnalyzer(get_extensions(["modified"]))  # a switch is one decision, as the stage counts it
    functions = []
    for text in texts:
        # a nested def is measured as part of the function around it: its decisions and lines count there
        listed = [
            [f.start_line, f.end_line, f.cyclomatic_complexity, f.nloc]
            for f in analyzer.analyze_source_code("x.py", text).function_list
        ]
        for index, (start, end, ccn, nloc) in enumerate(listed):
            outer = next((o for o in listed[index + 1 :] if o[0] <= start and end <= o[1]), None)
            if outer is None:
                functions.append((ccn, nloc))
            else:
                outer[2] += ccn - 1
                outer[3] = min(outer[3] + nloc, outer[1] - outer[0] + 1)
    assert len(functions) >= DEFAULT_SETTINGS.minimum_functions

    thresholds = compute_thresholds({"python": texts})

    limits, origin = thresholds.for_language("python")
    assert origin == f"session ({len(functions)} functions)"
    expected_ccn = numpy.percentile([ccn for ccn, _ in functions], 90)
    expected_nloc = numpy.percentile([nloc for _, nloc in functions], 90)
    # whole numbers, as the metrics are: a depth of 3 never breaches a threshold of 2.6
    assert limits["cyclomatic_complexity"] == max(
        math.ceil(expected_ccn), DEFAULT_SETTINGS.threshold_floors["cyclomatic_complexity"]
    )
    assert limits["nloc"] == max(math.ceil(expected_nloc), DEFAULT_SETTINGS.threshold_floors["nloc"])

    result = check_maintainability(
        "python", DECODER, DECODER.replace(SCANSTRING, SCANSTRING_SPLIT), thresholds=thresholds
    )
    assert result.details["thresholds"] == limits
    assert result.details["thresholds_from"] == origin


def test_thresholds_do_not_depend_on_the_order_the_originals_are_measured_in() -> None:
    # Workers finish originals in any order: the percentiles must come out the same.
    import argparse
    import email.message
    import http.client
    import textwrap

    texts = [
        Path(module.__file__).read_text(encoding="utf-8")
        for module in (json.decoder, textwrap, http.client, email.message, argparse)
    ]
    in_order = compute_thresholds({"python": texts})
    sample = FunctionSample()
    for text in reversed(texts):
        sample.add("python", measure_original("python", text))

    assert sample.thresholds().by_language == in_order.by_language
    assert sample.thresholds().origin == in_order.origin
    assert sample.functions("python") == sum(len(function_metrics("python", text)) for text in texts)


def test_too_few_originals_fall_back_to_the_documented_defaults() -> None:
    thresholds = compute_thresholds({"go": ["package p\n\nfunc F(a int) int { return a }\n"]})
    limits, origin = thresholds.for_language("go")
    assert origin == "default"
    assert limits == DEFAULT_SETTINGS.default_thresholds


def test_thresholds_and_weights_enter_the_pipeline_version() -> None:
    base = pipeline_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{6}", base)
    assert pipeline_version(DEFAULT_SETTINGS.with_changes(threshold_percentile=75.0)) != base
    assert pipeline_version(DEFAULT_SETTINGS.with_changes(weights={**DEFAULT_SETTINGS.weights, "nloc": 3.0})) != base
    assert pipeline_version(DEFAULT_SETTINGS.with_changes(hang_marker="x")) == base  # a test hook is not a setting


@pytest.mark.parametrize(
    ("language", "code", "depth"),
    [
        (
            "python",
            "def f(a):\n    for i in a:\n        if i:\n            while i:\n                i -= 1\n    return a\n",
            3,
        ),
        (
            "c",
            "int f(int a) {\n  if (a) { a++; } else if (a > 2) { a--; } else if (a < 0) { a = 0; }\n  return a;\n}\n",
            1,
        ),
        (
            "java",
            "class A { int f(int a) { for (;;) { try { if (a > 0) { return a; } } catch (Exception e) { } } } }",
            3,
        ),
        (
            "go",
            "package p\n\nfunc F(a int) int {\n\tfor a > 0 {\n\t\tswitch a {\n\t\tcase 1:\n\t\t\tif a > 0 {\n\t\t\t\treturn a\n\t\t\t}\n\t\t}\n\t}\n\treturn 0\n}\n",
            3,
        ),
    ],
)
def test_nesting_depth_counts_nested_blocks_and_treats_else_if_as_one_level(
    language: str, code: str, depth: int
) -> None:
    (function,) = function_metrics(language, code)
    assert function.values["nesting_depth"] == depth


SCORES_C = """int score(char letter) {
    switch (letter) {
    case 'a': case 'e': case 'i': case 'o': case 'u':
    case 'l': case 'n': case 'r': case 's': case 't':
        return 1;
    case 'd': case 'g':
        return 2;
    case 'k':
        return 5;
    default:
        return 0;
    }
}
"""


def test_a_switch_is_one_decision_however_many_case_labels_it_groups() -> None:
    # a table of cases reads as one choice: lizard's modified count (`lizard -m`), not one decision per label
    (function,) = function_metrics("c", SCORES_C)
    assert function.values["cyclomatic_complexity"] == 2
    chain = (
        "int score(char c) {\n"
        + "".join(f"    if (c == '{c}') return {i};\n" for i, c in enumerate("aeiould"))
        + "    return 0;\n}\n"
    )
    (branches,) = function_metrics("c", chain)
    assert branches.values["cyclomatic_complexity"] == 8  # an if chain still counts each branch
    # so a grouped switch of 14 labels is no breach of the review limit of 10 decisions
    result = check_maintainability("c", chain, SCORES_C, "score.c")
    assert not [e.message for e in result.evidence if e.message.startswith("new breach")]
    assert result.score is not None and result.score > 0.3  # the load falls: seven branches made one choice


@pytest.mark.parametrize(
    ("language", "code"),
    [
        (
            "c",
            "int f(int a, int b, int c) {\n    if (a > 0 && b > 0 && (c > 0 && a < b)) {\n        return 1;\n    }\n    return 0;\n}\n",
        ),
        ("python", "def f(a, b, c):\n    if a > 0 and b > 0 and c > 0 and a < b:\n        return 1\n    return 0\n"),
        (
            "go",
            "package p\n\nfunc F(a, b, c int) int {\n\tif a > 0 && b > 0 && c > 0 && a < b {\n\t\treturn 1\n\t}\n\treturn 0\n}\n",
        ),
    ],
)
def test_a_chain_of_like_logical_operators_is_one_decision(language: str, code: str) -> None:
    # four conditions joined by one operator are read as one condition (the `if`, and the chain): not four decisions
    (function,) = function_metrics(language, code)
    assert function.values["cyclomatic_complexity"] == 3
    # a change of operator is a second condition to take in
    mixed = code.replace("&& a < b", "|| a < b").replace("and a < b", "or a < b")
    (other,) = function_metrics(language, mixed)
    assert other.values["cyclomatic_complexity"] == 4


@pytest.mark.parametrize(
    ("language", "path", "nested", "loops"),
    [
        (
            "javascript",
            "a.js",
            "function countAbove(rows, limit) {\n  let count = 0;\n  rows.forEach((row) => {\n"
            "    row.forEach((value, index) => {\n      if (value > limit) {\n        count += index;\n      }\n"
            "    });\n  });\n  return count;\n}\n",
            "function countAbove(rows, limit) {\n  let count = 0;\n  for (const row of rows) {\n"
            "    for (const [index, value] of row.entries()) {\n      if (value > limit) {\n        count += index;\n"
            "      }\n    }\n  }\n  return count;\n}\n",
        ),
        (
            "python",
            "a.py",
            "def count_above(rows, limit):\n    def above(row, start):\n        found = 0\n"
            "        for value in row[start:]:\n            if value > limit:\n                found += 1\n"
            "        return found\n    return sum(above(row, 0) for row in rows)\n",
            "def count_above(rows, limit):\n    found = 0\n    for row in rows:\n        for value in row:\n"
            "            if value > limit:\n                found += 1\n    return found\n",
        ),
        (
            "java",
            "A.java",
            "class A {\n  int countAbove(List<List<Integer>> rows, int limit) {\n    return rows.stream().mapToInt(row -> {\n"
            "      int n = 0;\n      for (int v : row) {\n        if (v > limit) {\n          n++;\n        }\n      }\n"
            "      return n;\n    }).sum();\n  }\n}\n",
            "class A {\n  int countAbove(List<List<Integer>> rows, int limit) {\n    int n = 0;\n"
            "    for (List<Integer> row : rows) {\n      for (int v : row) {\n        if (v > limit) {\n          n++;\n"
            "        }\n      }\n    }\n    return n;\n  }\n}\n",
        ),
    ],
)
def test_a_callback_is_measured_as_part_of_the_function_that_encloses_it(
    language: str, path: str, nested: str, loops: str
) -> None:
    # A reader reads a callback, a lambda or a nested def as part of the function around it: one function, whose
    # nesting the callback deepens like the loop it stands for, and whose parameters are the enclosing function's
    # own (a callback's are filled by the library that calls it, not by a caller of the file).
    (function,) = function_metrics(language, nested, path)
    (plain,) = function_metrics(language, loops, path)
    assert function.values["nesting_depth"] == plain.values["nesting_depth"] == 3
    assert function.values["parameter_count"] == 2
    # its decisions and lines are the enclosing function's: nothing is lost by folding it in
    assert function.values["nloc"] == function.end_line - function.start_line + 1
    # a callback is a decision, as the `for` it stands for is: two forEach are the two loops, one stream's lambda the
    # outer loop; the nested def is one more beside the generator's `for`, which lizard counts as a loop too
    beyond_the_loops = {"javascript": 0, "python": 1, "java": 0}[language]
    assert function.values["cyclomatic_complexity"] == plain.values["cyclomatic_complexity"] + beyond_the_loops


@pytest.mark.parametrize(
    ("language", "path", "code"),
    [
        ("javascript", "a.js", "function f(a, b) {\n  if (a) { return b; }\n  return a;\n}\n"),
        ("typescript", "a.ts", "function f<T>(a: T, b: number): T {\n  if (b) { return a; }\n  return a;\n}\n"),
        ("csharp", "A.cs", "class A { int F(int a, int b) { if (a > b) { return a; } return b; } }"),
        ("php", "a.php", "<?php\nfunction f($a, $b) {\n  if ($a) { return $b; }\n  return $a;\n}\n"),
        ("cpp", "a.cpp", "int f(int a, int b) {\n  if (a) { return b; }\n  return a;\n}\n"),
        ("go", "a.go", "package p\n\nfunc F(a, b int) int {\n\tif a > b {\n\t\treturn a\n\t}\n\treturn b\n}\n"),
    ],
)
def test_lizard_reads_each_language_with_its_own_reader(language: str, path: str, code: str) -> None:
    (function,) = function_metrics(language, code, path)
    assert function.name.endswith(("f", "F"))
    assert function.values["cyclomatic_complexity"] == 2
    assert function.values["parameter_count"] == 2


def test_an_empty_answer_is_not_measured() -> None:
    result = check_maintainability("python", DECODER, "   \n")
    assert result.outcome is Outcome.SKIPPED
    assert default_thresholds().for_language("python")[1] == "default"


def test_a_file_too_deep_for_lizard_is_an_error_not_a_partial_measurement() -> None:
    deep = "function f(a) {\n  return " + "[" * 2000 + "a" + "]" * 2000 + ";\n}\n"
    result = check_maintainability("javascript", "function f(a) {\n  return a;\n}\n", deep)
    assert result.outcome is Outcome.ERROR
    assert "too deep" in result.details["reason"]


def test_a_method_moved_to_another_class_keeps_its_breach_rather_than_adding_one() -> None:
    wide = (
        "  int total(int a, int b, int c, int d, int e, int f, int g) {\n    return a + b + c + d + e + f + g;\n  }\n"
    )
    original = "class Report {\n" + wide + "}\n"
    moved = "class Report {\n}\n\nclass Row {\n" + wide + "}\n"

    result = check_maintainability("java", original, moved, "Report.java")

    assert result.details["new_breaches"] == 0
    assert result.outcome is Outcome.FAIL  # nothing got better either
    assert [e.message for e in result.evidence] == ["still breached: Row::total: parameters 7 > 5"]


def test_a_truncated_answer_gets_no_credit_for_the_functions_it_lost() -> None:
    # Cut just before py_scanstring: its complexity-13 breach is gone from the file, not improved.
    cut = DECODER[: DECODER.index("def py_scanstring")]
    assert "def JSONObject" not in cut and "py_scanstring" not in cut.split("def ")[-1]

    result = check_maintainability("python", DECODER, cut, "json/decoder.py")

    assert result.outcome is Outcome.FAIL
    assert result.details["breaches_of_missing_functions"] >= 1
    assert result.details["severity_after"] >= result.details["severity_before"]
    assert any(
        e.message.startswith("not resolved, the function is missing from the answer: py_scanstring")
        for e in result.evidence
    )


# --- an original without breaches -----------------------------------------------------------------------------

CLEAN = """def totals(rows):
    result = {}
    for row in rows:
        for key, value in row.items():
            if value is not None and key != "id":
                if key in result:
                    result[key] += value
                else:
                    result[key] = value
    return result


def label(total):
    return f"{total:,}"
"""
CLEAN_SPLIT = """def _add(result, key, value):
    if key in result:
        result[key] += value
    else:
        result[key] = value


def totals(rows):
    result = {}
    for row in rows:
        for key, value in row.items():
            if value is not None and key != "id":
                _add(result, key, value)
    return result


def label(total):
    return f"{total:,}"
"""


CLEAN_SHORTER = """def totals(rows):
    result = {}
    for row in rows:
        for key, value in row.items():
            if value is not None and key != "id":
                result[key] = result.get(key, 0) + value
    return result


def label(total):
    return f"{total:,}"
"""


def test_an_original_without_breaches_passes_when_its_code_measurably_shrinks() -> None:
    improved = check_maintainability("python", CLEAN, CLEAN_SHORTER)
    assert improved.details["breaches_before"] == 0
    assert improved.outcome is Outcome.PASS, [e.message for e in improved.evidence]
    assert improved.details["code_tokens_after"] <= 0.95 * improved.details["code_tokens_before"]
    assert improved.score is not None and improved.score > 0
    renamed = check_maintainability("python", CLEAN, CLEAN.replace("result", "acc"))
    assert renamed.outcome is Outcome.FAIL and renamed.score == pytest.approx(0.0)
    # a helper extracted from a function no threshold flags is more code to read, not less: no credit
    split = check_maintainability("python", CLEAN, CLEAN_SPLIT)
    assert split.outcome is Outcome.FAIL and split.score is not None and split.score < 0


# A small function no threshold flags, in four languages: folding a temporary into its use is a small fall of its
# lines and tokens; replacing the loop with the language's own reduction is a larger one (a decision and a nesting level
# gone); naming one more temporary is a rise.
SMALL_TOTALS = {
    "python": (
        "def total(prices, rate):\n    result = 0\n    for price in prices:\n        taxed = price * (1 + rate)\n"
        "        result = result + taxed\n    return result\n",
        (
            "        taxed = price * (1 + rate)\n        result = result + taxed\n",
            "        result += price * (1 + rate)\n",
        ),
        "def total(prices, rate):\n    return sum(price * (1 + rate) for price in prices)\n",
    ),
    "javascript": (
        "function total(prices, rate) {\n  let result = 0;\n  for (const price of prices) {\n"
        "    const taxed = price * (1 + rate);\n    result = result + taxed;\n  }\n  return result;\n}\n",
        (
            "    const taxed = price * (1 + rate);\n    result = result + taxed;\n",
            "    result += price * (1 + rate);\n",
        ),
        "function total(prices, rate) {\n  return prices.reduce((sum, price) => sum + price * (1 + rate), 0);\n}\n",
    ),
    "go": (
        "package shop\n\nfunc Total(prices []float64, rate float64) float64 {\n\tresult := 0.0\n"
        "\tfor _, price := range prices {\n\t\ttaxed := price * (1 + rate)\n\t\tresult = result + taxed\n\t}\n"
        "\treturn result\n}\n",
        ("\t\ttaxed := price * (1 + rate)\n\t\tresult = result + taxed\n", "\t\tresult += price * (1 + rate)\n"),
        None,
    ),
    "java": (
        "class Shop {\n    static double total(double[] prices, double rate) {\n        double result = 0;\n"
        "        for (double price : prices) {\n            double taxed = price * (1 + rate);\n"
        "            result = result + taxed;\n        }\n        return result;\n    }\n}\n",
        (
            "            double taxed = price * (1 + rate);\n            result = result + taxed;\n",
            "            result += price * (1 + rate);\n",
        ),
        "class Shop {\n    static double total(double[] prices, double rate) {\n"
        "        return java.util.Arrays.stream(prices).map(p -> p * (1 + rate)).sum();\n    }\n}\n",
    ),
}


@pytest.mark.parametrize("language", sorted(SMALL_TOTALS))
def test_an_original_without_breaches_is_scored_on_its_metrics_continuous_fall(language: str) -> None:
    original, (old, new), reduced = SMALL_TOTALS[language]
    folded = original.replace(old, new)
    assert folded != original
    result = check_maintainability(language, original, folded)
    assert result.details["breaches_before"] == 0
    assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]
    assert result.score is not None and 0 < result.score < 0.1
    assert result.details["load_after"] < result.details["load_before"]
    # one more temporary named: more lines and tokens to read, a rise of the same metrics
    wider = original.replace(old, old + old.replace("taxed", "kept"))
    grown = check_maintainability(language, original, wider)
    assert grown.outcome is Outcome.FAIL and grown.score is not None and grown.score < 0
    if reduced is not None:  # the loop gone: a larger fall, a larger score
        shorter = check_maintainability(language, original, reduced)
        assert shorter.outcome is Outcome.PASS, [e.message for e in shorter.evidence]
        assert shorter.score is not None and shorter.score > result.score


def test_each_metric_falls_in_units_of_the_sessions_percentile_of_it() -> None:
    # Two sessions of the same size: in one a typical function has one parameter, in the other six. Dropping a
    # parameter while adding a few tokens is a fall where parameters are rare and a rise where they are common.
    few = [f"def f{i}(a):\n    return a + {i}\n" for i in range(60)]
    many = [f"def f{i}(a, b, c, d, e, f):\n    return a + {i}\n" for i in range(60)]
    original = "def area(width, height, unit):\n    return width * height\n"
    answer = "def area(width, height):\n    result = width * height\n    return result\n"
    scores = {}
    for name, texts in (("few", few), ("many", many)):
        thresholds = compute_thresholds({"python": texts})
        units = thresholds.scales_for("python")
        assert units == {m: thresholds_percentile(texts, m) for m in units}
        result = check_maintainability("python", original, answer, thresholds=thresholds)
        weights = DEFAULT_SETTINGS.weights
        before = {"cyclomatic_complexity": 0, "nloc": 2, "token_count": 13, "parameter_count": 3, "nesting_depth": 0}
        expected = sum(weights[m] * before[m] / units[m] for m in before)
        assert result.details["load_before"] == pytest.approx(expected, abs=1e-4)
        scores[name] = result.score
    assert scores["few"] is not None and scores["many"] is not None
    assert scores["few"] > 0 > scores["many"]


def thresholds_percentile(texts: list[str], metric: str) -> float:
    """The session's 90th percentile of one metric over its originals' functions, as lizard measures them."""
    values = [function.values[metric] for text in texts for function in function_metrics("python", text)]
    return float(max(math.ceil(numpy.percentile(values, 90)), 1))


def test_an_answer_that_changes_only_comments_and_layout_fails() -> None:
    relaid = "# Totals per key.\n" + CLEAN.replace("    return result", "\n    # all keys seen\n    return  result")
    result = check_maintainability("python", CLEAN, relaid)
    assert result.outcome is Outcome.FAIL
    assert [e.message for e in result.evidence] == ["the code is unchanged: only comments or layout differ"]
    # the same comments on the shorter code do not hide its gain
    assert check_maintainability("python", CLEAN, "# Totals per key.\n" + CLEAN_SHORTER).outcome is Outcome.PASS


HELPERS_JS = """function isBlank(line) {
  return line.trim().length === 0;
}

function countWords(line) {
  let count = 0;
  for (const word of line.split(" ")) {
    if (word.length > 0) {
      count = count + 1;
    }
  }
  return count;
}

export function summary(lines) {
  const kept = lines.filter((line) => !isBlank(line));
  let words = 0;
  for (const line of kept) {
    words = words + countWords(line);
  }
  return { lines: kept.length, words: words };
}
"""
# countWords inlined as a one-liner: shorter; in one answer the old helper stays behind, uncalled.
INLINED_JS = """function isBlank(line) {
  return line.trim().length === 0;
}

export function summary(lines) {
  const kept = lines.filter((line) => !isBlank(line));
  const words = kept.reduce((sum, line) => sum + line.split(" ").filter(Boolean).length, 0);
  return { lines: kept.length, words };
}
"""
COUNT_WORDS = HELPERS_JS[HELPERS_JS.index("function countWords") : HELPERS_JS.index("export function")]


def test_a_private_helper_left_behind_unused_fails_though_the_code_shrank() -> None:
    clean = check_maintainability("javascript", HELPERS_JS, INLINED_JS, "summary.js")
    assert clean.outcome is Outcome.PASS, [e.message for e in clean.evidence]
    left = INLINED_JS.replace("export function", COUNT_WORDS + "export function")
    result = check_maintainability("javascript", HELPERS_JS, left, "summary.js")
    assert result.outcome is Outcome.FAIL
    assert "countWords is left in the answer but no longer used" in [e.message for e in result.evidence]
    # an exported function nobody in the file calls is the file's interface, not dead code
    exported = INLINED_JS.replace("export function", "export " + COUNT_WORDS + "export function")
    kept = check_maintainability("javascript", HELPERS_JS, exported, "summary.js")
    assert not any("no longer used" in e.message for e in kept.evidence)


def test_a_private_helper_the_answer_adds_and_nothing_calls_fails_as_dead_code() -> None:
    # the answer inlines countWords and adds a helper it never calls: shorter, but code left for nobody
    dead = "function countSpaces(line) {\n  return line.split().length - 1;\n}\n\n"
    added = INLINED_JS.replace("export function", dead + "export function")
    result = check_maintainability("javascript", HELPERS_JS, added, "summary.js")
    assert result.outcome is Outcome.FAIL
    assert "countSpaces is added to the answer and nothing calls it" in [e.message for e in result.evidence]
    # called, or exported (the file's interface), it is no dead code
    called = added.replace("const words = ", "const spaces = kept.map(countSpaces);\n  const words = ")
    assert not any(
        "nothing calls" in e.message
        for e in check_maintainability("javascript", HELPERS_JS, called, "summary.js").evidence
    )
    exported = INLINED_JS.replace("export function", "export " + dead + "export function")
    assert not any(
        "nothing calls" in e.message
        for e in check_maintainability("javascript", HELPERS_JS, exported, "summary.js").evidence
    )
    # a helper the original already left uncalled is not the answer's doing
    kept = check_maintainability("javascript", dead + HELPERS_JS, added, "summary.js")
    assert not any("nothing calls" in e.message for e in kept.evidence)


DISPATCH_ORIGINAL_JS = """function handle(req, res) {
  if (req.method === 'GET') {
    if (req.params.id) {
      res.end('one ' + req.params.id);
    } else {
      res.end('all');
    }
  } else if (req.method === 'POST') {
    res.statusCode = 201;
    res.end('made');
  } else if (req.method === 'DELETE') {
    res.statusCode = 204;
    res.end();
  } else {
    res.statusCode = 405;
    res.end();
  }
}

module.exports = { handle };
"""
DISPATCH_TABLE_JS = """const ROUTES = {
  GET: function (req, res) {
    res.end(req.params.id ? 'one ' + req.params.id : 'all');
  },
  'POST': (req, res) => {
    res.statusCode = 201;
    res.end('made');
  },
  DELETE(req, res) {
    res.statusCode = 204;
    res.end();
  },
};

function handle(req, res) {
  const route = ROUTES[req.method];
  if (route) return route(req, res);
  res.statusCode = 405;
  res.end();
}

module.exports = { handle };
"""


def test_a_branch_chain_made_a_dispatch_table_adds_no_helper_that_nothing_calls() -> None:
    # the demo study's orders.js answer: each method's branch became an entry of a table looked up by
    # req.method; an entry is called through the table, never by its name (rules 13: it read "GET is added to
    # the answer and nothing calls it")
    for table in (DISPATCH_TABLE_JS, DISPATCH_TABLE_JS.replace("const ROUTES", "export const ROUTES")):
        result = check_maintainability("javascript", DISPATCH_ORIGINAL_JS, table, "orders.js")
        assert not any("nothing calls" in e.message for e in result.evidence), [e.message for e in result.evidence]
    ts = check_maintainability("typescript", DISPATCH_ORIGINAL_JS, DISPATCH_TABLE_JS, "orders.ts")
    assert not any("nothing calls" in e.message for e in ts.evidence)
    # a class's private method the answer adds and nothing calls is still dead code: a class body is no table
    dead = DISPATCH_TABLE_JS.replace(
        "function handle(", "class Router {\n  #unused(req) {\n    return req.method;\n  }\n}\n\nfunction handle("
    )
    result = check_maintainability("javascript", DISPATCH_ORIGINAL_JS, dead, "orders.js")
    assert "#unused is added to the answer and nothing calls it" in [e.message for e in result.evidence]


COUNTER_CPP = """#include <string>
class counter {
    std::string strand;
    int index_of(char letter) const {
        return letter == 'A' ? 0 : letter == 'C' ? 1 : letter == 'G' ? 2 : 3;
    }

public:
    explicit counter(std::string text) : strand(text) {}
    int count(char letter) const {
        int found = 0;
        for (char c : strand) {
            if (index_of(c) == index_of(letter)) {
                found++;
            }
        }
        return found;
    }
};
"""


def test_a_const_method_is_a_helper_by_the_name_its_callers_spell() -> None:
    # index_of is a private const method: `index_of const` is no name a call spells
    assert "index_of" in code_profile("cpp", COUNTER_CPP).hidden_helpers
    plain = COUNTER_CPP.replace("index_of(c) == index_of(letter)", "c == letter")
    result = check_maintainability("cpp", COUNTER_CPP, plain, "counter.cpp")
    assert "index_of is left in the answer but no longer used" in [e.message for e in result.evidence]


LEAP_C = """int is_leap_year(int year) {
    if (year % 400 == 0) {
        return 1;
    }
    if (year % 100 == 0) {
        return 0;
    }
    if (year % 4 == 0) {
        return 1;
    }
    return 0;
}
"""
LEAP_C_PLAIN = "int is_leap_year(int year) {\n    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;\n}\n"


def test_bit_tricks_fail_where_the_plain_arithmetic_passes() -> None:
    plain = check_maintainability("c", LEAP_C, LEAP_C_PLAIN, "leap.c")
    assert plain.outcome is Outcome.PASS, [e.message for e in plain.evidence]
    tricked = check_maintainability("c", LEAP_C, LEAP_C_PLAIN.replace("year % 4 == 0", "(year & 3) == 0"), "leap.c")
    assert tricked.outcome is Outcome.FAIL
    assert any(e.message.startswith("bit arithmetic introduced (1 operators") for e in tricked.evidence)
    # a file that already works with bits (a flags argument) may test them against literals
    flags = (
        "int has(int flags, int mask) {\n    if ((flags & mask) != 0) {\n        return 1;\n    }\n    return 0;\n}\n"
    )
    tested = check_maintainability("c", flags, "int has(int flags, int mask) { return (flags & mask & 0xff) != 0; }\n")
    assert tested.outcome is Outcome.PASS, [e.message for e in tested.evidence]
    # a set union, a stream and an address are not bit arithmetic
    assert code_profile("python", "def f(a, b):\n    return a | b | {1}\n").bit_operators == 0
    assert code_profile("cpp", "void f(int x) { std::cout << x; int *p = &x; }\n").bit_operators == 0
    assert code_profile("java", "class A { int f(int x) { return ~x + (x >> 2); } }\n").bit_operators == 2


GRADES_GO = """package grades

func average(scores []int) float64 {
\ttotal := 0
\tfor _, s := range scores {
\t\ttotal += s
\t}
\treturn float64(total) / float64(len(scores))
}

func Report(math, physics, chemistry []int) []float64 {
\treturn []float64{average(math), average(physics), average(chemistry)}
}
"""


GRAINS = {
    "go": (
        "grains.go",
        'package grains\n\nimport "math"\n\nfunc Square(n int) uint64 {\n'
        "\tresult := uint64(1)\n\tfor i := 1; i < n; i++ {\n\t\tresult = result * 2\n\t}\n"
        "\treturn result + uint64(math.Floor(0))\n}\n",
        "package grains\n\nfunc Square(n int) uint64 {\n\treturn 1 << (n - 1)\n}\n",
    ),
    "c": (
        "grains.c",
        "#include <math.h>\nunsigned long long square(int n) {\n    unsigned long long r = 1;\n"
        "    for (int i = 1; i < n; i++) {\n        r = r * 2;\n    }\n    return r + (unsigned long long)floor(0);\n}\n",
        "unsigned long long square(int n) {\n    return 1ULL << (n - 1);\n}\n",
    ),
    "python": (
        "grains.py",
        "import math\n\n\ndef square(n):\n    result = 1\n    for _ in range(1, n):\n        result = result * 2\n"
        "    return result + math.floor(0)\n",
        "def square(n):\n    return 1 << (n - 1)\n",
    ),
}


@pytest.mark.parametrize("language", sorted(GRAINS))
def test_a_shift_of_one_is_a_power_of_two_where_the_language_has_no_integer_power(language: str) -> None:
    path, original, shifted = GRAINS[language]
    result = check_maintainability(language, original, shifted, path)
    bits = [e.message for e in result.evidence if e.message.startswith("bit arithmetic")]
    # C's pow and Go's math.Pow are floating point: `1 << n` is the integer power; Python writes `2 ** n`
    assert bits == (
        ["bit arithmetic introduced (1 operators on literals): clarity traded for speed"]
        if language == "python"
        else []
    ), bits
    assert (result.outcome is Outcome.PASS) is (language != "python"), [e.message for e in result.evidence]


def test_a_shift_of_one_combined_with_other_bits_is_a_mask() -> None:
    # `seen & bit` and `seen |= bit` make `1U << i` a bit of a mask, not a power of two
    masked = (
        "int unique(const char *s) {\n    unsigned seen = 0;\n    for (; *s; s++) {\n"
        "        unsigned bit = 1U << (*s - 'a');\n        if (seen & bit) {\n            return 0;\n        }\n"
        "        seen |= bit;\n    }\n    return 1;\n}\n"
    )
    assert code_profile("c", masked).bit_operators == 1
    assert code_profile("c", "long f(int n) { return (1L << n) - 1; }\n").bit_operators == 0
    assert code_profile("c", "long f(int n) { return n << 1; }\n").bit_operators == 1


def test_code_copied_into_each_caller_fails_as_added_duplication() -> None:
    body = "\ttotal%(n)d := 0\n\tfor _, s := range %(v)s {\n\t\ttotal%(n)d += s\n\t}\n"
    copied = (
        "package grades\n\nfunc Report(math, physics, chemistry []int) []float64 {\n"
        + "".join(body % {"n": 0, "v": v} for v in ("math", "physics", "chemistry")).replace("total0", "total")
        + "\treturn []float64{float64(total) / float64(len(math)), float64(total) / float64(len(physics)),"
        " float64(total) / float64(len(chemistry))}\n}\n"
    )
    result = check_maintainability("go", GRADES_GO, copied, "grades.go")
    assert result.details["duplicated_share_after"] > result.details["duplicated_share_before"] + DUPLICATION_RISE
    assert result.outcome is Outcome.FAIL
    assert any(e.message.startswith("duplicated code 0% -> ") for e in result.evidence)


def test_lateral_edits_of_real_files_are_not_improvements() -> None:
    # Over the corpus's real files: a commented copy and a renamed private helper or parameter change nothing a
    # maintainer reads, so none of them may pass (at least 97% per edit, like the other stages' mutation suites).
    # Files under 6,000 characters (54 of them, every language): lizard takes a second on the largest.
    edits = {
        "commented": lambda item: corpus.add_comments(item),
        "rename_private_helper": lambda item: (corpus.rename_private_helper(item) or (None,))[0],
        "rename_parameter": lambda item: (corpus.rename_parameter(item) or (None,))[0],
    }
    outcomes: dict[str, list[bool]] = {name: [] for name in edits}
    for item in corpus.corpus():
        if len(item.text) >= 6_000:
            continue
        for name, edit in edits.items():
            text = edit(item)
            if text is not None:
                result = check_maintainability(item.language, item.text, text, item.path)
                outcomes[name].append(result.outcome is not Outcome.PASS)
    for mutation, failed in outcomes.items():
        assert len(failed) >= 20, mutation
        assert sum(failed) / len(failed) >= 0.97, (mutation, sum(failed), len(failed))


def test_a_plain_double_loop_is_not_a_breach_of_a_fractional_threshold() -> None:
    # Small originals give small percentiles; a whole-number metric is compared with a whole-number threshold.
    two = "def f%d(xs):\n    for x in xs:\n        if x:\n            print(x)\n"
    three = "def g%d(xs):\n    for x in xs:\n        for y in x:\n            if y:\n                print(y)\n"
    # 58 functions two levels deep and 7 three deep: the 90th percentile of nesting is 2.6
    originals = {"python": [two % i for i in range(58)] + [three % i for i in range(7)]}
    unfloored = DEFAULT_SETTINGS.with_changes(threshold_floors={})
    thresholds = compute_thresholds(originals, unfloored)
    limits, _ = thresholds.for_language("python")
    assert all(value == int(value) for value in limits.values())
    assert limits["nesting_depth"] == 3
    # and with the default floors no session of small functions sets a limit below the usual review limits
    floored, _ = compute_thresholds(originals).for_language("python")
    assert floored == DEFAULT_SETTINGS.default_thresholds
    double = "def pairs(xs):\n    out = []\n    if xs:\n        for a in xs:\n            for b in xs:\n                out.append((a, b))\n    return out\n"
    result = check_maintainability("python", double, double.replace("out", "found"), thresholds=thresholds)
    assert not any("nesting depth" in e.message for e in result.evidence), [e.message for e in result.evidence]


CODONS = [("UUU", "Phenylalanine"), ("UUC", "Phenylalanine"), ("UUA", "Leucine"), ("UUG", "Leucine")]
CODONS += [("UCU", "Serine"), ("UCC", "Serine"), ("UCA", "Serine"), ("UCG", "Serine")]
TABLES = {
    "java": (
        "Codons.java",
        "import java.util.Map;\n\nclass Codons {\n    static final Map<String, String> NAMES = Map.ofEntries(\n"
        + ",\n".join(f'        Map.entry("{codon}", "{name}")' for codon, name in CODONS)
        + "\n    );\n}\n",
    ),
    "python": ("codons.py", "NAMES = [\n" + "".join(f'    ("{c}", "{n}", None),\n' for c, n in CODONS) + "]\n"),
    "cpp": (
        "codons.cpp",
        "#include <map>\n#include <string>\n\nconst std::map<std::string, std::pair<std::string, int>> names = {\n"
        + "".join(f'    {{"{c}", {{"{n}", -1}}}},\n' for c, n in CODONS)
        + "};\n",
    ),
    "go": (
        "codons.go",
        "package codons\n\nvar names = map[string][2]string{\n"
        + "".join(f'\t"{c}": {{"{n}", "{n}"}},\n' for c, n in CODONS)
        + "}\n",
    ),
    "javascript": ("codons.js", "const NAMES = [\n" + "".join(f'  ["{c}", "{n}", -1],\n' for c, n in CODONS) + "];\n"),
}


def _repeated_runs(tokens: tuple[bytes, ...], width: int = 10) -> int:
    """How many runs of `width` tokens occur more than once (the raw count, tables included)."""
    runs = [tokens[i : i + width] for i in range(len(tokens) - width + 1)]
    return sum(runs.count(run) > 1 for run in runs)


@pytest.mark.parametrize("language", sorted(TABLES))
def test_rows_of_a_literal_table_are_data_not_duplicated_code(language: str) -> None:
    # A codon table's rows share their punctuation and their repeated values in runs of ten tokens; a reviewer reads
    # a table, not code copied eight times (a real answer's Map.entry rows vetoed a resolved complexity breach).
    path, table = TABLES[language]
    profile = code_profile(language, table, path)
    assert _repeated_runs(profile.tokens) > 0
    assert profile.duplicated == 0


def test_a_table_of_literals_replacing_a_switch_is_not_added_duplication() -> None:
    cases = "".join(f'            case "{c}": return "{n}";\n' for c, n in CODONS)
    original = (
        "class Codons {\n    static String name(String codon) {\n        switch (codon) {\n"
        + cases
        + '            default: throw new IllegalArgumentException("Invalid codon");\n        }\n    }\n}\n'
    )
    path, table = TABLES["java"]
    answer = table.replace(
        "\n}\n",
        "\n\n    static String name(String codon) {\n        String found = NAMES.get(codon);\n"
        '        if (found == null) throw new IllegalArgumentException("Invalid codon");\n        return found;\n    }\n}\n',
    )
    result = check_maintainability("java", original, answer, path)
    assert result.details["duplicated_share_after"] == 0
    assert not any("duplicated" in e.message for e in result.evidence)
    # rows that compute something are code: the same rows calling a function of a variable repeat as copies do
    computed = answer.replace('Map.entry("', 'Map.entry(prefix + "')
    assert code_profile("java", computed, path).duplicated > 0


FLAT = """import os
import sys

LIMITS = {"low": 1, "high": 10}


def total(prices, rate, discount):
    result = 0
    for price in prices:
        if price > discount:
            result = result + (price - discount) * (1 + rate)
        else:
            result = result + price * (1 + rate)
    return (result)


def names(items):
    found = []
    for item in items:
        if item.name and item.name not in found:
            found.append(item.name)
    return found
"""


def test_a_flat_load_passes_only_when_the_file_is_clearly_shorter() -> None:
    # Unused module-level code dropped: no function changes, so the load is flat, and the file loses a tenth of its
    # code: a gain a reviewer sees.
    dead = FLAT.replace("import sys\n", "").replace('LIMITS = {"low": 1, "high": 10}\n\n\n', "")
    result = check_maintainability("python", FLAT, dead)
    assert result.score == pytest.approx(0.0)
    assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]
    assert "is flat" in result.evidence[0].message
    # Two parentheses fewer: the load falls by a few hundredths of a percent, within the band, and the file is
    # barely shorter: a lateral edit, however positive its score.
    parentheses = FLAT.replace("return (result)", "return result")
    lateral = check_maintainability("python", FLAT, parentheses)
    assert lateral.score is not None and 0 < lateral.score <= DEFAULT_SETTINGS.minimum_score
    assert lateral.outcome is Outcome.FAIL
    assert "does not shrink by 10% or more" in lateral.evidence[0].message
    # A fall beyond the band is judged on the load as before: the two arms folded into one line
    folded = FLAT.replace(
        "        if price > discount:\n            result = result + (price - discount) * (1 + rate)\n"
        "        else:\n            result = result + price * (1 + rate)\n",
        "        base = price - discount if price > discount else price\n        result += base * (1 + rate)\n",
    )
    simpler = check_maintainability("python", FLAT, folded)
    assert simpler.score is not None and simpler.score > DEFAULT_SETTINGS.minimum_score
    assert simpler.outcome is Outcome.PASS, [e.message for e in simpler.evidence]


KINDS = (
    "def kind(code):\n    if code == 0:\n        return 'none'\n"
    + "".join(f"    elif code == {i}:\n        return 'kind {i}'\n" for i in range(1, 11))
    + "    elif code == 11:\n        return 'high'\n    elif code == 12:\n        return 'high'\n"
    + "    return 'unknown'\n\n\ndef label(text):\n    return text.strip().title()\n"
)


def test_a_few_tokens_respelt_are_not_a_simplification_but_a_decision_gone_is() -> None:
    # a block-bodied arrow made an expression: its lines fall 3 -> 1, the same one line of logic (batch-7's lateral)
    block = "export const double = (x) => {\n  return x * 2;\n};\n"
    respelt = check_maintainability("javascript", block, "export const double = (x) => x * 2;\n", "double.js")
    assert respelt.outcome is Outcome.FAIL
    assert any("a spelling, not a simplification" in e.message for e in respelt.evidence)
    # as few tokens gone with a branch folded into a library call is a simplification
    guard = "function clamp(x) {\n  if (x < 0) {\n    return 0;\n  }\n  return x;\n}\n"
    folded = check_maintainability("javascript", guard, "function clamp(x) {\n  return Math.max(x, 0);\n}\n", "c.js")
    assert folded.outcome is Outcome.PASS, [e.message for e in folded.evidence]
    # and the count is a setting (it enters the pipeline version): at 0 the respelt arrow passes on its lines
    loose = DEFAULT_SETTINGS.with_changes(minimum_tokens=0)
    passed = check_maintainability(
        "javascript", block, "export const double = (x) => x * 2;\n", "double.js", default_thresholds(loose)
    )
    assert passed.outcome is Outcome.PASS, [e.message for e in passed.evidence]
    assert pipeline_version(loose) != pipeline_version(DEFAULT_SETTINGS)


def test_a_breach_that_eases_does_not_hide_a_function_made_worse() -> None:
    # kind breaches complexity (13 > 10); merging two arms eases it to 12, still a breach: a gain, but a small one.
    eased = KINDS.replace(
        "    elif code == 11:\n        return 'high'\n    elif code == 12:\n", "    elif code in (11, 12):\n"
    )
    result = check_maintainability("python", KINDS, eased)
    assert result.details["severity_after"] < result.details["severity_before"]
    assert any(e.message.startswith("still breached: kind") for e in result.evidence)
    assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]
    # The same easing while label, which breached nothing, grows loops and branches: the answer made it worse.
    hand_rolled = (
        "def label(text):\n    words = []\n    for word in text.split(' '):\n        if word:\n"
        "            if len(word) > 1:\n                words.append(word[0].upper() + word[1:].lower())\n"
        "            else:\n                words.append(word.upper())\n    return ' '.join(words)\n"
    )
    worse = eased.replace("def label(text):\n    return text.strip().title()\n", hand_rolled)
    result = check_maintainability("python", KINDS, worse)
    assert result.details["severity_after"] < result.details["severity_before"]
    assert result.outcome is Outcome.FAIL
    assert result.score is not None and result.score < 0
    assert any(e.message.startswith("a breach stays, and functions that breached nothing") for e in result.evidence)
    assert any("label 0.27 -> " in e.message for e in result.evidence)
