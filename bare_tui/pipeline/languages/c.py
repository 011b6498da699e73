"""C: tree-sitter-c plus cppcheck; functions with external linkage (not `static`) are visible."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import LanguageSpec, words
from bare_tui.pipeline.languages.tree import Source, modifier_words

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


def _grammar() -> object:
    import tree_sitter_c

    return tree_sitter_c.language()


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

SPEC = LanguageSpec(
    name="c",
    extensions=(".c", ".h"),
    aliases=(),
    fence_names=("c", "h"),
    grammars={"c": _grammar},
    grammar_packages=("tree-sitter-c",),
    pygments_lexer="c",
    lizard_extensions={"c": ".c"},
    return_fields=("type",),
    hidden=hidden,
    known_names=words(KNOWN_NAMES),
    type_queries=TYPE_QUERIES,
)
