"""What one language declares for the pipeline: a frozen record each language file fills in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding
from bare_tui.pipeline.languages.parameters import Parameter, declared_return, standard_parameter
from bare_tui.pipeline.languages.tree import Source, matches, modifier_words

HiddenRule = Callable[[Source, tree_sitter.Node, str, tuple[str, ...]], bool]
"""Whether a definition (its node, its name, the scope it is in) is hidden from callers in other files."""


def never_hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    return False


def private_modifier(*modifier_kinds: str) -> HiddenRule:
    """The visibility rule of a language where a definition is hidden exactly when its modifier children (of these
    node kinds) say `private` (Java, PHP)."""
    kinds = frozenset(modifier_kinds)

    def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
        return "private" in modifier_words(source, node, kinds)

    return hidden


@dataclass(frozen=True)
class Visit:
    """What a definition node means to the signatures stage's walk: a signature to record, a scope its children
    live in, a function body, or nothing."""

    emit: tuple[str, str, tree_sitter.Node | None] | None = None  # (kind, name, parameter-list node)
    scope: str | None = None  # a name the children are qualified with
    function: bool = False  # the children are inside a function body
    declaration: bool = False  # the emitted signature has no body here
    at: tree_sitter.Node | None = None  # where the signature is, when not at the node itself
    skip: bool = False  # nothing under this node is part of the file's API
    hide: bool = False  # what is under this node is hidden from other files (C++'s anonymous namespace)


NOTHING = Visit()
SKIP = Visit(skip=True)

Visitor = Callable[[Source, tree_sitter.Node], Visit]
"""What one node of the language's `definition_kinds` means (see Visit)."""

PrefixRule = Callable[[Source, tree_sitter.Node], str | None]
"""The dotted name a top-level statement qualifies what follows it with (`package a.b;`), or None."""


def no_definitions(source: Source, node: tree_sitter.Node) -> Visit:
    return NOTHING


ParameterRule = Callable[["LanguageSpec", Source, list[tree_sitter.Node], bool], list[Parameter]]
"""How one parameter (the nodes between two commas of a list; the bool: it is the list's only part) reads as callers
see it: none, one, or several (Go's `a, b int`)."""

ReturnRule = Callable[["LanguageSpec", Source, tree_sitter.Node], str | None]
"""The canonical return type a definition declares (None when it declares none); constructors never reach it."""


@dataclass(frozen=True)
class CompileError:
    """A compiler's first error in a text: where, and its message."""

    line: int | None
    column: int | None
    message: str


@dataclass(frozen=True)
class Compiler:
    """The language's own compiler, which the syntax stage asks before tree-sitter (CPython's compile())."""

    name: str
    """What the verdict's details call the checker."""
    check: Callable[[str, str], CompileError | None]
    """(text, path) -> None when the text compiles, else its first error."""


EarlyErrorRule = Callable[[Source], list[tuple[tree_sitter.Node, str]]]
"""Errors a grammar accepts but every engine rejects the file for (a getter with parameters): (node, message)."""


StubRule = Callable[[Source, Source], list[tuple[tree_sitter.Node, str]]]
"""(original, answer) -> each real body the answer replaced by a stub (Python's `...`), located, with its message."""


@dataclass(frozen=True)
class DefectQuery:
    """A defects rule written as a tree-sitter query capturing @hit (the stage's `_apply` words the finding)."""

    name: str
    query: str
    message: str  # formatted with {text}
    operators: frozenset[str] = frozenset()
    """When given, only hits whose `operator` is one of these count. The query names the node kind alone: a pattern
    with a condition on a child after the first keeps a partial match open for every such node around the cursor,
    which costs time quadratic in how deeply they nest (`a + a + ... == a`)."""


def assignment_in_condition(query: str) -> DefectQuery:
    """An `if` or `while` whose condition assigns (the query captures the assignment as @hit)."""
    return DefectQuery("assignment-in-condition", query, "assignment used as a condition: {text}")


def empty_catch(block: str) -> DefectQuery:
    """A catch whose body (a node of this kind) is empty: the error is swallowed."""
    return DefectQuery("empty-catch", f"(catch_clause body: ({block}) @hit)", "empty catch block swallows errors")


ASSIGNMENT_IN_PARENTHESES = assignment_in_condition("""
        (if_statement condition: (parenthesized_expression (assignment_expression) @hit))
        (while_statement condition: (parenthesized_expression (assignment_expression) @hit))
        """)
"""assignment_in_condition() for the languages whose conditions are parenthesized expressions (C, Java, JavaScript,
PHP)."""


CodeRule = Callable[[Source], Iterable[Finding]]
"""A defect rule written as code: the findings in one parsed text."""

ComparedRule = Callable[[Source, Source], Iterable[Finding]]
"""A defect rule that reads the original beside the answer: (original, answer) -> the answer's findings that are
defects because of what the original did (a function that returned allocated memory now returns a static buffer)."""


@dataclass(frozen=True)
class Cppcheck:
    """How cppcheck reads the language: its --language and the file suffix it is given."""

    language: str
    suffix: str


@dataclass(frozen=True)
class Typedefs:
    """Type aliases a file declares (C's typedef): a parameter or return type is compared as what it stands for."""

    aliases: Callable[[str, str], dict[str, str]]
    """(grammar, text) -> alias -> the type it stands for."""
    resolve: Callable[[str, dict[str, str]], str]
    """A canonical type with those aliases replaced."""


@dataclass(frozen=True)
class Grammar:
    """A tree-sitter grammar from its PyPI wheel, loaded on first use: a process that only reads Python never
    loads the other grammars' shared libraries."""

    module: str
    """The wheel's module: tree_sitter_go."""
    function: str = "language"
    """The module's function that returns the language capsule."""

    @property
    def package(self) -> str:
        """The distribution on PyPI (tree-sitter-go): the module's name, spelled as a distribution."""
        return self.module.replace("_", "-")

    def load(self) -> object:
        loaded: object = getattr(import_module(self.module), self.function)()
        return loaded


@dataclass(frozen=True)
class NodeKinds:
    """The grammar's node kinds that play a part the stages know, declared by the language (each lists only kinds
    its grammars have): a stage asks the language what a comment or a call is, and keeps no table of node kinds."""

    # integrity
    comments: frozenset[str] = frozenset()
    """Comments: their text is no code, and an answer's new comment is not a statement."""
    strings: frozenset[str] = frozenset()
    """String and character literals (with their interpolations): their text is no code."""
    calls: frozenset[str] = frozenset()
    """Calls: a call passing an anonymous function and a string literal registers it (a route handler)."""
    anonymous_functions: frozenset[str] = frozenset()
    """Functions without a name (arrow functions, lambdas, closures)."""
    string_arguments: frozenset[str] = frozenset()
    """String literals that name what a call registers (the route, the event)."""
    argument_wrappers: frozenset[str] = frozenset()
    """A node wrapping one argument of a call (a named argument's): its value is its first child."""
    top_level_statements: frozenset[str] = frozenset()
    """Top-level statements that are not definitions (a call, an assignment, an `if __name__`)."""
    conditionals: frozenset[str] = frozenset()
    """`if` statements."""
    directives: frozenset[str] = frozenset()
    """What a top-level expression statement holds when it is a docstring, a directive ("use strict") or a comment."""
    assignments: frozenset[str] = frozenset()
    """Assignments (plain and augmented), whose left side is what they act on."""
    value_definitions: frozenset[str] = frozenset()
    """Values beyond anonymous functions that define something when assigned (a class expression)."""
    # maintainability
    control: frozenset[str] = frozenset()
    """Control-flow statements: each nests what it holds one level deeper."""
    functions: frozenset[str] = frozenset()
    """Functions, methods and anonymous functions: nesting and parameters are measured per function."""
    chained_parents: frozenset[str] = frozenset()
    """Where an `if` continues its chain (`else if`) rather than nesting."""
    same_level: frozenset[str] = frozenset()
    """Control clauses at their statement's own level (catch, except)."""
    not_parameters: frozenset[str] = frozenset()
    """Children of a parameter list that are no parameter (comments, separators, brackets)."""
    number_literals: frozenset[str] = frozenset()
    """Number literals beyond those whose kind says `integer`."""
    tables: frozenset[str] = frozenset()
    """Literals whose entries are reached by lookup (a JavaScript object): a function that is an entry of one (a
    pair's value, or a method written in it) is called through the table, `ROUTES[req.method](req, res)`, never by
    its own name, so it is no helper left unused."""
    operations: frozenset[str] = frozenset()
    """Binary operations, logical ones among them: a chain of the same logical operator is one decision."""
    parentheses: frozenset[str] = frozenset()
    """Parenthesized expressions: `(a && b) && c` is one chain still."""
    parameter_declarations: frozenset[str] = frozenset()
    """A parameter that may declare several names (with grouped_parameters) or be `void` (C)."""
    function_declarators: frozenset[str] = frozenset()
    """The declarator holding a function's parameter list when the function has none of its own (C, C++)."""
    # defects
    terminators: frozenset[str] = frozenset()
    """Statements after which the rest of a block cannot run (return, throw, break, continue, goto)."""
    reachable_after: frozenset[str] = frozenset()
    """Siblings that may follow a terminator: jump targets, hoisted declarations, comments, preprocessor lines."""
    jump_targets: frozenset[str] = frozenset()
    """Statements that make what follows them reachable again (a case arm, a label)."""
    self_assignments: frozenset[str] = frozenset()
    """Assignments a self-assignment (`x = x`) is looked for in."""
    single_value_arms: frozenset[str] = frozenset()
    """Switch arms whose `value` field is the one value they match."""
    list_value_arms: frozenset[str] = frozenset()
    """Switch arms whose `value` field lists the values they match (Go's `case 1, 2:`)."""
    labelled_arms: frozenset[str] = frozenset()
    """Switch arms whose values are in label children (Java's `case 1, 2 ->`)."""
    case_labels: frozenset[str] = frozenset()
    """The label children of such an arm."""
    pattern_arms: frozenset[str] = frozenset()
    """Switch arms whose values are constant patterns (C#'s switch sections)."""
    constant_patterns: frozenset[str] = frozenset()
    """A constant pattern of such an arm."""
    pairs: frozenset[str] = frozenset()
    """A key-value pair of an object literal (duplicate keys; PHP's `$k => $v`)."""
    computed_keys: frozenset[str] = frozenset()
    """A key computed at run time (`[name]: 1`), which no duplicate-key check can read."""
    # the undefined-name rule
    names: frozenset[str] = frozenset()
    """A bare name in an expression (members, properties and types have kinds of their own)."""
    sigil_names: frozenset[str] = frozenset()
    """A name with its sigil (PHP's `$x`), which stands for the bare name inside it."""
    declaring_nodes: frozenset[str] = frozenset()
    """Nodes that declare their name whatever their parent (`const { total } = order`, C#'s `s => s.Date`)."""
    member_names: frozenset[str] = frozenset()
    """A class member's own name (C++'s field_identifier), which its class's methods use bare: where it declares the
    member (a method or a field in the class body), the name is declared; elsewhere (`a.count`) it is no use."""
    wrappers: frozenset[str] = frozenset()
    """Nodes between a declared name and its declaring node (`a, b := ...`, `int *p`, `[x, y] = ...`)."""
    initialisers: frozenset[str] = frozenset()
    """Wrappers whose `value` field is an expression, not a declared name (C's `int x = y`)."""
    imports: frozenset[str] = frozenset()
    """Imports, packages and namespaces used: a name under them is declared by them."""
    member_fields: frozenset[str] = frozenset()
    """Fields whose node is a member, a type or a label: never a reference to a variable."""
    member_contexts: frozenset[tuple[str, str | None]] = frozenset()
    """(parent kind, field or None for any child) where a name is a member, a type or a label."""
    property_initialisers: frozenset[tuple[str, str]] = frozenset()
    """(assignment kind, its parent's kind) where the assignment's left side is a property (C#'s `new A { B = 1 }`)."""
    method_references: frozenset[str] = frozenset()
    """`Integer::sum`: every name after the first is a member."""
    jsx_elements: frozenset[str] = frozenset()
    """JSX elements: a lower-case name is an HTML element, a capitalised one a component that must exist."""
    method_calls: frozenset[str] = frozenset()
    """A call whose `name` is a member when it has an `object` (Java's method invocation)."""
    receiver_fields: frozenset[str] = frozenset()
    """Fields holding the object a member is read from (`Math` in `Math.max`)."""
    foreach_statements: frozenset[str] = frozenset()
    """`foreach ($items as $item)`, which declares its item where the language says foreach_declares."""
    assigning: frozenset[str] = frozenset()
    """Assignments whose left side declares a name where the language says assignment_declares."""
    for_in_statements: frozenset[str] = frozenset()
    """`for (x in xs)`: its left side declares x."""
    declaring: frozenset[tuple[str, str | None]] = frozenset()
    """(parent kind, field or None for any child) where a name is declared (a parameter, a variable, a function)."""
    preprocessor_tests: frozenset[str] = frozenset()
    """Preprocessor tests whose names come from the compiler or the build (`#ifdef _WIN32`)."""
    preprocessor_conditionals: frozenset[str] = frozenset()
    """Preprocessor conditionals whose `condition` names come from the build."""
    object_names: frozenset[str] = frozenset()
    """The object of a member expression a static-member check reads (`Math` in `Math.nope`)."""
    property_names: frozenset[str] = frozenset()
    """The property of such a member expression (`nope`)."""


@dataclass(frozen=True)
class Imported:
    """One name an import brings into a file, as the integrity stage reads it."""

    name: str
    """The name the file's code uses it by (`join`, `filepath`, `ArrayList`); empty for an import made for its effect
    alone (`import "./setup.js"`, `#include "two_fer.h"`, `require_once 'config.php'`)."""
    module: str
    """What it is imported from, without quotes (`path`, `path/filepath`, `java.util.ArrayList`)."""
    node: tree_sitter.Node
    whole: bool = False
    """It imports the whole of its module (`import java.util.*;`, C#'s `using System;`, `from x import *`, Go's dot
    import), with no name of its own: which names it serves cannot be read from the file, but it may serve any name
    of its module that another import brought in before."""


ImportRule = Callable[[Source], list[Imported]]
"""Every name a text's imports bring in (see Imported)."""


def query_imports(pattern: str, bound: Callable[[str], str] | None = None) -> ImportRule:
    """An ImportRule from a query: each match captures the import (@import), what it imports from (@module) and the
    name it binds (@name). A match without @name binds `bound(module)` when given (Go's package name is its path's
    last element), else nothing, and nothing when it captures @effect: an import for its effect. An import any of
    whose matches captures @whole imports the whole of its @module, and binds no name of its own."""

    def rule(source: Source) -> list[Imported]:
        found: list[Imported] = []
        whole: set[int] = set()
        for match in matches(source, pattern):
            node = match["import"][0]
            # `require 'a.php'` and `require "a.php"` import the same file: quotes and spaces are not part of it
            module = "".join(source.node_text(match["module"][0]).split()) if "module" in match else ""
            module = module.replace("'", '"').strip('"`<>')
            if "whole" in match:
                if node.id not in whole:
                    whole.add(node.id)
                    found.append(Imported("", module, node, whole=True))
                continue
            if "name" in match:
                name = source.node_text(match["name"][0])
            elif "effect" in match:
                name = ""  # Go's `_ "net/http/pprof"`: imported for its effect
            else:
                name = bound(module) if bound is not None else ""
            found.append(Imported(name, module, node))
        return [imported for imported in found if imported.whole or imported.node.id not in whole]

    return rule


@dataclass(frozen=True)
class LanguageSpec:
    """Everything the pipeline needs to know of one language. The stages read these declarations; a tenth
    language is one more file like the nine in this folder (and its tests)."""

    name: str
    extensions: tuple[str, ...]
    fence_names: tuple[str, ...]
    """Info strings of a markdown fence that mean this language (```py, ```golang)."""
    grammars: Mapping[str, Grammar]
    """Grammar name -> the wheel it comes from; the first reads the language's files unless one is named by a
    file's extension (tsx)."""
    aliases: tuple[str, ...] = ()
    """Other names a user or a file may give the language (golang, c#)."""
    pygments_lexer: str = ""
    """The pygments lexer the diff view highlights with; the language's name when not given."""
    lizard_extensions: Mapping[str, str] = field(default_factory=dict)
    """Grammar name -> the file extension lizard picks its reader by; when not given, `.<grammar>` if the language
    has that extension, else its first."""
    lizard_source: Callable[[Source], str] | None = None
    """The text lizard is given when it cannot read the file as written (TypeScript's generic functions); the
    file's own text when None."""
    grouped_parameters: bool = False
    """One parameter node may declare several names (Go's `a, b int`): maintainability counts each."""
    integer_power: bool = False
    """The language has an integer power operator (`2 ** n`): `1 << n` in its place is a bit trick. Without one (C,
    C++, Go, Java, C#: their pow is floating point), `1 << n` is how an integer power of two is written, and
    maintainability does not count it as bit arithmetic."""
    final_newline: bool = False
    """The grammar wants a line break after the last top-level declaration where the compiler does not (Go): one is
    added before parsing."""
    node_kinds: NodeKinds = NodeKinds()
    """The node kinds of the language's grammars that the stages give a part (see NodeKinds)."""
    # signatures
    named_arguments: bool = False
    """Callers may pass arguments by name (Python, PHP 8, C#): a parameter's name is part of the signature."""
    optional_types: bool = False
    """Types may be left out (a side without one agrees with any)."""
    return_fields: tuple[str, ...] = ()
    """Fields of a definition node that hold its declared return type."""
    parameter: ParameterRule = standard_parameter
    """How one parameter reads as callers see it (parameters.standard_parameter unless the language has its own)."""
    return_type: ReturnRule = declared_return
    """How a definition's declared return type is read (parameters.declared_return: from `return_fields`)."""
    typedefs: Typedefs | None = None
    """Type aliases compared as what they stand for (C's typedef)."""
    caller_compatible_qualifiers: tuple[str, ...] = ()
    """Qualifiers a method's signature name carries that an answer may add without changing how callers call it
    (C++'s ` const`: a const member function is called the same way on the same objects, and more)."""
    # syntax
    compiler: Compiler | None = None
    """A compiler whose verdict the syntax stage takes before tree-sitter's."""
    early_errors: EarlyErrorRule | None = None
    """Errors beyond the grammar's that the syntax stage reports too."""
    hidden: HiddenRule = never_hidden
    """The visibility rule: private, static, unexported or otherwise invisible to other files."""
    definition_kinds: tuple[str, ...] = ()
    """Node kinds the signatures scanner visits: definitions, the scopes they nest in, function bodies."""
    visit: Visitor = no_definitions
    """What each node of those kinds means: a signature, a scope, a function body, or nothing (see Visit)."""
    prefix: PrefixRule | None = None
    """Top-level statements that qualify the definitions after them (Go's and Java's package, `namespace x;`)."""
    ignored_in_parameters: frozenset[str] = frozenset()
    """Node kinds left out of a parameter (annotations, attributes, modifiers): they do not change how it is
    called."""
    arguments_object: bool = False
    """A function that reads `arguments` takes any arguments, whatever its parameter list says (JavaScript)."""
    members_defined_outside: bool = False
    """Members are declared in their class and may be defined outside it (C++; C's prototypes): a declaration in
    a function body is not the file's API, and a member declared hidden stays hidden where it is defined."""
    # defects
    analyser: str = "tree-sitter"
    """The defects stage's analyser: "pyflakes" (Python), else the tree-sitter rules below (and cppcheck)."""
    known_names: frozenset[str] = field(default_factory=frozenset)
    """Keywords, built-ins and standard-library names a file may use without declaring them."""
    implicit_members: tuple[tuple[str, frozenset[str]], ...] = ()
    """(body node kind, names): methods every declaration with such a body has without declaring them, in scope
    bare inside it and nowhere else (a Java enum's values() and valueOf(), JLS 8.9.3; a class's Object methods)."""
    defect_queries: tuple[DefectQuery, ...] = ()
    """Rules written as queries (assignment in a condition, an empty catch, loose equality)."""
    block_query: str = ""
    """Captures (@hit) each block whose statements after a return or throw are unreachable."""
    assignment_query: str = ""
    """Captures (@hit) each assignment, for self-assignments."""
    switch_query: str = ""
    """Captures (@hit) each switch whose arms may repeat a value."""
    defect_rules: tuple[CodeRule, ...] = ()
    """Defect rules written as code, run in this order (Go's unused locals and imports, Java's private fields)."""
    compared_rules: tuple[ComparedRule, ...] = ()
    """Defect rules that compare the answer with the original (C's ownership of a returned buffer)."""
    static_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Built-in objects and every static member they have (JavaScript's Math): any other member is a defect."""
    member_query: str = ""
    """Captures (@hit) each member expression (`Math.floor`), whose object and property static_members are read from."""
    cppcheck: Cppcheck | None = None
    """cppcheck reads the language too."""
    # the undefined-name rule
    capitalised_objects_are_classes: bool = False
    """`Math.max`, `Collectors.toList()`: a capitalised object is a class from the package or a namespace imported
    whole, which the file cannot see (Java, C#)."""
    assignment_declares: bool = False
    """Assigning a name declares it (JavaScript's sloppy mode, PHP)."""
    preprocessor: bool = False
    """Names tested by the preprocessor come from the build, and a project header may define all-capitals names."""
    declared_elsewhere: Callable[[Source, Source, frozenset[str]], frozenset[str]] | None = None
    """(original, answer, names) -> those of the answer's new names that something neither file shows declares (C and
    C++: names reserved to the compiler, what the project header the answer includes declares), or that are no names
    (a macro argument pasted into another token): never undefined."""
    import_path_query: str = ""
    """Captures (@hit) each import path whose last element the import brings in as a name (Go's `"net/http"`)."""
    pairs_wrap_names: bool = False
    """A name inside a key-value pair is the pair's value (PHP's `'k' => $v`), not a key."""
    foreach_declares: bool = False
    """`foreach ($items as $item)` declares its item (PHP)."""
    # integrity
    type_queries: tuple[str, ...] = ()
    """tree-sitter patterns capturing (as @name) each type definition whose removal drops a type."""
    functions_stand_for_types: bool = False
    """A function may be a type (JavaScript's constructor functions): `class Foo` rewritten as `function Foo` keeps
    the type."""
    module_local_types: tuple[str, str, str, str] | None = None
    """Four patterns: the top-level types a module does not export (capturing @name), the names an export list exports
    (@name), what makes a file a module (an import or export), and the top-level values (@name) that may stand in for
    such a type. In a module those types are the file's own, as a C file's are: one that is gone (an unexported enum
    made a const object, a private interface inlined) matters only while the answer still names it and defines no
    value of that name (`const Period = {...} as const` serves every `Period.Earth`). A script's top-level types are
    globals and stay checked."""
    header_extensions: tuple[str, ...] = ()
    """The language's header files: in any other file of it the types are its own, so one that is gone matters only
    while the answer still names it (C, C++)."""
    open_endings: tuple[str, ...] = ()
    """Line endings beyond the usual (an open bracket, an operator) that say a statement goes on (Python's `:`)."""
    backtick_strings_are_fences: bool = False
    """tree-sitter reads a backtick as opening a string (Python 2's repr) where an answer's is a markdown fence."""
    imports: ImportRule | None = None
    """The names a text's imports bring in: one the answer no longer imports while its code still uses it is dropped
    (see Imported)."""
    constant_queries: tuple[str, ...] = ()
    """tree-sitter patterns capturing (as @name, with its value as @value) each constant of the file's top level or of
    a class body: a `static final` field, a Go or PHP `const`, a top-level `const` binding, an object-like `#define`.
    One other files can name (public, exported, in a header) whose name the answer's code never writes is dropped
    (the integrity stage's _dropped_constants)."""
    stub_bodies: StubRule | None = None
    """Real bodies replaced by a stub, reported as elisions."""
    opening_tags: tuple[str, ...] = ()
    """Tags code opens with (PHP's `<?php`, `<?=`): an answer with none of them, for an original with the first, is
    not code."""

    def __post_init__(self) -> None:
        if not self.pygments_lexer:
            object.__setattr__(self, "pygments_lexer", self.name)
        if not self.lizard_extensions:
            own = {grammar: f".{grammar}" for grammar in self.grammars}
            chosen = {g: e if e in self.extensions else self.extensions[0] for g, e in own.items()}
            object.__setattr__(self, "lizard_extensions", chosen)

    @property
    def grammar_packages(self) -> tuple[str, ...]:
        """The PyPI distributions the grammars come from: their versions enter the pipeline version."""
        return tuple(sorted({grammar.package for grammar in self.grammars.values()}))

    def grammar_for(self, path: str) -> str:
        """The grammar that reads a file of this language: the first declared, or one named by the extension."""
        lowered = path.lower()
        for grammar in self.grammars:
            if grammar != self.name and lowered.endswith("." + grammar):
                return grammar
        return next(iter(self.grammars))


def words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())
