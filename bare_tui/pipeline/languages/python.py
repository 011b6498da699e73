"""Python: CPython's own parser for syntax, tree-sitter-python for the rest, pyflakes for defects."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from functools import lru_cache

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding, finding
from bare_tui.pipeline.languages.spec import (
    NOTHING,
    SKIP,
    CompileError,
    Compiler,
    Grammar,
    LanguageSpec,
    NodeKinds,
    Visit,
    query_imports,
    words,
)
from bare_tui.pipeline.languages.tree import Source, captures, matches, name_text


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    """`_helper` and `_Private` are private by convention (PEP 8); dunders are the class's protocol."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# The definitions the signatures stage compares.

_DEFINITION_KINDS = (
    "function_definition",
    "class_definition",
    "lambda",
    "ERROR",  # a def whose colon is missing: tree-sitter keeps its name and parameters in an ERROR
)
"""The nodes the signatures scanner visits."""


def _visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind == "function_definition":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(("function", name, node.child_by_field_name("parameters")), scope=name, function=True)
    if kind == "class_definition":
        return Visit(scope=name_text(source, node.child_by_field_name("name")))
    if kind == "lambda":
        return SKIP
    if kind == "ERROR":
        return _broken_def(source, node)
    return NOTHING


def _broken_def(source: Source, node: tree_sitter.Node) -> Visit:
    """`def name(params)` inside an ERROR node (say, the colon is missing): still a function of the file."""
    children = node.children
    for index, child in enumerate(children[:-2]):
        if (
            child.type == "def"
            and children[index + 1].type == "identifier"
            and children[index + 2].type == "parameters"
        ):
            name = name_text(source, children[index + 1])
            return Visit(("function", name, children[index + 2]), at=child)
    if len(children) >= 2 and children[0].type == "identifier" and children[1].type == "parameters":
        # tree-sitter may leave the `def` keyword out of the ERROR node it keeps the rest in
        before = source.data[max(0, node.start_byte - 8) : node.start_byte].decode("utf-8", "replace")
        if before.rstrip().endswith("def"):
            return Visit(("function", name_text(source, children[0]), children[1]), at=children[0])
    return NOTHING


# Syntax: CPython's own compiler.


@lru_cache(maxsize=4)  # a task's original is compiled again for every model's attempt
def compile_error(text: str, path: str = "") -> CompileError | None:
    """CPython's verdict on a text, without running it: None when it compiles, else the located first error."""
    filename = path or "<refactored>"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (invalid escapes) are not errors
            compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        kind = type(exc).__name__
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        column = exc.offset if isinstance(exc.offset, int) and exc.offset > 0 else None
        return CompileError(line, column if line else None, f"{kind}: {exc.msg}")
    except ValueError as exc:  # NUL bytes in the source (3.11)
        return CompileError(_first_nul_line(text), None, f"ValueError: {exc}")
    except RecursionError:
        return CompileError(None, None, "too deeply nested for the compiler (RecursionError)")
    except MemoryError:
        return CompileError(None, None, "too large for the compiler (MemoryError)")
    return None


def _first_nul_line(text: str) -> int | None:
    index = text.find("\0")
    return None if index < 0 else text.count("\n", 0, index) + 1


# Integrity: bodies replaced by `...`.

Node = tree_sitter.Node


@lru_cache(maxsize=4)
def _bodies(source: Source) -> dict[str, tuple[bool, Node]]:
    """Each Python function's qualified name, whether its body is only `...` (with a docstring), and its node."""
    bodies: dict[str, tuple[bool, Node]] = {}
    for node in captures(source, "(function_definition) @f"):
        parts: list[str] = []
        parent: Node | None = node
        for _ in range(200):
            if parent is None:
                break
            if parent.type in ("function_definition", "class_definition"):
                name = parent.child_by_field_name("name")
                parts.append(source.node_text(name) if name is not None else "?")
            parent = parent.parent
        qualified = ".".join(reversed(parts))
        body = node.child_by_field_name("body")
        bodies.setdefault(qualified, (_only_ellipsis(body), node))
    return bodies


def _only_ellipsis(body: Node | None) -> bool:
    if body is None:
        return False
    statements = [c for c in body.named_children if c.type != "comment"]
    saw_ellipsis = False
    for statement in statements:
        inner = (
            statement.named_children[0]
            if statement.type == "expression_statement" and statement.named_child_count == 1
            else None
        )
        if inner is not None and inner.type == "ellipsis":
            saw_ellipsis = True
        elif inner is not None and inner.type == "string":
            continue
        else:
            return False
    return saw_ellipsis


def stub_bodies(before: Source, after: Source) -> list[tuple[Node, str]]:
    """A real body replaced by `...`; stubs the original already has (Protocols, overloads) are fine."""
    original = _bodies(before)
    found: list[tuple[Node, str]] = []
    for name, (stub, node) in _bodies(after).items():
        known = original.get(name)
        if stub and known is not None and not known[0]:
            found.append((node, f"the body of {name} was replaced by '...'"))
    return found


NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words("concatenated_string string"),
    calls=words("call"),
    anonymous_functions=words("lambda"),
    string_arguments=words("string"),
    top_level_statements=words("expression_statement global_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment string"),
    assignments=words("assignment augmented_assignment"),
    value_definitions=words("class"),
    control=words(
        "except_clause for_statement if_statement match_statement try_statement", "while_statement with_statement"
    ),
    operations=words("boolean_operator"),
    parentheses=words("parenthesized_expression"),
    functions=words("function_definition lambda"),
    chained_parents=words("else_clause if_statement"),
    same_level=words("except_clause"),
    not_parameters=words("( ) , comment keyword_separator positional_separator"),
    terminators=words("break_statement continue_statement return_statement"),
    reachable_after=words("; comment }"),
    pairs=words("pair"),
    names=words("identifier"),
    wrappers=words("expression_list pair pattern_list tuple_pattern"),
    object_names=words("identifier"),
    imports=words(
        "aliased_import future_import_statement import import_from_statement",
        "import_prefix import_statement relative_import wildcard_import",
    ),
    member_fields=words("attribute key type"),
    member_contexts=frozenset({("attribute", None), ("case_pattern", None)}),
    declaring=frozenset(
        {("class", "name"), ("function_definition", "name"), ("parameter", "name"), ("type_parameter", None)}
    ),
    receiver_fields=words("expression object"),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

# The defect rules written as code, which the defects stage runs beside pyflakes (LanguageSpec.defect_rules).

_KEY_CALLS = (
    "(call function: (_) @function"
    " arguments: (argument_list (keyword_argument name: (identifier) @name value: (_) @hit)))"
)
_KEYED = frozenset({"sorted", "sort", "min", "max", "nsmallest", "nlargest", "groupby", "merge"})
"""Callables whose `key=` function is called with one argument, each element (builtins, list.sort, heapq, itertools):
unless the file defines a function of that name itself."""
_SPLATS = frozenset({"list_splat_pattern", "dictionary_splat_pattern", "keyword_separator"})
_DEFAULTS = frozenset({"default_parameter", "typed_default_parameter"})


def _required_positional(source: Source, parameters: tree_sitter.Node | None) -> int:
    """How many arguments a call must pass by position: the plain parameters before the first default, `*args`,
    bare `*` or `**kwargs`."""
    count = 0
    for child in parameters.named_children if parameters is not None else ():
        if child.type in _SPLATS or child.type in _DEFAULTS or source.node_text(child).startswith("*"):
            break
        if child.type in ("identifier", "typed_parameter"):
            count += 1
    return count


def _definitions(source: Source) -> dict[tuple[str, bool], list[tuple[tree_sitter.Node, tuple[str, ...]]]]:
    """Each def by (name, in a class body), with its decorators' names."""
    found: dict[tuple[str, bool], list[tuple[tree_sitter.Node, tuple[str, ...]]]] = {}
    for node in captures(source, "(function_definition) @hit", name="hit"):
        parent = node.parent
        decorators: tuple[str, ...] = ()
        if parent is not None and parent.type == "decorated_definition":
            decorators = tuple(
                source.node_text(d).lstrip("@").strip() for d in parent.named_children if d.type == "decorator"
            )
            parent = parent.parent
        in_class = (
            parent is not None
            and parent.type == "block"
            and parent.parent is not None
            and (parent.parent.type == "class_definition")
        )
        name = name_text(source, node.child_by_field_name("name"))
        found.setdefault((name, in_class), []).append((node, decorators))
    return found


def _key_arity(source: Source, value: tree_sitter.Node, defs: dict) -> tuple[str, int] | None:
    """(what the key is, how many arguments it needs) where that is certain: a lambda, a plain function of the file,
    or `self.method`/`cls.method` of one without decorators other than staticmethod or classmethod."""
    if value.type == "lambda":
        return "lambda", _required_positional(source, value.child_by_field_name("parameters"))
    if value.type == "identifier":
        candidates = defs.get((source.node_text(value), False), [])
        bound = 0
    elif value.type == "attribute":
        owner, attribute = value.child_by_field_name("object"), value.child_by_field_name("attribute")
        if owner is None or attribute is None or source.node_text(owner) not in ("self", "cls"):
            return None
        candidates = defs.get((source.node_text(attribute), True), [])
        bound = 1
    else:
        return None
    arities = set()
    for node, decorators in candidates:
        if any(d not in ("staticmethod", "classmethod") for d in decorators):
            return None
        needed = _required_positional(source, node.child_by_field_name("parameters"))
        arities.add(needed - (0 if "staticmethod" in decorators else bound))
    if len(arities) != 1:
        return None
    return source.node_text(value), arities.pop()


def key_functions_taking_two_arguments(source: Source) -> Iterator[Finding]:
    """`nums.sort(key=compare)` where compare needs two arguments (a comparator without functools.cmp_to_key): the
    key is called with one, so the call raises TypeError on any non-empty input."""
    defs: dict | None = None
    for match in matches(source, _KEY_CALLS):
        names, values, functions = match.get("name", []), match.get("hit", []), match.get("function", [])
        if not (names and values and functions) or source.node_text(names[0]) != "key":
            continue
        called = functions[0]
        if called.type == "attribute":
            called = called.child_by_field_name("attribute") or called
        if source.node_text(called) not in _KEYED:
            continue
        if defs is None:
            defs = _definitions(source)
        if any(name == source.node_text(called) for name, _ in defs):
            continue  # the file's own sort(key=...), whatever it does with its key
        found = _key_arity(source, values[0], defs)
        if found is not None and found[1] >= 2:
            name, needed = found
            yield finding(
                source,
                "key-takes-two-arguments",
                name,
                values[0],
                f"key={name} needs {needed} arguments, but {source.node_text(called)}() calls its key with one "
                "(TypeError; a comparator needs functools.cmp_to_key)",
            )


IMPORTS = query_imports("""
    (import_statement name: (dotted_name . (identifier) @name) @module) @import
    (import_statement name: (aliased_import name: (dotted_name) @module alias: (identifier) @name)) @import
    (import_from_statement module_name: (_) @module name: (dotted_name (identifier) @name .)) @import
    (import_from_statement module_name: (_) @module name: (aliased_import alias: (identifier) @name)) @import
    (import_from_statement module_name: (_) @module (wildcard_import) @whole) @import
    """)
"""The names `import` and `from ... import` bring in (`import os.path` brings in `os`). A module-level constant
(`LIMIT = 10`) needs no query of its own: the dropped-statement check reports an assignment whose target is gone."""

SPEC = LanguageSpec(
    integer_power=True,  # `2 ** n`: maintainability counts `1 << n` for it as bit arithmetic
    node_kinds=NODE_KINDS,
    name="python",
    extensions=(".py",),
    aliases=("py", "python3"),
    fence_names=("python", "py", "python3"),
    grammars={"python": Grammar("tree_sitter_python")},
    named_arguments=True,
    optional_types=True,
    # annotations are hints: no caller breaks when one changes, so none are compared
    return_fields=(),
    hidden=hidden,
    definition_kinds=_DEFINITION_KINDS,
    visit=_visit,
    type_queries=("(class_definition name: (_) @name)",),
    compiler=Compiler("compile", compile_error),
    open_endings=(":",),
    backtick_strings_are_fences=True,
    stub_bodies=stub_bodies,
    imports=IMPORTS,
    analyser="pyflakes",
    defect_rules=(key_functions_taking_two_arguments,),
)
