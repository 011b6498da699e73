"""C: tree-sitter-c plus cppcheck; functions with external linkage (not `static`) are visible."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding, captured, finding
from bare_tui.pipeline.languages.parameters import Parameter, as_written, canonical
from bare_tui.pipeline.languages.spec import (
    ASSIGNMENT_IN_PARENTHESES,
    NOTHING,
    Cppcheck,
    Grammar,
    Imported,
    ImportRule,
    LanguageSpec,
    NodeKinds,
    Typedefs,
    Visit,
    query_imports,
    words,
)
from bare_tui.pipeline.languages.tree import (
    Source,
    captures,
    matches,
    modifier_words,
    name_text,
    parse_grammar,
    snippet,
)

KNOWN_NAMES = """
    NULL EOF stdin stdout stderr errno true false bool size_t ssize_t ptrdiff_t intptr_t uintptr_t
    int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t INT_MAX INT_MIN UINT_MAX LONG_MAX LONG_MIN
    SIZE_MAX CHAR_BIT EXIT_SUCCESS EXIT_FAILURE SEEK_SET SEEK_CUR SEEK_END BUFSIZ FILE va_list va_start va_end
    va_arg assert sizeof offsetof printf fprintf sprintf snprintf vsnprintf vfprintf puts fputs fputc putc putchar
    getchar fgetc fgets fopen fclose fread fwrite fflush fseek ftell rewind feof ferror perror scanf sscanf fscanf
    malloc calloc realloc free exit abort atexit atoi atol atof strtol strtoul strtod abs labs qsort bsearch rand
    srand getenv memcpy memmove memset memcmp memchr strlen strcmp strncmp strcpy strncpy strcat strncat strchr
    strrchr strstr strdup strndup strtok strerror isalpha isdigit isalnum isspace isupper islower isxdigit
    ispunct isprint toupper tolower sqrt pow fabs floor ceil round fmin fmax log log10 exp sin cos tan atan2
    time clock difftime INFINITY NAN min max __func__ __FILE__ __LINE__ __DATE__ __TIME__ EINVAL ENOMEM ERANGE
    EAGAIN ENOENT EPERM EIO strcspn strspn strpbrk strcoll strxfrm strtoll strtoull strtof strtold atoll llabs
    div ldiv lldiv memrchr stpcpy strnlen strsep strcasecmp strncasecmp fgetpos fsetpos freopen setvbuf setbuf
    tmpfile tmpnam remove rename ungetc getc gets vprintf vsprintf vscanf vsscanf vfscanf clearerr fileno
    aligned_alloc at_quick_exit quick_exit _Exit system mblen mbtowc wctomb mbstowcs wcstombs isblank iscntrl
    isgraph fmod modf frexp ldexp exp2 expm1 log2 log1p cbrt hypot asin acos atan sinh cosh tanh trunc lround
    llround nearbyint rint copysign nextafter fdim fma isnan isinf isfinite signbit HUGE_VAL localtime gmtime
    mktime strftime asctime ctime time_t clock_t CLOCKS_PER_SEC RAND_MAX INT8_MAX INT16_MAX INT32_MAX INT64_MAX
    UINT8_MAX UINT16_MAX UINT32_MAX UINT64_MAX LLONG_MAX LLONG_MIN ULLONG_MAX SHRT_MAX SHRT_MIN UCHAR_MAX
    CHAR_MAX CHAR_MIN DBL_MAX DBL_MIN DBL_EPSILON FLT_MAX FLT_MIN FLT_EPSILON PATH_MAX static_assert
    _Static_assert _Bool bool_t signal raise setjmp longjmp jmp_buf sig_atomic_t SIGINT SIGTERM SIGSEGV
    ENOSPC EEXIST EBADF EACCES EBUSY ETIMEDOUT EINTR ENOTSUP EOVERFLOW
    auto break case char const continue default do double else enum extern float for goto if inline int long
    register restrict return short signed static struct switch typedef union unsigned void volatile while
    _Alignas _Alignof _Atomic _Complex _Generic _Imaginary _Noreturn _Thread_local
"""
"""ISO C's keywords and its standard library's names."""

INTTYPES_NAMES = (
    " ".join(
        f"{prefix}{conversion}{width}"
        for prefix, conversions in (("PRI", "diouxX"), ("SCN", "diouxX"))
        for conversion in conversions
        for width in ("8", "16", "32", "64", "LEAST8", "LEAST16", "LEAST32", "LEAST64", "FAST8", "FAST16", "FAST32")
        + ("FAST64", "MAX", "PTR")
    )
    + " imaxabs imaxdiv imaxdiv_t strtoimax strtoumax wcstoimax wcstoumax intmax_t uintmax_t"
)
"""<inttypes.h>: the printf and scanf conversion macros for <stdint.h>'s types (`"%" PRId32`), and its functions."""

POSIX_NAMES = """
    gmtime_r localtime_r asctime_r ctime_r strtok_r strerror_r rand_r srandom initstate setstate drand48
    erand48 lrand48 nrand48 mrand48 jrand48 srand48 seed48 clock_gettime clock_getres gettimeofday nanosleep
    usleep sleep tzset tzname timegm strptime CLOCK_REALTIME CLOCK_MONOTONIC
    CLOCK_PROCESS_CPUTIME_ID getline getdelim dprintf fdopen fmemopen open_memstream popen pclose flockfile
    funlockfile getc_unlocked putc_unlocked creat lseek pread pwrite dup dup2 pipe fork
    execv execvp execl execlp execve _exit waitpid getpid getppid getuid geteuid getgid unlink
    rmdir mkdir chdir getcwd isatty fsync ftruncate symlink readlink fstat lstat chmod chown
    opendir readdir closedir mkstemp mkdtemp getopt optarg optind opterr optopt sysconf getpagesize mmap munmap
    posix_memalign memccpy stpncpy strsignal strcasestr strlcpy strlcat strsep bzero bcopy bcmp ffs
    isascii toascii _tolower _toupper alloca ssize_t off_t pid_t uid_t gid_t mode_t useconds_t suseconds_t
    clockid_t timer_t blksize_t blkcnt_t nlink_t ino_t dev_t STDIN_FILENO STDOUT_FILENO STDERR_FILENO
    O_RDONLY O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND O_EXCL O_NONBLOCK R_OK W_OK X_OK F_OK M_E M_LOG2E
    M_LOG10E M_LN2 M_LN10 M_PI M_PI_2 M_PI_4 M_1_PI M_2_PI M_2_SQRTPI M_SQRT2 M_SQRT1_2 MAXFLOAT NAME_MAX
    LINE_MAX SSIZE_MAX environ errno_t EWOULDBLOCK EINPROGRESS ECHILD ENOTDIR EISDIR ENOSYS EDOM ENAMETOOLONG
    fmaxf fminf sqrtf powf fabsf floorf ceilf roundf logf expf sinf cosf tanf sqrtl powl fabsl
"""
"""POSIX's names from the standard headers (<time.h>, <string.h>, <unistd.h>, <math.h>'s M_ constants): exercise
code compiles on POSIX systems, where these are declared as surely as ISO C's. Those that are everyday variable
names too (read, write, open, index, stat, random) are left out: a variable of that name declared nowhere is the
likelier mistake."""


def member_access(source: Source, node: tree_sitter.Node) -> str:
    """`public`, `protected` or `private` for a member of a C++ class, struct or union body."""
    sibling = node.prev_sibling
    while sibling is not None:
        if sibling.type == "access_specifier":
            return source.node_text(sibling).strip()
        sibling = sibling.prev_sibling
    owner = node.parent.parent if node.parent is not None else None
    return "private" if owner is not None and owner.type == "class_specifier" else "public"


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    """Internal linkage (`static` at file or namespace scope) or a `private:` class member."""
    member, holder = node, node.parent
    if holder is not None and holder.type == "field_declaration" and holder.child_by_field_name("type") == node:
        member, holder = holder, holder.parent  # a class nested in a class body: `class Inner {...};` is its member
    if holder is not None and holder.type == "template_declaration":
        member, holder = holder, holder.parent
    if holder is not None and holder.type == "field_declaration_list":
        return member_access(source, member) == "private"  # a static member is a class's, not the file's
    return "static" in modifier_words(source, node, frozenset({"storage_class_specifier"}))


TYPE_QUERIES = (
    "(struct_specifier name: (_) @name body: (_))",
    "(union_specifier name: (_) @name body: (_))",
    "(enum_specifier name: (_) @name body: (_))",
    "(type_definition declarator: (_) @name)",
)

# The definitions the signatures stage compares.

DEFINITION_KINDS = (
    "function_definition",
    "declaration",
    "field_declaration",
    "class_specifier",
    "struct_specifier",
    "union_specifier",
    "namespace_definition",
    "lambda_expression",
)
"""The nodes the signatures scanner visits."""


_NAMES = frozenset(
    {
        "identifier",
        "field_identifier",
        "qualified_identifier",
        "destructor_name",
        "operator_name",
        "template_function",
        "operator_cast",
        "type_identifier",
    }
)


def _function_declarator(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """The declarator that names a function (f in `int (*f(void))(int)`), or None for a pointer to one.

    Follows the declarator chain down to the name: the innermost function declarator on it names a function
    when no pointer stands between it and the name (`int (*fp)(int)` is a variable).
    """
    innermost: tree_sitter.Node | None = None
    pointer_since = False
    for _ in range(256):
        if node is None:
            return None
        kind = node.type
        if kind in _NAMES:
            return innermost if innermost is not None and not pointer_since else None
        if kind == "function_declarator":
            innermost, pointer_since = node, False
        elif kind in ("pointer_declarator", "reference_declarator"):
            pointer_since = innermost is not None or pointer_since
        elif kind not in ("parenthesized_declarator", "attributed_declarator", "init_declarator"):
            return None
        node = node.child_by_field_name("declarator") or (
            next((c for c in node.named_children if c.type != "attribute_specifier"), None)
            if kind in ("parenthesized_declarator", "reference_declarator", "attributed_declarator")
            else None
        )
    return None


def _function_name(source: Source, declarator: tree_sitter.Node) -> str:
    """`ns.Box.area` for `ns::Box<T>::area`: template arguments left out of scopes, so an out-of-class
    definition meets its in-class declaration; `const` kept, since C++ overloads on it."""
    name_node = declarator.child_by_field_name("declarator")
    text = "".join(source.node_text(name_node).split()) if name_node is not None else ""
    parts = text.split("::")
    parts = [_without_template_arguments(part) for part in parts[:-1]] + parts[-1:]
    if not parts[-1].startswith("operator"):
        parts[-1] = _without_template_arguments(parts[-1])
    name = ".".join(parts)
    if any(c.type == "type_qualifier" and source.node_text(c) == "const" for c in declarator.children):
        name += " const"
    return name


def _without_template_arguments(part: str) -> str:
    cut = part.find("<")
    return part[:cut] if cut > 0 else part


def visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind == "function_definition":
        declarator = _function_declarator(node.child_by_field_name("declarator"))
        if declarator is None:
            return Visit(function=True)
        name = _function_name(source, declarator)
        return Visit(("function", name, declarator.child_by_field_name("parameters")), function=True)
    if kind in ("declaration", "field_declaration"):
        declarators = node.children_by_field_name("declarator")
        for declarator_root in declarators:
            declarator = _function_declarator(declarator_root)
            if declarator is not None:
                name = _function_name(source, declarator)
                # In a class body a declaration declares a method; elsewhere it is a prototype.
                in_class = node.parent is not None and node.parent.type == "field_declaration_list"
                return Visit(
                    ("method" if in_class else "function", name, declarator.child_by_field_name("parameters")),
                    declaration=True,
                )
        return NOTHING
    if kind in ("class_specifier", "struct_specifier", "union_specifier"):
        name_node = node.child_by_field_name("name")
        if node.child_by_field_name("body") is None:
            return NOTHING
        return Visit(scope=name_text(source, name_node).replace("::", ".") if name_node is not None else None)
    if kind == "namespace_definition":
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return Visit(hide=True)  # an anonymous namespace: internal linkage, like `static`
        return Visit(scope=name_text(source, name_node).replace("::", "."))
    if kind == "lambda_expression":
        return Visit(function=True)
    return NOTHING


# Parameters and return types as callers see them (C++ shares these).


def parameter(spec: LanguageSpec, source: Source, group: list[tree_sitter.Node], only: bool) -> list[Parameter]:
    """Callers never see a C or C++ parameter's name (and prototypes may leave it out): the type alone."""
    text = as_written(source, group)
    name_node = _parameter_name(group)
    skip = {name_node.id} if name_node is not None else set()
    key = canonical(source, group, spec.ignored_in_parameters, skip_ids=skip)
    if key == "void" and name_node is None and only:
        return []  # f(void) takes no parameters
    if key or name_node is not None:
        return [Parameter(None, normalise_type(key), text)]
    return []


def _parameter_name(group: list[tree_sitter.Node]) -> tree_sitter.Node | None:
    """The identifier a C or C++ parameter declares (through pointers, references, arrays), if it names one."""
    if len(group) != 1:
        return None
    node = group[0].child_by_field_name("declarator")
    for _ in range(64):
        if node is None:
            return None
        if node.type == "identifier":
            return node
        inner = node.child_by_field_name("declarator")
        if inner is None and node.type in ("reference_declarator", "parenthesized_declarator", "pointer_declarator"):
            inner = next(
                (c for c in node.named_children if c.type not in ("type_qualifier", "ms_pointer_modifier")), None
            )
        node = inner
    return None


def return_type(spec: LanguageSpec, source: Source, node: tree_sitter.Node) -> str | None:
    type_node = node.child_by_field_name("type")
    if type_node is None:
        return None  # a constructor, destructor or conversion operator
    # `constexpr`, `inline` and the like say how the function is compiled, not what callers get back.
    qualifiers = [
        source.node_text(c)
        for c in node.children
        if c.type == "type_qualifier" and source.node_text(c) in ("const", "volatile")
    ]
    key = canonical(source, [type_node], spec.ignored_in_parameters)
    suffix = ""
    declarator = node.child_by_field_name("declarator")
    for _ in range(64):
        if declarator is None or declarator.type == "function_declarator":
            break
        if declarator.type == "pointer_declarator":
            suffix += "*"
        elif declarator.type == "reference_declarator":
            suffix += "&&" if source.node_text(declarator).lstrip().startswith("&&") else "&"
        inner = declarator.child_by_field_name("declarator")
        if inner is None:
            inner = next(
                (c for c in declarator.named_children if c.type not in ("type_qualifier", "attribute_specifier")), None
            )
        declarator = inner
    return normalise_type(" ".join(qualifiers + [key]) + suffix)


_C_TAG = re.compile(r"\b(struct|union|enum|class|typename)\s+")
_STD = re.compile(r"\bstd::")
_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*")


def normalise_type(key: str, aliases: dict[str, str] | None = None) -> str:
    """A C or C++ type as callers see it: `const std::string&` is `string` (a caller passes the same argument),
    top-level `const` on a value is the callee's business, `struct node` is `node`, a typedef is its type."""
    key = _STD.sub("", _C_TAG.sub("", key)).strip()
    if aliases:
        key = _WORDS.sub(lambda m: aliases.get(m.group(), m.group()), key)
    compact = key.replace(" ", "")
    if compact.endswith("&") and not compact.endswith("&&"):
        inner = key[: key.rstrip().rfind("&")].strip()
        words = inner.split()
        if "const" in words and "*" not in inner:
            return " ".join(w for w in words if w != "const")  # by const reference or by value: the same call
    if "*" not in compact and "&" not in compact:
        return " ".join(w for w in key.split() if w != "const")
    if compact.endswith("const") and "*" in compact:
        return key[: key.rfind("const")].strip()  # `char *const p`: a const pointer variable, same call
    return key


@lru_cache(maxsize=8)
def _type_aliases(grammar: str, text: str) -> tuple[tuple[str, str], ...]:
    source = parse_grammar(grammar, text)
    found: list[tuple[str, str]] = []
    for node in captures(source, "(type_definition) @node"):
        type_node = node.child_by_field_name("type")
        if type_node is None:
            continue
        if type_node.type in ("struct_specifier", "union_specifier", "enum_specifier"):
            tag = type_node.child_by_field_name("name")
            if tag is None:
                continue
            target = source.node_text(tag)
        else:
            target = normalise_type(canonical(source, [type_node], frozenset()))
        for declarator in node.children_by_field_name("declarator"):
            if declarator.type == "type_identifier":
                alias = source.node_text(declarator)
                if alias != target:
                    found.append((alias, target))
    return tuple(found)


def type_aliases(grammar: str, text: str) -> dict[str, str]:
    """Typedef names and what they stand for (`node_t` -> `node` for `typedef struct node {...} node_t`)."""
    return dict(_type_aliases(grammar, text))


TYPEDEFS = Typedefs(aliases=type_aliases, resolve=normalise_type)

SWITCH_QUERY = "(switch_statement body: (compound_statement) @hit)"
"""The switches whose arms the defects stage reads for repeated values (C++ shares it)."""

HEADERS = (".h", ".hh", ".hpp", ".hxx", ".h++", ".inl")
"""C and C++ headers (integrity: the types of any other file of theirs are its own)."""


# The defect rules written as code, which the defects stage runs for this language (LanguageSpec.defect_rules).

_CPP_ONLY_HEADERS = frozenset(
    {
        "algorithm",
        "array",
        "atomic",
        "bitset",
        "cassert",
        "cctype",
        "cerrno",
        "cfloat",
        "chrono",
        "climits",
        "cmath",
        "complex",
        "cstdarg",
        "cstddef",
        "cstdint",
        "cstdio",
        "cstdlib",
        "cstring",
        "ctime",
        "deque",
        "exception",
        "fstream",
        "functional",
        "iomanip",
        "iostream",
        "iterator",
        "limits",
        "list",
        "map",
        "memory",
        "numeric",
        "optional",
        "queue",
        "random",
        "regex",
        "set",
        "sstream",
        "stack",
        "stdexcept",
        "string",
        "string_view",
        "thread",
        "tuple",
        "type_traits",
        "unordered_map",
        "unordered_set",
        "utility",
        "variant",
        "vector",
    }
)


def headers_and_inline(source: Source) -> Iterator[Finding]:
    """C: a C++ standard header included, and a plain C99 `inline` definition, which emits no external
    definition, so another file's call to it does not link."""
    for include in captured(source.grammar, "(preproc_include path: (system_lib_string) @hit)", source.root):
        header = source.node_text(include).strip("<>")
        if header in _CPP_ONLY_HEADERS:
            yield finding(
                source, "cpp-header-in-c", header, include, f"<{header}> is a C++ header: a C compiler has no such file"
            )
    for function in captured(source.grammar, "(translation_unit (function_definition) @hit)", source.root):
        words = {
            source.node_text(c) for c in function.children if c.type in ("storage_class_specifier", "type_qualifier")
        }
        if "inline" in words and not words & {"static", "extern"}:
            name = function.child_by_field_name("declarator")
            text = snippet(source.node_text(name), 40) if name is not None else "function"
            yield finding(
                source,
                "inline-without-definition",
                text,
                function,
                f"plain C99 inline {text}: no external definition is emitted, so callers in other files do not link",
            )


MATH_FUNCTIONS = words(
    """
    sqrt sqrtf sqrtl cbrt pow powf powl exp exp2 expm1 expf log log10 log2 log1p logf floor floorf ceil ceilf
    fabs fabsf fabsl round roundf lround llround trunc fmod remainder sin sinf cos cosf tan tanf asin acos atan
    atan2 sinh cosh tanh hypot fmin fmax fminf fmaxf copysign nearbyint rint fdim fma modf frexp ldexp
    """
)
"""The functions <math.h> (C++'s <cmath>) declares: a file that calls one needs the header."""


def missing_math_header(headers: tuple[str, ...]) -> Callable[[Source], Iterator[Finding]]:
    """The rule that a file calling a math function (bare, or `std::sqrt`) includes one of these headers (the first
    is the one to name). One finding per file, keyed by the header: an original that already leaves it to a header
    of its own is not blamed again for an answer that calls another math function, while an answer that calls one
    where the original called none, or that drops the include, is (gcc refuses C++ without it, and C since
    C99 has no implicit declarations). A function of that name the file declares is its own."""
    wanted = frozenset(headers)

    def rule(source: Source) -> Iterator[Finding]:
        calls = [
            name
            for pattern in _CALLED_NAMES.get(source.grammar, _CALLED_NAMES["c"])
            for name in captured(source.grammar, pattern, source.root)
            if source.node_text(name) in MATH_FUNCTIONS
        ]
        if not calls:
            return
        included = {
            source.node_text(path).strip('<>"').strip()
            for path in captured(source.grammar, "(preproc_include path: (_) @hit)", source.root)
        }
        if included & wanted:
            return
        own = {
            source.node_text(name)
            for name in captured(source.grammar, "(function_declarator declarator: (_) @hit)", source.root)
        }
        missing = [call for call in sorted(calls, key=lambda n: n.start_byte) if source.node_text(call) not in own]
        if missing:
            name = source.node_text(missing[0])
            message = f"{name}() is called but <{headers[0]}> is not included: it is declared nowhere"
            yield finding(source, "missing-include", headers[0], missing[0], message)

    return rule


_CALLED_NAMES = {
    "c": ("(call_expression function: (identifier) @hit)",),
    "cpp": (
        "(call_expression function: (identifier) @hit)",
        "(call_expression function: (qualified_identifier scope: (namespace_identifier) @scope name: (identifier) @hit)"
        ' (#eq? @scope "std"))',
    ),
}


# Rules that read the original beside the answer (LanguageSpec.compared_rules).

_ALLOCATORS = frozenset({"malloc", "calloc", "realloc", "strdup", "strndup", "aligned_alloc"})


def _bare(node: tree_sitter.Node | None) -> tree_sitter.Node | None:
    """An expression without the parentheses and casts around it."""
    for _ in range(32):
        if node is None:
            return None
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        elif node.type == "cast_expression":
            node = node.child_by_field_name("value")
        else:
            return node
    return node


def _allocates(source: Source, node: tree_sitter.Node | None) -> bool:
    node = _bare(node)
    if node is None or node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    return function is not None and source.node_text(function) in _ALLOCATORS


def _declared_name(declarator: tree_sitter.Node | None) -> tree_sitter.Node | None:
    for _ in range(32):
        if declarator is None or declarator.type == "identifier":
            return declarator
        declarator = declarator.child_by_field_name("declarator")
    return None


def _top_functions(source: Source) -> dict[str, tree_sitter.Node]:
    """The file's top-level function definitions by name (the first of a name)."""
    found: dict[str, tree_sitter.Node] = {}
    for function in captured(source.grammar, "(translation_unit (function_definition) @hit)", source.root):
        declarator = _function_declarator(function.child_by_field_name("declarator"))
        if declarator is not None and function.child_by_field_name("body") is not None:
            found.setdefault(_function_name(source, declarator), function)
    return found


def _returned(source: Source, function: tree_sitter.Node) -> list[tree_sitter.Node]:
    """What the function's return statements return, parentheses and casts taken off."""
    values = []
    for statement in captured(source.grammar, "(return_statement) @hit", function):
        value = _bare(statement.named_children[0]) if statement.named_child_count else None
        if value is not None:
            values.append(value)
    return values


def _returns_allocation(source: Source, function: tree_sitter.Node) -> bool:
    """The function returns memory an allocator gave: `return malloc(...)`, or a variable assigned one."""
    allocated: set[str] = set()
    for declarator in captured(source.grammar, "(init_declarator) @hit", function):
        name = _declared_name(declarator.child_by_field_name("declarator"))
        if name is not None and _allocates(source, declarator.child_by_field_name("value")):
            allocated.add(source.node_text(name))
    for assignment in captured(source.grammar, "(assignment_expression) @hit", function):
        left = assignment.child_by_field_name("left")
        if (
            left is not None
            and left.type == "identifier"
            and _allocates(source, assignment.child_by_field_name("right"))
        ):
            allocated.add(source.node_text(left))
    return any(
        _allocates(source, value) or (value.type == "identifier" and source.node_text(value) in allocated)
        for value in _returned(source, function)
    )


def _borrowed_returns(source: Source, function: tree_sitter.Node) -> list[tuple[tree_sitter.Node, str]]:
    """The function's returns of memory a caller may not free, each located where that memory comes from: a static
    variable or a local array (at its declaration), a string literal."""
    kinds: dict[str, tuple[tree_sitter.Node, str]] = {}
    for declaration in captured(source.grammar, "(declaration) @hit", function):
        static = any(
            c.type == "storage_class_specifier" and source.node_text(c) == "static" for c in declaration.children
        )
        for declarator in declaration.children_by_field_name("declarator"):
            inner = declarator.child_by_field_name("declarator") if declarator.type == "init_declarator" else declarator
            name = _declared_name(inner)
            if name is None:
                continue
            if static:
                kinds[source.node_text(name)] = (declaration, "the static variable")
            elif inner is not None and inner.type == "array_declarator":
                kinds[source.node_text(name)] = (declaration, "the local array")
    found = []
    for value in _returned(source, function):
        if value.type == "identifier" and source.node_text(value) in kinds:
            declared, what = kinds[source.node_text(value)]
            found.append((declared, f"{what} '{source.node_text(value)}'"))
        elif value.type in ("string_literal", "concatenated_string"):
            found.append((value, "a string literal"))
    return found


def ownership_changes(original: Source, answer: Source) -> Iterator[Finding]:
    """A function that returned memory from an allocator and now returns memory the caller does not own (a static
    buffer, a local array, a string literal): a caller that frees the result, as the original's callers must, frees
    what malloc never gave, and a static buffer is overwritten by the next call."""
    before = _top_functions(original)
    if not before:
        return
    for name, function in _top_functions(answer).items():
        old = before.get(name)
        if old is None or not _returns_allocation(original, old) or _returns_allocation(answer, function):
            continue
        for value, what in _borrowed_returns(answer, function)[:1]:
            message = f"{name} returned allocated memory and now returns {what}: a caller's free() of it is invalid"
            yield finding(answer, "ownership-change", name, value, message)


@dataclass(frozen=True)
class _Definition:
    """A function definition as the declaration it must match reads it (what a header declares)."""

    name: str  # qualified, `ns.Class.method`, without const
    member: bool  # defined by a qualified name (`Class::method`, `ns::f`) whose class the file does not define: the
    # header's earlier declaration must match it
    parameters: tuple[str, ...]  # types as written, names and by-value const left out, std:: dropped
    const: bool
    specifiers: frozenset[str]  # constexpr, consteval, static, and const on the return type
    node: tree_sitter.Node = field(compare=False)

    @property
    def key(self) -> tuple[tuple[str, ...], bool, frozenset[str]]:
        """What must match the header's declaration. A member's whole declaration (the header surely declares it: its
        class is there); a free function's only constexpr and consteval, which a declaration must repeat: its
        parameters may change because it may be the file's own helper, which the header does not declare, and a
        changed one is an overload of its own."""
        if self.member:
            return (self.parameters, self.const, self.specifiers)
        return ((), False, self.specifiers & _INLINED)

    def display(self) -> str:
        shown = f"{self.name.replace('.', '::')}({', '.join(self.parameters)})"
        return " ".join([*sorted(self.specifiers), shown] + (["const"] if self.const else []))


_SPECIFIERS = frozenset({"constexpr", "consteval", "static"})
_KEPT = _SPECIFIERS | {"const"}
"""What a member's definition must repeat of the words before its name: its specifiers, and `const` on its return type
(`const vector<string> school::grade(int) const`), part of the type a declaration must match even where a caller
could not tell (a by-value return)."""
_INLINED = frozenset({"constexpr", "consteval"})
"""Specifiers that make a function inline: a definition with one, of a function the header declares without, is
refused, and callers in other files find no definition."""


def _declared_definitions(source: Source) -> list[_Definition]:
    """The file's function definitions that a header it includes declares: members defined outside a class the file
    does not define, and functions with external linkage outside any class. Empty unless the file includes a header of
    its own (`#include "x.h"`)."""
    if not any(
        path.type == "string_literal"
        for path in captured(source.grammar, "(preproc_include path: (_) @hit)", source.root)
    ):
        return []
    classes = {
        source.node_text(name).split("::")[-1]
        for pattern in ("(class_specifier name: (_) @hit body: (_))", "(struct_specifier name: (_) @hit body: (_))")
        if source.grammar == "cpp" or pattern.startswith("(struct")
        for name in captured(source.grammar, pattern, source.root)
    }
    found: list[_Definition] = []
    for function in captured(source.grammar, "(function_definition) @hit", source.root):
        scope: list[str] = []
        parent = function.parent
        skip = False
        while parent is not None:
            if parent.type == "namespace_definition":
                named = parent.child_by_field_name("name")
                if named is None:
                    skip = True  # an anonymous namespace: internal linkage
                    break
                scope.insert(0, source.node_text(named).replace("::", "."))
            elif parent.type not in (
                "declaration_list",
                "translation_unit",
                "template_declaration",
                "linkage_specification",
            ):
                skip = True  # in a class body or a function: not a header's declaration to match
                break
            parent = parent.parent
        declarator = None if skip else _function_declarator(function.child_by_field_name("declarator"))
        if declarator is None:
            continue
        name = _function_name(source, declarator)
        const = name.endswith(" const")
        name = name.removesuffix(" const")
        parts = name.split(".")
        member = len(parts) > 1 and parts[-2] not in classes
        words = {
            source.node_text(c) for c in function.children if c.type in ("type_qualifier", "storage_class_specifier")
        }
        if "static" in words and not member:
            continue  # internal linkage: no header declares it
        parameters = tuple(_raw_parameter(source, p) for p in _parameter_groups(declarator))
        found.append(
            _Definition(".".join(scope + parts), member, parameters, const, frozenset(words & _KEPT), function)
        )
    return found


def _parameter_groups(declarator: tree_sitter.Node) -> list[tree_sitter.Node]:
    parameters = declarator.child_by_field_name("parameters")
    if parameters is None:
        return []
    return [child for child in parameters.named_children if child.type != "comment"]


def _raw_parameter(source: Source, parameter: tree_sitter.Node) -> str:
    """A parameter's type as a declaration must repeat it: its name left out, `std::` and tags dropped, and `const` on a
    by-value parameter left out (it is the definition's own business); `const string&` stays apart from `string`."""
    name = _parameter_name([parameter])
    key = canonical(source, [parameter], frozenset({"attribute_specifier"}), skip_ids={name.id} if name else set())
    key = _STD.sub("", _C_TAG.sub("", key)).strip()
    if key == "void":
        return ""
    if "*" not in key and "&" not in key:
        key = " ".join(word for word in key.split() if word != "const")
    return key


def header_mismatches(original: Source, answer: Source) -> Iterator[Finding]:
    """Definitions that no longer match what the header the file includes declares, inferred from the original,
    whose definitions matched it: a member defined outside its class (the class is in the header) whose parameter
    types, const qualifier or specifiers the answer changed (the compiler refuses it: no such member), a function with
    external linkage made constexpr or consteval, a member of such a class defined outside it that the original never
    defined (a helper or a static field the header cannot declare) or a static field defined with another type, and a
    class the header defines defined again in the file."""
    declared = _declared_definitions(original)
    if not declared:
        return
    by_name: dict[str, set[tuple[tuple[str, ...], bool, frozenset[str]]]] = {}
    for definition in declared:
        by_name.setdefault(definition.name, set()).add(definition.key)
    answered = [d for d in _declared_definitions(answer) if d.name in by_name]
    reported: set[str] = set()
    for definition in answered:
        if definition.key not in by_name[definition.name] and definition.name not in reported:
            reported.add(definition.name)
            before = next(d for d in declared if d.name == definition.name)
            message = (
                f"{definition.display()} no longer matches the header's declaration, which the original's "
                f"{before.display()} matched"
            )
            yield finding(answer, "header-mismatch", definition.name, definition.node, message)
    members = {d.name.split(".")[-2] for d in declared if d.member}
    if not members or answer.grammar != "cpp":
        return
    yield from _members_the_header_lacks(original, answer, by_name, members)
    for name in captured(answer.grammar, "(class_specifier name: (_) @hit body: (_))", answer.root):
        text = answer.node_text(name).split("::")[-1]
        if text in members:
            message = (
                f"class {text} is defined in the file though the header it includes holds it (the original defines its "
                "members outside it): a redefinition, or in another scope a new class that leaves the header's members "
                "undefined"
            )
            yield finding(answer, "header-mismatch", f"class {text}", name, message)


_STATIC_FIELDS = """
(declaration type: (_) @type declarator: [
    (qualified_identifier) @name
    (init_declarator declarator: (qualified_identifier) @name)
]) @definition
"""
_PROTOTYPES = (
    "(declaration declarator: (function_declarator declarator: (_) @hit))",
    "(field_declaration declarator: (function_declarator declarator: (_) @hit))",
)


def _static_fields(source: Source) -> dict[str, tuple[str, tree_sitter.Node]]:
    """`std::set<std::string> robot::generated = {};` at file or namespace scope: a class's static field defined outside
    it, by its class and name (`robot.generated`), with its type as written (std:: and spaces left out)."""
    found: dict[str, tuple[str, tree_sitter.Node]] = {}
    for hit in matches(source, _STATIC_FIELDS):
        definition, name, kind = hit["definition"][0], hit["name"][0], hit["type"][0]
        if definition.parent is None or definition.parent.type not in ("translation_unit", "declaration_list"):
            continue
        key = ".".join("".join(source.node_text(name).split()).split("::")[-2:])  # however the namespace is spelt
        found.setdefault(key, (_STD.sub("", "".join(source.node_text(kind).split())), name))
    return found


def _members_the_header_lacks(
    original: Source,
    answer: Source,
    by_name: dict[str, set[tuple[tuple[str, ...], bool, frozenset[str]]]],
    classes: set[str],
) -> Iterator[Finding]:
    """Out-of-class definitions of members of a class the header holds (the original defines its members outside it)
    that its declaration cannot match: a method or a static field the original never defined (the header declares
    what the original needed; `mutex robot::gen_mutex;` is a member the class never declared), and a static field
    whose type is not the one the original defined it with (`unordered_set<string> robot::generated` for the header's
    `set<string>`). A member the answer declares itself (a prototype in the file) is left alone."""
    prototyped = {
        answer.node_text(node).split("::")[-1]
        for pattern in _PROTOTYPES
        for node in captured(answer.grammar, pattern, answer.root)
    }
    fields_before = _static_fields(original)
    defined_before = {".".join(name.split(".")[-2:]) for name in by_name}  # however the namespace is spelt
    for definition in _declared_definitions(answer):
        parts = definition.name.split(".")
        if (
            definition.member
            and ".".join(parts[-2:]) not in defined_before
            and ".".join(parts[-2:]) not in fields_before
            and parts[-2] in classes
            and parts[-1] not in prototyped
            and not parts[-1].startswith(("operator", "~"))
        ):
            message = (
                f"{definition.display()} is defined outside its class, which the header the file includes holds, "
                "but the original defines no such member: the header does not declare it"
            )
            yield finding(answer, "header-mismatch", definition.name, definition.node, message)
    for key, (kind, node) in _static_fields(answer).items():
        parts = key.split(".")
        if len(parts) < 2 or parts[-2] not in classes or parts[-1] in prototyped or key in defined_before:
            continue
        before = fields_before.get(key)
        if before is None:
            message = (
                f"static member {key.replace('.', '::')} is defined, but the header's {parts[-2]} declares no such "
                "member (the original defines none)"
            )
        elif before[0] != kind:
            message = (
                f"static member {key.replace('.', '::')} is defined as {kind}, where the original's definition, and so "
                f"the header's declaration, has {before[0]}"
            )
        else:
            continue
        yield finding(answer, "header-mismatch", key, node, message)


_TYPE_DEFINITIONS = (
    "(type_definition declarator: (type_identifier) @hit)",
    "(struct_specifier name: (type_identifier) @hit body: (_))",
    "(union_specifier name: (type_identifier) @hit body: (_))",
    "(enum_specifier name: (type_identifier) @hit body: (_))",
    "(class_specifier name: (type_identifier) @hit body: (_))",
    "(alias_declaration name: (type_identifier) @hit)",
)


def header_types_declared_again(original: Source, answer: Source) -> Iterator[Finding]:
    """A type the original uses and never declares comes from a header it includes (the project's own: the standard
    headers' are known names): the answer, still including that header, that declares it again at file or namespace
    scope (`typedef struct {...} stack_t;`) gives it a second, conflicting definition the compiler refuses."""
    from bare_tui.pipeline.languages import spec_for_grammar  # the registry imports this module

    headers = {path for path in _local_includes(original)}
    if not headers or not headers <= _local_includes(answer):
        return
    grammar = original.grammar
    known = spec_for_grammar(grammar).known_names
    declared_before = {
        word
        for pattern in _TYPE_DECLARATIONS
        for node in captured(grammar, pattern, original.root)
        for word in _NAME.findall(original.node_text(node))
    }
    used_before = {
        original.node_text(node)
        for node in captured(grammar, "(type_identifier) @hit", original.root)
        if not node.has_error
    }
    from_header = used_before - declared_before - known
    if not from_header:
        return
    reported: set[str] = set()
    for pattern in _TYPE_DEFINITIONS:
        for node in captured(grammar, pattern, answer.root):
            name = answer.node_text(node)
            if name not in from_header or name in reported or not _at_file_scope(node):
                continue
            reported.add(name)
            message = (
                f"type {name} is declared again: the original uses it without declaring it, so the header it includes "
                "declares it"
            )
            yield finding(answer, "header-redeclared", name, node, message)


def _local_includes(source: Source) -> set[str]:
    return {
        source.node_text(path).strip('"').strip()
        for path in captured(source.grammar, "(preproc_include path: (string_literal) @hit)", source.root)
    }


def _at_file_scope(node: tree_sitter.Node) -> bool:
    """Declared at file scope or in a named namespace (not in a function, a class or an anonymous namespace)."""
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type in ("compound_statement", "field_declaration_list"):
            return False
        if ancestor.type == "namespace_definition" and ancestor.child_by_field_name("name") is None:
            return False
        ancestor = ancestor.parent
    return True


_PARAMETER_TYPES = (
    "(parameter_declaration type: (type_identifier) @hit)",
    "(optional_parameter_declaration type: (type_identifier) @hit)",
    "(variadic_parameter_declaration type: (type_identifier) @hit)",
)
_TYPE_DECLARATIONS = (
    "(type_definition declarator: (_) @hit)",
    "(struct_specifier name: (_) @hit)",
    "(union_specifier name: (_) @hit)",
    "(enum_specifier name: (_) @hit)",
    "(class_specifier name: (_) @hit)",
    "(alias_declaration name: (_) @hit)",
    "(type_parameter_declaration (type_identifier) @hit)",
    "(optional_type_parameter_declaration name: (_) @hit)",
    "(variadic_type_parameter_declaration (type_identifier) @hit)",
    "(template_template_parameter_declaration (type_parameter_declaration (type_identifier) @hit))",
    "(preproc_def name: (_) @hit)",
    "(preproc_function_def name: (_) @hit)",
)
_NAME = re.compile(r"[A-Za-z_]\w*")
_PROJECT_HEADER = re.compile(r'^\s*#\s*include\s*"', re.MULTILINE)


def undeclared_parameter_types(original: Source, answer: Source) -> Iterator[Finding]:
    """A parameter whose type is a lone name that nothing declares: not the file (a typedef, a struct, enum, union
    or class tag, a using alias, a template parameter, a macro), not the standard headers (the language's known
    names), and not the original, whose project header may declare what this file cannot see (so only names new
    to the answer count; an all-capitals one may still be a macro of that header). The compiler refuses it
    (`same_column(position_t queen_1, position_2)`: a parameter that lost its type). Parameters of declarations
    inside a function body are left out: in C++ `std::string s(n, c);` parses as one."""
    from bare_tui.pipeline.languages import spec_for_grammar  # the registry imports this module

    grammar = answer.grammar
    in_body = _in_function_body(captured(grammar, "(compound_statement) @hit", answer.root))
    used = [
        node
        for pattern in _PARAMETER_TYPES
        for node in captured(grammar, pattern, answer.root)
        if not node.has_error and not in_body(node)
    ]
    if not used:
        return
    known = spec_for_grammar(grammar).known_names
    before = set(_NAME.findall(original.text))
    fresh = [node for node in used if answer.node_text(node) not in before | known]
    if not fresh:
        return
    declared = {
        word
        for pattern in _TYPE_DECLARATIONS
        for node in captured(grammar, pattern, answer.root)
        for word in _NAME.findall(answer.node_text(node))
    }
    # A name the answer also uses as a variable, function or member is not a type it forgot to declare.
    declared.update(
        answer.node_text(node) for node in captured(grammar, "[(identifier) (field_identifier)] @hit", answer.root)
    )
    project_header = _PROJECT_HEADER.search(answer.text) is not None
    reported: set[str] = set()
    for node in fresh:
        name = answer.node_text(node)
        if name in declared or name in reported or (project_header and name.upper() == name):
            continue
        reported.add(name)
        message = (
            f"unknown type name '{name}' in a parameter: declared nowhere in the file, its headers or the original"
        )
        yield finding(answer, "unknown-type", name, node, message)


def _in_function_body(bodies: list[tree_sitter.Node]) -> Callable[[tree_sitter.Node], bool]:
    """Whether a node lies inside one of these blocks, by byte ranges: a walk up each node's parents costs the
    depth twice over (tree-sitter finds a parent from the root down), and a file of 2,000 nested calls took 488 s.
    Blocks nest or are apart, so a node is inside one exactly when some block that starts at or before it ends
    after its start."""
    starts = [body.start_byte for body in bodies]  # captured in document order
    reach: list[int] = []
    for body in bodies:
        reach.append(max(body.end_byte, reach[-1]) if reach else body.end_byte)

    def inside(node: tree_sitter.Node) -> bool:
        k = bisect_right(starts, node.start_byte) - 1
        return k >= 0 and reach[k] > node.start_byte

    return inside


_STRING_CONSTANTS = """
(translation_unit (declaration declarator: (init_declarator
    declarator: [(pointer_declarator declarator: (identifier) @name) (array_declarator declarator: (identifier) @name)]
    value: (string_literal) @value)))
"""
_ARRAYS = "(array_declarator declarator: (identifier) @name size: (number_literal) @size)"
_COPIES = (
    "(call_expression function: (identifier) @function arguments: (argument_list (identifier) @target . (_) @source))"
)
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)")


def copies_past_the_end(source: Source) -> Iterator[Finding]:
    """strcpy or strcat of a string whose length the file fixes (a literal, or a file-scope string constant no
    statement reassigns) into an array declared smaller than it and its terminator: a buffer overflow. cppcheck
    follows a literal but not a pointer constant (`const char *no_more = "No more";` copied into `char bot[3]`)."""
    grammar = source.grammar
    constants: dict[str, int] = {}
    for found in matches(source, _STRING_CONSTANTS):
        name, value = found.get("name"), found.get("value")
        if name and value:
            constants[source.node_text(name[0])] = _string_length(source, value[0])
    if constants:
        assigned = {
            source.node_text(left)
            for left in captured(grammar, "(assignment_expression left: (identifier) @hit)", source.root)
        }
        constants = {name: length for name, length in constants.items() if name not in assigned}
    copies = [
        found
        for found in matches(source, _COPIES)
        if found.get("function") and source.node_text(found["function"][0]) in ("strcpy", "strcat")
    ]
    if not copies:
        return
    sizes: dict[str, set[int]] = {}
    for found in matches(source, _ARRAYS):
        text = source.node_text(found["size"][0])
        if text.isdigit():
            sizes.setdefault(source.node_text(found["name"][0]), set()).add(int(text))
    for found in copies:
        target, copied = found["target"][0], found["source"][0]
        declared = sizes.get(source.node_text(target))
        if not declared or len(declared) > 1:
            continue  # not an array here, or arrays of one name and several sizes: which one is unknown
        if copied.type == "string_literal":
            length: int | None = _string_length(source, copied)
        elif copied.type == "identifier":
            length = constants.get(source.node_text(copied))
        else:
            length = None
        size = next(iter(declared))
        if length is not None and length + 1 > size:
            call = source.node_text(found["function"][0])
            what = snippet(source.node_text(copied), 30)
            message = (
                f"{call} of {what} ({length + 1} bytes with its terminator) into {source.node_text(target)}[{size}]"
            )
            yield finding(source, "buffer-overflow", f"{call} {source.node_text(target)} {what}", copied, message)


def _string_length(source: Source, literal: tree_sitter.Node) -> int:
    """The bytes a C string literal holds before its terminator (each escape one byte)."""
    text = source.node_text(literal)
    body = text[text.index('"') + 1 : text.rindex('"')] if text.count('"') >= 2 else ""
    return len(_ESCAPE.sub("?", body).encode("utf-8"))


# What C's standard headers declare, for the rule that a name whose header the answer removed is declared nowhere.

C_HEADER_NAMES = {
    "assert.h": "assert static_assert NDEBUG",
    "ctype.h": "isalnum isalpha isblank iscntrl isdigit isgraph islower isprint ispunct isspace isupper isxdigit "
    "tolower toupper isascii toascii",
    "errno.h": "errno EDOM ERANGE EILSEQ EINVAL ENOMEM EAGAIN ENOENT EPERM EIO",
    "limits.h": "CHAR_BIT SCHAR_MIN SCHAR_MAX UCHAR_MAX CHAR_MIN CHAR_MAX MB_LEN_MAX SHRT_MIN SHRT_MAX USHRT_MAX "
    "INT_MIN INT_MAX UINT_MAX LONG_MIN LONG_MAX ULONG_MAX LLONG_MIN LLONG_MAX ULLONG_MAX PATH_MAX SSIZE_MAX",
    "stdbool.h": "bool true false __bool_true_false_are_defined",
    "stddef.h": "NULL size_t ptrdiff_t offsetof max_align_t wchar_t",
    "stdint.h": "int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t int_least8_t int_least16_t "
    "int_least32_t int_least64_t uint_least8_t uint_least16_t uint_least32_t uint_least64_t int_fast8_t "
    "int_fast16_t int_fast32_t int_fast64_t uint_fast8_t uint_fast16_t uint_fast32_t uint_fast64_t intptr_t "
    "uintptr_t intmax_t uintmax_t INT8_MIN INT16_MIN INT32_MIN INT64_MIN INT8_MAX INT16_MAX INT32_MAX INT64_MAX "
    "UINT8_MAX UINT16_MAX UINT32_MAX UINT64_MAX INTPTR_MAX UINTPTR_MAX INTMAX_MAX UINTMAX_MAX SIZE_MAX PTRDIFF_MAX "
    "INT8_C INT16_C INT32_C INT64_C UINT8_C UINT16_C UINT32_C UINT64_C INTMAX_C UINTMAX_C",
    "stdio.h": "FILE fpos_t NULL EOF BUFSIZ FILENAME_MAX SEEK_SET SEEK_CUR SEEK_END stdin stdout stderr size_t "
    "printf fprintf sprintf snprintf vprintf vfprintf vsprintf vsnprintf scanf fscanf sscanf vscanf vfscanf vsscanf "
    "puts fputs fputc putc putchar getchar getc fgetc fgets gets ungetc fopen freopen fclose fflush fread fwrite "
    "fseek ftell rewind fgetpos fsetpos feof ferror clearerr perror remove rename tmpfile tmpnam setbuf setvbuf "
    "getline getdelim dprintf fdopen fileno popen pclose _IOFBF _IOLBF _IONBF L_tmpnam TMP_MAX",
    "stdlib.h": "NULL size_t EXIT_SUCCESS EXIT_FAILURE RAND_MAX MB_CUR_MAX div_t ldiv_t lldiv_t malloc calloc "
    "realloc free aligned_alloc abort exit atexit at_quick_exit quick_exit _Exit getenv system atoi atol atoll atof "
    "strtol strtoul strtoll strtoull strtod strtof strtold abs labs llabs div ldiv lldiv rand srand qsort bsearch "
    "mblen mbtowc wctomb mbstowcs wcstombs random srandom posix_memalign setenv unsetenv mkstemp realpath",
    "string.h": "NULL size_t memcpy memmove memset memcmp memchr strlen strnlen strcpy strncpy strcat strncat strcmp "
    "strncmp strcoll strxfrm strchr strrchr strstr strtok strtok_r strerror strspn strcspn strpbrk strdup strndup "
    "stpcpy stpncpy strsep strcasecmp strncasecmp memrchr memccpy strsignal strlcpy strlcat",
    "time.h": "NULL size_t time_t clock_t tm timespec CLOCKS_PER_SEC TIME_UTC time clock difftime mktime "
    "strftime gmtime localtime asctime ctime gmtime_r localtime_r asctime_r ctime_r timespec_get nanosleep "
    "clock_gettime CLOCK_REALTIME CLOCK_MONOTONIC tzset timegm strptime",
}
"""C's standard headers and what each declares (math.h is the math rule's)."""


_PROTOTYPE_TYPES = words(
    """
    bool true false size_t ssize_t ptrdiff_t wchar_t FILE time_t clock_t tm intptr_t uintptr_t intmax_t uintmax_t
    int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t
    """
)
"""Names a project header needs for its own prototypes and so includes itself (`bool is_paired(const char *)` needs
<stdbool.h>): a file that drops its include of them may still have them."""


def _standard_names(table: dict[str, str]) -> dict[str, frozenset[str]]:
    return {header: frozenset(names.split()) for header, names in table.items()}


C_STANDARD = _standard_names(C_HEADER_NAMES)


def _system_includes(source: Source) -> list[tuple[str, tree_sitter.Node]]:
    return [
        (source.node_text(path).strip("<>").strip(), path)
        for path in captured(source.grammar, "(preproc_include path: (system_lib_string) @hit)", source.root)
    ]


def names_whose_header_went(original: Source, answer: Source) -> Iterator[Finding]:
    """A standard name the answer uses (`NULL`, `strlen`) whose header the original included and the answer no longer
    includes, nor any other that declares it: the original's own include says no header of the project brings it, so
    the compiler finds it declared nowhere. Types and `bool`, which a project header needs for its own prototypes, are
    left out; a name the answer declares itself is its own."""
    removed = {h for h, _ in _system_includes(original)} - {h for h, _ in _system_includes(answer)}
    kept = {h for h, _ in _system_includes(answer)}
    lost = {name for header in removed if header in C_STANDARD for name in C_STANDARD[header]} - _PROTOTYPE_TYPES
    if not lost:
        return
    declared = {
        answer.node_text(node)
        for pattern in (*_TYPE_DECLARATIONS, "(function_declarator declarator: (identifier) @hit)")
        for node in captured(answer.grammar, pattern, answer.root)
    }
    reported: set[str] = set()
    for node in captured(answer.grammar, "[(identifier) (null) (type_identifier)] @hit", answer.root):
        name = answer.node_text(node)
        if name not in lost or name in reported or name in declared or node.has_error:
            continue
        if any(name in names for header, names in C_STANDARD.items() if header in kept):
            continue
        reported.add(name)
        header = next(h for h in sorted(removed) if name in C_STANDARD.get(h, ()))
        message = f"{name} is used but <{header}>, which declared it in the original, is no longer included"
        yield finding(answer, "missing-include", name, node, message)


# Names the undefined-name rule cannot see declared, though the compiler does (LanguageSpec.declared_elsewhere).

_VALUE_WRAPPERS = frozenset({"conditional_expression", "parenthesized_expression"})


def declared_elsewhere(original: Source, answer: Source, names: frozenset[str]) -> frozenset[str]:
    """Those of `names` (the answer's, that the original never mentions) that the compiler finds declared where
    neither file shows it:

    - a name reserved to the implementation (C11 7.1.3: two underscores, or one and a capital): the compiler's
      built-ins (`__builtin_popcount`) and its headers' internals, which no program may declare;
    - with a project header included (`#include "allergies.h"`): an all-capitals name, the header's macro or enum
      constant; and a name ending in `_t`, which POSIX reserves for types and exercises' headers use for theirs
      (`sizeof(student_t)`);
    - with a project header included: a bare name returned, or used to initialise a variable, where the value's type
      is one the original uses and neither file declares (the header's): an enumerator of that header's enum
      (`return scalene;` from `triangles_t kind(...)`, the original having returned `equilateral`).

    And those that are no name at all: an argument of a function-like macro the answer defines that pastes it into
    another token or makes it a string (`DEFINE_NTH(1, first)` for `#define DEFINE_NTH(n, nth) date nth##_monday()`)."""
    found = {name for name in names if name.startswith("__") or (name[:1] == "_" and name[1:2].isupper())}
    found.update(_pasted_macro_arguments(answer, names - found))
    if _PROJECT_HEADER.search(answer.text) is None:
        return frozenset(found)
    found.update(name for name in names if name.isupper() or (name.endswith("_t") and len(name) > 2))
    rest = names - found
    if rest:
        found.update(_header_enumerators(original, answer, rest))
    return frozenset(found)


_PASTED = re.compile(r"##\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*##|(?<!#)#\s*([A-Za-z_]\w*)")


def _pasted_macro_arguments(answer: Source, names: frozenset[str]) -> set[str]:
    """Those of `names` passed bare to a function-like macro the answer defines, where the macro's parameter in that
    place is pasted (`##`) or stringised (`#`): a piece of a token, not a name the compiler looks up."""
    if not names or "#" not in answer.text:
        return set()
    pasted: dict[str, set[int]] = {}
    for macro in captured(answer.grammar, "(preproc_function_def) @hit", answer.root):
        name, parameters, value = (macro.child_by_field_name(f) for f in ("name", "parameters", "value"))
        if name is None or parameters is None or value is None:
            continue
        spliced = {word for match in _PASTED.finditer(answer.node_text(value)) for word in match.groups() if word}
        params = [answer.node_text(p) for p in parameters.named_children if p.type == "identifier"]
        places = {index for index, param in enumerate(params) if param in spliced}
        if places:
            pasted[answer.node_text(name)] = places
    found: set[str] = set()
    if not pasted:
        return found
    for call in captured(answer.grammar, "(call_expression function: (identifier) arguments: (_)) @hit", answer.root):
        function, arguments = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        spliced_at = pasted.get(answer.node_text(function)) if function is not None else None
        if not spliced_at or arguments is None:
            continue
        for index, argument in enumerate(a for a in arguments.named_children if a.type != "comment"):
            if index in spliced_at and argument.type == "identifier" and answer.node_text(argument) in names:
                found.add(answer.node_text(argument))
    return found


def _header_enumerators(original: Source, answer: Source, names: frozenset[str]) -> set[str]:
    """Those of `names` the answer gives as a value of a type the header declares: returned from a function of that
    type, or initialising a variable of it."""
    from bare_tui.pipeline.languages import spec_for_grammar  # the registry imports this module

    grammar = answer.grammar
    declared = {
        answer.node_text(node) for pattern in _TYPE_DECLARATIONS for node in captured(grammar, pattern, answer.root)
    }
    known = spec_for_grammar(grammar).known_names
    before = set(_NAME.findall(original.text))

    def header_type(node: tree_sitter.Node) -> bool:
        text = answer.node_text(node).rsplit("::", 1)[-1]
        return text in before and text not in declared and text not in known

    found: set[str] = set()
    for function in captured(grammar, "(function_definition) @hit", answer.root):
        type_node = function.child_by_field_name("type")
        body = function.child_by_field_name("body")
        if type_node is None or body is None or not header_type(type_node):
            continue
        for value in captured(grammar, "(return_statement (_) @hit)", body):
            found.update(_bare_values(answer, value, names))
    for declaration in captured(grammar, "(declaration) @hit", answer.root):
        type_node = declaration.child_by_field_name("type")
        if type_node is None or not header_type(type_node):
            continue
        for declarator in declaration.children_by_field_name("declarator"):
            initial = declarator.child_by_field_name("value") if declarator.type == "init_declarator" else None
            if initial is not None:
                found.update(_bare_values(answer, initial, names))
    return found


def _bare_values(source: Source, node: tree_sitter.Node, names: frozenset[str]) -> Iterator[str]:
    """The names among `names` that are `node`'s value: itself, or either arm of a conditional, in parentheses."""
    if node.type == "identifier":
        text = source.node_text(node)
        if text in names:
            yield text
    elif node.type in _VALUE_WRAPPERS:
        arms = (
            [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
            if node.type == "conditional_expression"
            else node.named_children
        )
        for arm in arms:
            if arm is not None:
                yield from _bare_values(source, arm, names)


NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words("char_literal concatenated_string string_literal"),
    calls=words("call_expression"),
    string_arguments=words("string_literal"),
    top_level_statements=words("expression_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment string_literal"),
    assignments=words("assignment_expression"),
    control=words("do_statement for_statement if_statement switch_statement while_statement"),
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words("function_definition"),
    chained_parents=words("else_clause if_statement"),
    not_parameters=words("( ) , comment"),
    number_literals=words("number_literal"),
    parameter_declarations=words("parameter_declaration"),
    function_declarators=words("function_declarator"),
    terminators=words("break_statement continue_statement goto_statement return_statement"),
    reachable_after=words(
        "; case_statement comment labeled_statement preproc_call preproc_def preproc_elif",
        "preproc_else preproc_if preproc_ifdef preproc_include }",
    ),
    jump_targets=words("case_statement labeled_statement"),
    self_assignments=words("assignment_expression"),
    single_value_arms=words("case_statement"),
    names=words("identifier"),
    wrappers=words("array_declarator init_declarator parenthesized_declarator pointer_declarator"),
    initialisers=words("init_declarator"),
    assigning=words("assignment_expression"),
    preprocessor_tests=words("preproc_defined preproc_elifdef preproc_ifdef"),
    preprocessor_conditionals=words("preproc_elif preproc_if"),
    object_names=words("identifier"),
    imports=words("extern"),
    member_fields=words("field label member type"),
    member_contexts=frozenset({("attribute", None), ("goto_statement", None)}),
    declaring=frozenset(
        {
            ("array_declarator", "declarator"),
            ("assignment_expression", "left"),
            ("attributed_declarator", None),
            ("declaration", "declarator"),
            ("enumerator", "name"),
            ("field_declaration", "declarator"),
            ("function_declarator", "declarator"),
            ("function_definition", "name"),
            ("init_declarator", "declarator"),
            ("labeled_statement", None),
            ("labeled_statement", "label"),
            ("parameter_declaration", "declarator"),
            ("parameter_declaration", "name"),
            ("parenthesized_declarator", None),
            ("pointer_declarator", "declarator"),
            ("preproc_def", "name"),
            ("preproc_function_def", "name"),
            ("preproc_params", None),
            ("type_definition", "declarator"),
            ("variadic_parameter", "name"),
        }
    ),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

STANDARD_HEADERS = frozenset(C_HEADER_NAMES) | {"math.h"} | _CPP_ONLY_HEADERS
"""The standard headers, however a file spells their include (`#include "stdlib.h"` is seen in real files)."""


def project_includes(rule: ImportRule) -> ImportRule:
    """The imports a rule finds less the standard headers: a project header the file includes ("two_fer.h") declares
    what the file defines and the types it uses, so an answer that drops it drops part of the file. A standard header
    is left to the defects stage, which knows what they declare (names_whose_header_went, missing-include): whether
    an answer still needs one depends on names this stage cannot look up, and dropping an unused one is a cleanup.
    Imports of a whole module are kept."""

    def includes(source: Source) -> list[Imported]:
        return [imported for imported in rule(source) if imported.whole or imported.module not in STANDARD_HEADERS]

    return includes


INCLUDES = """
    (preproc_include path: (string_literal (string_content) @module)) @import
    (preproc_include path: (system_lib_string) @module @whole) @import
    """
IMPORTS = project_includes(query_imports(INCLUDES))
"""The project headers the file includes in quotes. A system header is read as imported whole (no name of its own):
`#include <vector>` names no `vector` the code uses."""

_CONSTANT = (
    "(declaration (type_qualifier) @qualifier declarator: (init_declarator declarator: (identifier) @name value: (_)"
    ' @value)) @definition (#any-of? @qualifier "const" "constexpr")'
)
CONSTANT_QUERIES = ("(preproc_def name: (identifier) @name value: (preproc_arg) @value) @definition",) + tuple(
    f"({scope} {_CONSTANT})" for scope in ("translation_unit", "preproc_if", "preproc_ifdef", "preproc_else")
)
"""An object-like `#define` with a value (an include guard or a flag defines none), and a `const` declared outside any
function."""

SPEC = LanguageSpec(
    node_kinds=NODE_KINDS,
    name="c",
    extensions=(".c", ".h"),
    fence_names=("c", "h"),
    grammars={"c": Grammar("tree_sitter_c")},
    return_fields=("type",),
    parameter=parameter,
    return_type=return_type,
    typedefs=TYPEDEFS,
    hidden=hidden,
    definition_kinds=DEFINITION_KINDS,
    visit=visit,
    ignored_in_parameters=frozenset({"attribute_specifier"}),
    members_defined_outside=True,
    known_names=words(KNOWN_NAMES, INTTYPES_NAMES, POSIX_NAMES),
    type_queries=TYPE_QUERIES,
    imports=IMPORTS,
    constant_queries=CONSTANT_QUERIES,
    header_extensions=HEADERS,
    defect_queries=(ASSIGNMENT_IN_PARENTHESES,),
    block_query="(compound_statement) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query=SWITCH_QUERY,
    defect_rules=(headers_and_inline, missing_math_header(("math.h", "tgmath.h")), copies_past_the_end),
    compared_rules=(
        ownership_changes,
        undeclared_parameter_types,
        names_whose_header_went,
        header_types_declared_again,
    ),
    cppcheck=Cppcheck("c", ".c"),
    preprocessor=True,
    declared_elsewhere=declared_elsewhere,
)
