"""The shared test corpus: real source files on this machine plus files written here, and seeded mutations.

Python comes from the standard library of the Python that runs the tests, JavaScript from npm's own files kept in
tests/unit/pipeline/data/javascript/ (with their licences and MANIFEST.json), and the other seven languages from
tests/unit/pipeline/data/. Every mutation is a deterministic function of the text and a seed, and
picks its target with an independent reader (CPython's ast for Python, plain tree-sitter node kinds for the
rest) so that the stages under test do not choose what they are tested on.
"""

from __future__ import annotations

import ast
import difflib
import json
import random
import re
import sysconfig
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter

from bare_tui.model import language_from_path
from bare_tui.pipeline.languages import parse_source

DATA = Path(__file__).resolve().parent / "data"
JAVASCRIPT = DATA / "javascript"


@dataclass(frozen=True)
class CorpusFile:
    """One real source file: its language, where it came from (the name it is checked under) and its text."""

    language: str
    path: str
    text: str

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def module(self) -> bool:
        """A JavaScript ES module (import/export) rather than CommonJS."""
        return self.language == "javascript" and _is_es_module(self.path)


def _pick(paths: list[Path], count: int) -> list[Path]:
    """Every k-th of a sorted list: deterministic, and spread over the whole tree rather than one folder."""
    paths = sorted(paths)
    if len(paths) <= count:
        return paths
    step = len(paths) / count
    return [paths[int(i * step)] for i in range(count)]


@cache
def python_files(count: int = 40) -> tuple[CorpusFile, ...]:
    """Standard-library modules of 100 to 1,500 lines (tests, demos and Python 2 leftovers left out)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = ("test", "tests", "idle_test", "lib2to3", "site-packages", "turtledemo", "__pycache__", "encodings")
    candidates = []
    for path in root.rglob("*.py"):
        if any(part in skip for part in path.relative_to(root).parts):
            continue
        if not 2_000 <= path.stat().st_size <= 120_000:
            continue  # cannot be 100 to 1,500 lines: skip reading it
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if 100 <= text.count("\n") <= 1500:
            candidates.append(path)
    return tuple(CorpusFile("python", str(p), p.read_text(encoding="utf-8")) for p in _pick(candidates, count))


@cache
def javascript_files() -> tuple[CorpusFile, ...]:
    """npm's JavaScript, 80 to 1,500 lines, unminified, as listed in the folder's MANIFEST.json."""
    manifest = json.loads((JAVASCRIPT / "MANIFEST.json").read_text(encoding="utf-8"))
    return tuple(
        CorpusFile(
            "javascript", str(JAVASCRIPT / entry["file"]), (JAVASCRIPT / entry["file"]).read_text(encoding="utf-8")
        )
        for entry in manifest["files"]
    )


@cache
def data_files(language: str | None = None) -> tuple[CorpusFile, ...]:
    """The files written here for languages without real sources on the machine."""
    found = []
    for path in sorted(DATA.iterdir()):
        found_language = language_from_path(path.name)
        if found_language is None or (language is not None and found_language != language):
            continue
        found.append(CorpusFile(found_language, str(path), path.read_text(encoding="utf-8")))
    return tuple(found)


def corpus() -> tuple[CorpusFile, ...]:
    """Every corpus file: the standard library, npm's JavaScript and the data files."""
    return python_files() + javascript_files() + data_files()


def by_language() -> dict[str, tuple[CorpusFile, ...]]:
    grouped: dict[str, list[CorpusFile]] = {}
    for item in corpus():
        grouped.setdefault(item.language, []).append(item)
    return {language: tuple(items) for language, items in grouped.items()}


@cache
def _es_modules() -> frozenset[str]:
    manifest = json.loads((JAVASCRIPT / "MANIFEST.json").read_text(encoding="utf-8"))
    return frozenset(str(JAVASCRIPT / entry["file"]) for entry in manifest["files"] if entry["es_module"])


def _is_es_module(path: str) -> bool:
    return path.endswith(".mjs") or path in _es_modules()


# ---------------------------------------------------------------------------------------------------------
# Where functions are, read independently of the stages


_FUNCTION_KINDS = {
    "javascript": ("function_declaration", "method_definition", "generator_function_declaration"),
    "typescript": ("function_declaration", "method_definition"),
    "go": ("function_declaration", "method_declaration"),
    "java": ("method_declaration", "constructor_declaration"),
    "csharp": ("method_declaration", "constructor_declaration"),
    "c": ("function_definition",),
    "cpp": ("function_definition",),
    "php": ("function_definition", "method_declaration"),
}
_WRAPPERS = ("template_declaration", "export_statement", "decorated_definition")


@dataclass(frozen=True)
class FunctionSpan:
    """A named function with a body: its lines (0-based, inclusive), its parameter list's span and body span."""

    name: str
    first_line: int
    last_line: int
    params_start: int  # character offsets into the text
    params_end: int
    params_text: str
    body_start: int
    body_end: int
    indent: str
    visible: bool = True  # callable from other files (or classes), by the language's own rules


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _byte_to_char(data: bytes, offset: int) -> int:
    return len(data[:offset].decode("utf-8", errors="replace"))


@cache
def functions(item: CorpusFile) -> tuple[FunctionSpan, ...]:
    """Named functions with bodies that start their own line, outermost only (not nested in another function)."""
    if item.language == "python":
        return tuple(_python_functions(item.text))
    source = parse_source(item.language, item.text, item.path)
    kinds = _FUNCTION_KINDS[item.language]
    spans: list[FunctionSpan] = []
    stack = [(source.root, False)]
    while stack:
        node, inside = stack.pop()
        is_function = node.type in kinds and node.child_by_field_name("body") is not None
        if is_function and not inside:
            span = _span(item, source, node)
            if span is not None:
                spans.append(span)
        if node.child_count:
            stack.extend((child, inside or is_function) for child in reversed(node.children))
    spans.sort(key=lambda s: s.first_line)
    return tuple(spans)


def _span(item: CorpusFile, source, node) -> FunctionSpan | None:
    outer = node
    while outer.parent is not None and outer.parent.type in _WRAPPERS:
        outer = outer.parent
    declarator = node.child_by_field_name("declarator")
    params = node.child_by_field_name("parameters")
    while params is None and declarator is not None:
        params = declarator.child_by_field_name("parameters")
        declarator = declarator.child_by_field_name("declarator")
    body = node.child_by_field_name("body")
    if params is None or body is None:
        return None
    text, data = item.text, source.data
    start = _byte_to_char(data, outer.start_byte)
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None  # shares its line with other code
    end = _byte_to_char(data, outer.end_byte)
    rest_of_line = text[end : text.find("\n", end) if "\n" in text[end:] else len(text)]
    if rest_of_line.strip() not in ("", ";"):
        return None
    name_node = node.child_by_field_name("name")
    if name_node is None:  # C and C++: the name sits inside the declarator chain
        chain = node.child_by_field_name("declarator")
        while chain is not None and chain.type != "function_declarator":
            chain = chain.child_by_field_name("declarator")
        name_node = chain.child_by_field_name("declarator") if chain is not None else None
    name = source.node_text(name_node).split("::")[-1] if name_node is not None else "?"
    params_start, params_end = _byte_to_char(data, params.start_byte), _byte_to_char(data, params.end_byte)
    return FunctionSpan(
        name=name,
        first_line=_line_of(text, start),
        last_line=_line_of(text, end),
        params_start=params_start,
        params_end=params_end,
        params_text=text[params_start:params_end],
        body_start=_byte_to_char(data, body.start_byte),
        body_end=_byte_to_char(data, body.end_byte),
        indent=text[line_start:start],
        visible=_visible(item, source, node, outer, name),
    )


# What callers in other files can call, by each language's rules, read from the header words and the tree's
# plain node kinds (not from the stage's reader).
_JS_MODULE = re.compile(r"^\s*export\b|\bmodule\.exports\b|\bexports\.\w+\s*=", re.MULTILINE)


def _visible(item: CorpusFile, source, node, outer, name: str) -> bool:  # type: ignore[no-untyped-def]
    header = item.text[
        _byte_to_char(source.data, outer.start_byte) : _byte_to_char(
            source.data, node.child_by_field_name("body").start_byte
        )
    ]
    words = set(re.findall(r"[A-Za-z_#]+", header.split("(")[0]))
    language = item.language
    owners = []
    parent = node.parent
    while parent is not None:
        owners.append(parent)
        parent = parent.parent
    if language == "go":
        return name[:1].isupper()
    if language == "java":
        return "private" not in words and not any(_private_type(item, source, o) for o in owners)
    if language == "csharp":
        in_interface = any(o.type == "interface_declaration" for o in owners)
        return bool(words & {"public", "protected", "internal"}) or in_interface
    if language == "php":
        return "private" not in words
    if language == "c":
        return "static" not in words
    if language == "cpp":
        if any(o.type == "namespace_definition" and o.child_by_field_name("name") is None for o in owners):
            return False
        body = next((o for o in owners if o.type == "field_declaration_list"), None)
        if body is None:
            qualified = source.node_text(_declarator_name(node) or node)
            if "::" not in qualified:
                return "static" not in words
            owner_name, member = qualified.split("::")[-2:]
            return _cpp_declared_access(source, owner_name, member) != "private"
        return _cpp_access(source, outer) != "private"
    # JavaScript and TypeScript
    if name.startswith("#") or "private" in words:
        return False
    if not _JS_MODULE.search(item.text):
        return True  # a script: its functions are globals
    top = outer
    holder_name = name
    for owner in owners:
        if owner.type in ("class_declaration", "class", "abstract_class_declaration"):
            named = owner.child_by_field_name("name")
            holder_name = source.node_text(named) if named is not None else ""
            top = owner
    if top.type == "export_statement" or (top.parent is not None and top.parent.type == "export_statement"):
        return True
    pattern = rf"(export\s*\{{[^}}]*\b{re.escape(holder_name)}\b)|(module\.exports\s*=\s*\{{[^}}]*\b{re.escape(holder_name)}\b)|(exports(\.\w+)?\s*=\s*{re.escape(holder_name)}\b)|(export\s+default\s+{re.escape(holder_name)}\b)"
    return re.search(pattern, item.text) is not None


def _declarator_name(node):  # type: ignore[no-untyped-def]
    chain = node.child_by_field_name("declarator")
    while chain is not None and chain.type != "function_declarator":
        chain = chain.child_by_field_name("declarator")
    return chain.child_by_field_name("declarator") if chain is not None else None


def _private_type(item: CorpusFile, source, node) -> bool:  # type: ignore[no-untyped-def]
    if node.type not in ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration"):
        return False
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    return modifiers is not None and "private" in source.node_text(modifiers).split()


def _cpp_access(source, member) -> str:  # type: ignore[no-untyped-def]
    sibling = member.prev_sibling
    while sibling is not None:
        if sibling.type == "access_specifier":
            return source.node_text(sibling).strip()
        sibling = sibling.prev_sibling
    owner = member.parent.parent if member.parent is not None else None
    return "private" if owner is not None and owner.type == "class_specifier" else "public"


def _cpp_declared_access(source, owner_name: str, member: str) -> str:  # type: ignore[no-untyped-def]
    stack = [source.root]
    while stack:
        node = stack.pop()
        if node.type in ("class_specifier", "struct_specifier"):
            named = node.child_by_field_name("name")
            body = node.child_by_field_name("body")
            if named is not None and body is not None and source.node_text(named) == owner_name:
                for child in body.named_children:
                    if re.search(rf"\b{re.escape(member)}\s*\(", source.node_text(child)) and child.type in (
                        "field_declaration",
                        "declaration",
                        "function_definition",
                        "template_declaration",
                    ):
                        return _cpp_access(source, child)
        stack.extend(node.named_children)
    return "public"


def _python_functions(text: str) -> list[FunctionSpan]:
    tree = ast.parse(text)
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(lineno: int, col: int) -> int:
        # ast columns are UTF-8 byte offsets within the line
        line = lines[lineno - 1]
        return offsets[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", errors="replace"))

    spans: list[FunctionSpan] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, private_owner = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                header = lines[child.lineno - 1]
                open_paren = offsets[child.lineno - 1] + header.find("(", header.find(child.name))
                body_first = child.body[0]
                close = _matching_paren(text, open_paren)
                if close is None or header.find(child.name) < 0:
                    continue
                spans.append(
                    FunctionSpan(
                        name=child.name,
                        first_line=first - 1,
                        last_line=(child.end_lineno or child.lineno) - 1,
                        params_start=open_paren,
                        params_end=close + 1,
                        params_text=text[open_paren : close + 1],
                        body_start=offset(body_first.lineno, body_first.col_offset),
                        body_end=offset(child.end_lineno or child.lineno, child.end_col_offset or 0),
                        indent=" " * child.col_offset,
                        visible=not private_owner and not _python_private(child.name),
                    )
                )
            elif isinstance(child, ast.ClassDef):
                stack.append((child, private_owner or _python_private(child.name)))
    spans.sort(key=lambda s: s.first_line)
    return spans


def _python_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _matching_paren(text: str, start: int) -> int | None:
    depth = 0
    for index in range(start, min(len(text), start + 5000)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


# ---------------------------------------------------------------------------------------------------------
# Mutations: each returns the mutated text, or None where it does not apply to this file


def remove_closing(item: CorpusFile, seed: int = 0) -> str | None:
    """Remove one closing brace (or, in Python, the colon that opens a block)."""
    source = parse_source(item.language, item.text, item.path)
    if item.language == "python":
        openers = (
            "function_definition",
            "class_definition",
            "if_statement",
            "for_statement",
            "while_statement",
            "with_statement",
            "try_statement",
            "elif_clause",
            "else_clause",
            "except_clause",
            "finally_clause",
        )
        pattern = "\n".join(f'({kind} ":" @token)' for kind in openers)
    else:
        pattern = '"}" @token'
    language = source.tree.language
    captured = tree_sitter.QueryCursor(tree_sitter.Query(language, pattern)).captures(source.root)
    tokens = sorted((n for nodes in captured.values() for n in nodes if not n.is_missing), key=lambda n: n.start_byte)
    if not tokens:
        return None
    token = random.Random(seed).choice(tokens)
    start = _byte_to_char(source.data, token.start_byte)
    return item.text[:start] + item.text[start + 1 :]


def delete_function(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Delete one visible function's lines; returns the text and the deleted function's name."""
    spans = [s for s in functions(item) if s.visible]
    if not spans:
        return None
    span = random.Random(seed).choice(spans)
    lines = item.text.split("\n")
    return "\n".join(lines[: span.first_line] + lines[span.last_line + 1 :]), span.name


_NEW_PARAMETER = {
    "python": "extra_option=None",
    "javascript": "extraOption",
    "typescript": "extraOption?: number",
    "go": "extraOption int",
    "java": "int extraOption",
    "csharp": "int extraOption",
    "c": "int extra_option",
    "cpp": "int extra_option",
    "php": "$extraOption = null",
}


def add_parameter(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Add a parameter at the end of one function's parameter list; returns the text and the function's name."""
    candidates = []
    for span in functions(item):
        if not span.visible:
            continue
        inner = span.params_text[1:-1]
        if any(mark in inner for mark in ("...", "**", "params ", "/*")) or inner.strip() == "void":
            continue  # a parameter cannot follow a variadic one
        candidates.append(span)
    if not candidates:
        return None
    span = random.Random(seed).choice(candidates)
    inner = span.params_text[1:-1].rstrip()
    addition = _NEW_PARAMETER[item.language]
    new_inner = inner.rstrip().rstrip(",") + ", " + addition if inner.strip() else addition
    text = item.text[: span.params_start + 1] + new_inner + item.text[span.params_end - 1 :]
    return text, span.name


ELISIONS = (
    "... rest of the code unchanged ...",
    "existing code here",
    "... (unchanged)",
    "...",
    "Rest of the implementation remains the same",
    "[previous code omitted for brevity]",
    "... existing logic ...",
    "same as before",
)


def comment(language: str, words: str) -> str:
    return f"# {words}" if language == "python" else f"// {words}"


def elide_body(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Replace one function's body with an elision comment (and `...` in Python, which needs a statement)."""
    spans = [s for s in functions(item) if s.last_line > s.first_line + 1]
    if not spans:
        return None
    rng = random.Random(seed)
    span = rng.choice(spans)
    words = rng.choice(ELISIONS)
    inner_indent = span.indent + "    "
    if item.language == "python":
        replacement = f"{comment('python', words)}\n{inner_indent}..."
        text = item.text[: span.body_start] + replacement + item.text[span.body_end :]
    else:
        replacement = "{\n" + inner_indent + comment(item.language, words) + "\n" + span.indent + "}"
        text = item.text[: span.body_start] + replacement + item.text[span.body_end :]
    return text, span.name


def rename_private_helper(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Rename one function that only its own file can call, and every use of its name: a sound refactoring."""
    spans = [s for s in functions(item) if not s.visible and s.name.isidentifier() and not s.name.startswith("__")]
    if not spans:
        return None
    spans = [s for s in spans if not re.search(rf"\b(class|struct|interface|enum)\s+{re.escape(s.name)}\b", item.text)]
    if not spans:
        return None  # only constructors: renaming them renames the class
    span = random.Random(seed).choice(spans)
    new_name = span.name + ("_renamed" if "_" in span.name or item.language in ("python", "c", "php") else "Renamed")
    if re.search(rf"\b{re.escape(new_name)}\b", item.text):
        return None
    return re.sub(rf"(?<![\w$]){re.escape(span.name)}\b", new_name, item.text), span.name


def java_classes_without_constructor(item: CorpusFile) -> list[tuple[str, int, str]]:
    """(name, offset just inside its body's brace, access word) of each Java class that declares no constructor and
    is not private: callers outside may write `new Name()` with the constructor Java gives it."""
    if item.language != "java":
        return []
    source = parse_source(item.language, item.text, item.path)
    found = []
    stack = [source.root]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.named_children))
        if node.type != "class_declaration":
            continue
        body = node.child_by_field_name("body")
        name = node.child_by_field_name("name")
        if body is None or name is None or any(c.type == "constructor_declaration" for c in body.named_children):
            continue
        modifiers = next((c for c in node.children if c.type == "modifiers"), None)
        words = source.node_text(modifiers).split() if modifiers is not None else []
        if "private" in words:
            continue
        access = "public" if "public" in words else "protected" if "protected" in words else ""
        found.append((source.node_text(name), _byte_to_char(source.data, body.start_byte) + 1, access))
    return found


def constructor_declared(item: CorpusFile, seed: int = 0, access: str | None = None) -> tuple[str, str] | None:
    """Declare the constructor of one Java class that has none: with `access` None, as Java gives it (the class's own
    access, a sound rewrite); with "private", a constructor callers outside can no longer call (a breaking one)."""
    classes = java_classes_without_constructor(item)
    if not classes:
        return None
    name, offset, own = classes[seed % len(classes)]  # every class in turn, seed by seed
    word = own if access is None else access
    declared = f"\n    {word + ' ' if word else ''}{name}() {{\n    }}\n"
    return item.text[:offset] + declared + item.text[offset:], name


_FOREIGN = {"cpp": "std::", "php": "Lib::", "java": "Lib.", "csharp": "Lib."}
"""How each language writes a call of another module's function: the qualifier drop_helper_for_library_call uses."""


def drop_helper_for_library_call(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Delete the file's last function that only the file can call and call a library's function of the same name
    instead (`std::reverse(...)`, `lib.reverse(...)`): the helper is gone and no longer called, the shape of a helper
    folded into a library call. Sound for integrity (whatever the seed: the last helper is the one that leaves the
    original's tail missing)."""
    spans = [s for s in functions(item) if not s.visible and s.name.isidentifier() and not s.name.startswith("__")]
    spans = [s for s in spans if not re.search(rf"\b(class|struct|interface|enum)\s+{re.escape(s.name)}\b", item.text)]
    if not spans:
        return None
    span = max(spans, key=lambda s: s.last_line)
    if sum(1 for s in functions(item) if s.name == span.name) > 1:
        return None  # an overload or a same-named method elsewhere would keep the name defined
    lines = item.text.split("\n")
    text = "\n".join(lines[: span.first_line] + lines[span.last_line + 1 :])
    name = re.escape(span.name)
    own = r"(?:\$this|\bself|\bthis|\bcls|\bstatic|\bparent)\s*(?:\.|::|->)\s*"
    call = re.compile(rf"(?:{own}{name}|(?<![\w$.>:]){name})(?=\s*\()")
    return call.sub(_FOREIGN.get(item.language, "lib.") + span.name, text), span.name


_POSITIONAL = frozenset({"java", "go", "c", "cpp", "javascript", "typescript"})


def rename_parameter(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Rename the first parameter of one visible function and its uses in the body. Sound where callers pass
    arguments by position (Java, Go, C, C++, JavaScript, TypeScript); a changed signature where they may pass
    them by name (Python, PHP, C#)."""
    candidates = []
    for span in functions(item):
        if not span.visible:
            continue
        first = span.params_text[1:-1].split(",")[0]
        if first.strip()[:1] in ("{", "[") or "<" in first:
            continue  # destructured keys are what callers pass; a template's commas confuse the split
        names = re.findall(r"\$?[A-Za-z_]\w*", first.split("=")[0].split(":")[0])
        keywords = {"self", "cls", "this", "void", "const", "final", "int", "string", "ref", "out", "params", "in"}
        if (
            not names
            or names[-1] in keywords
            or "..." in first
            or "*" in first.split("=")[0]
            and item.language == "python"
        ):
            continue
        name = names[-1] if item.language not in ("go",) else names[0]
        if item.language in ("typescript",):
            name = names[0]
        if name in keywords or len(name) < 2:
            continue
        candidates.append((span, name))
    if not candidates:
        return None
    span, name = random.Random(seed).choice(candidates)
    new_name = name + "Renamed" if not name.startswith("$") else name + "_renamed"
    pattern = re.compile(rf"(?<![\w$.]){re.escape(name)}\b")
    params = pattern.sub(new_name, span.params_text, count=1)
    body = pattern.sub(new_name, item.text[span.body_start : span.body_end])
    text = (
        item.text[: span.params_start]
        + params
        + item.text[span.params_end : span.body_start]
        + body
        + item.text[span.body_end :]
    )
    return text, span.name


_RETURN_FIELD = {
    "java": "type",
    "csharp": "returns",
    "go": "result",
    "typescript": "return_type",
    "c": "type",
    "cpp": "type",
}
_OTHER_RETURN = {
    "java": "java.util.List<Object>",
    "csharp": "object",
    "go": "(int64, error)",
    "typescript": ": unknown",
    "c": "long double",
    "cpp": "long double",
}


def change_return_type(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Change the declared return type of one visible function (ArrayList -> List in spirit): callers break."""
    field_name = _RETURN_FIELD.get(item.language)
    if field_name is None:
        return None
    source = parse_source(item.language, item.text, item.path)
    kinds = _FUNCTION_KINDS[item.language]
    candidates = []
    stack = [source.root]
    spans = {s.name: s for s in functions(item) if s.visible}
    while stack:
        node = stack.pop()
        if node.type in kinds and node.child_by_field_name("body") is not None:
            returned = node.child_by_field_name(field_name)
            name_node = node.child_by_field_name("name") or _declarator_name(node)
            name = source.node_text(name_node).split("::")[-1] if name_node is not None else ""
            if (
                returned is not None
                and name in spans
                and not (
                    item.language in ("c", "cpp")
                    and node.child_by_field_name("declarator").type != "function_declarator"
                )
                and source.node_text(returned).strip(": ") not in ("void", "long double", "object", "unknown")
            ):
                candidates.append((returned, name))
        stack.extend(node.named_children)
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0].start_byte)
    returned, name = random.Random(seed).choice(candidates)
    start, end = _byte_to_char(source.data, returned.start_byte), _byte_to_char(source.data, returned.end_byte)
    return item.text[:start] + _OTHER_RETURN[item.language] + item.text[end:], name


def drop_anonymous_callback(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Delete one whole statement that registers an anonymous function of two or more lines with a call under a
    string (a route handler, an event listener, a test case): code that no signature names."""
    if item.language not in ("javascript", "typescript"):
        return None
    source = parse_source(item.language, item.text, item.path)
    candidates = []
    stack = [source.root]
    while stack:
        node = stack.pop()
        if (
            node.type == "expression_statement"
            and node.named_child_count == 1
            and node.named_children[0].type == "call_expression"
        ):
            arguments = node.named_children[0].child_by_field_name("arguments")
            passed = arguments.named_children if arguments is not None else []
            functions_passed = [a for a in passed if a.type in ("function_expression", "arrow_function", "function")]
            registers = any(a.type in ("string", "template_string") for a in passed)  # a route, an event, a test name
            if registers and any(f.end_point.row - f.start_point.row >= 2 for f in functions_passed):
                candidates.append(node)
                continue
        stack.extend(node.named_children)
    if not candidates:
        return None
    candidates.sort(key=lambda n: n.start_byte)
    node = random.Random(seed).choice(candidates)
    start, end = _byte_to_char(source.data, node.start_byte), _byte_to_char(source.data, node.end_byte)
    callee = node.named_children[0].child_by_field_name("function")
    return item.text[:start] + item.text[end:], source.node_text(callee) if callee is not None else "?"


def cut_last_third(item: CorpusFile, seed: int = 0) -> str:
    """Keep the first two thirds of the text (cut where a model's output would stop: anywhere)."""
    return item.text[: len(item.text) * 2 // 3]


def add_comments(item: CorpusFile, seed: int = 0, count: int = 5) -> str:
    """The file unchanged but for a few explanatory comment lines above functions."""
    rng = random.Random(seed)
    spans = functions(item)
    notes = (
        "Kept separate so the caller can test it alone.",
        "Order matters here: later steps read what earlier ones wrote.",
        "Returns early on bad input rather than raising.",
        "See the module docstring for the format.",
        "Callers rely on this staying cheap.",
    )
    chosen = (
        sorted(rng.sample(spans, min(count, len(spans))), key=lambda s: s.first_line, reverse=True) if spans else []
    )
    lines = item.text.split("\n")
    for span in chosen:
        lines.insert(span.first_line, span.indent + comment(item.language, rng.choice(notes)))
    if not chosen:
        lines.append(comment(item.language, notes[0]))
    return "\n".join(lines)


def add_undefined_name(item: CorpusFile, seed: int = 0) -> tuple[str, str] | None:
    """Insert a call of a name defined nowhere as the first statement of one function body."""
    spans = [s for s in functions(item) if s.last_line > s.first_line]
    if not spans:
        return None
    rng = random.Random(seed)
    span = rng.choice(spans)
    name = f"undefined_helper_{rng.randrange(10**6)}"
    calls = {
        "python": f"{name}()\n" + span.indent + "    ",
        "php": f"{name}();",
        "go": f"{name}()",
    }
    if item.language == "python":
        text = item.text[: span.body_start] + calls["python"] + item.text[span.body_start :]
    else:
        statement = calls.get(item.language, f"{name}();")
        text = (
            item.text[: span.body_start + 1]
            + "\n"
            + span.indent
            + "    "
            + statement
            + item.text[span.body_start + 1 :]
        )
    return text, name


_FENCE_TAGS = {"csharp": "csharp", "cpp": "cpp", "javascript": "javascript", "typescript": "typescript"}


def wrap_markdown(item: CorpusFile, seed: int = 0) -> str:
    """The whole answer as a chat reply: prose, a fenced block, a closing remark."""
    tag = _FENCE_TAGS.get(item.language, item.language)
    return (
        "Here is the refactored code:\n\n"
        f"```{tag}\n{item.text.rstrip()}\n```\n\n"
        "I extracted helper functions and renamed variables for clarity.\n"
    )


def as_patch(item: CorpusFile, refactored: str, seed: int = 0) -> str:
    """The answer given as a unified diff against the original instead of the file."""
    name = item.name
    return "".join(
        difflib.unified_diff(
            item.text.splitlines(keepends=True), refactored.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    )


# ---------------------------------------------------------------------------------------------------------
# Cases: one file's original and its mutations, as the stages see them


@dataclass(frozen=True)
class Case:
    """One text to check against a corpus file's original: the original itself, a harmless edit or a mutation."""

    item: CorpusFile
    mutation: str  # original, commented, or one of MUTATIONS
    text: str
    detail: str = ""  # the function a mutation touched, or the undefined name it added

    @property
    def label(self) -> str:
        return f"{self.item.language}:{self.item.name}:{self.mutation}"


MUTATIONS = (
    "remove_closing",
    "delete_function",
    "add_parameter",
    "elide_body",
    "cut_last_third",
    "wrap_markdown",
    "as_patch",
    "add_undefined_name",
    "rename_private_helper",
    "rename_parameter",
    "change_return_type",
    "drop_anonymous_callback",
    "drop_helper_for_library_call",
)


@cache
def cases(item: CorpusFile, seed: int = 0) -> tuple[Case, ...]:
    """The original, a commented copy and every mutation that applies to the file, for one seed."""
    commented = add_comments(item, seed)
    found = [Case(item, "original", item.text), Case(item, "commented", commented)]
    closing = remove_closing(item, seed)
    if closing is not None:
        found.append(Case(item, "remove_closing", closing))
    for name, mutate in (
        ("delete_function", delete_function),
        ("add_parameter", add_parameter),
        ("elide_body", elide_body),
        ("add_undefined_name", add_undefined_name),
        ("rename_private_helper", rename_private_helper),
        ("rename_parameter", rename_parameter),
        ("change_return_type", change_return_type),
        ("drop_anonymous_callback", drop_anonymous_callback),
        ("drop_helper_for_library_call", drop_helper_for_library_call),
    ):
        result = mutate(item, seed)
        if result is not None:
            found.append(Case(item, name, result[0], result[1]))
    found.append(Case(item, "cut_last_third", cut_last_third(item, seed)))
    found.append(Case(item, "wrap_markdown", wrap_markdown(item, seed)))
    found.append(Case(item, "as_patch", as_patch(item, commented, seed)))
    return tuple(found)


def all_cases(seed: int = 0) -> list[Case]:
    """Every case of every corpus file, in a stable order."""
    return [case for item in corpus() for case in cases(item, seed)]
