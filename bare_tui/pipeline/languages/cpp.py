"""C++: tree-sitter-cpp plus cppcheck; C's linkage rules, anonymous namespaces and `private:` members."""

from __future__ import annotations

from bare_tui.pipeline.languages.c import (
    CONSTANT_QUERIES,
    DEFINITION_KINDS,
    HEADERS,
    INCLUDES,
    INTTYPES_NAMES,
    KNOWN_NAMES,
    POSIX_NAMES,
    SWITCH_QUERY,
    TYPE_QUERIES,
    TYPEDEFS,
    copies_past_the_end,
    declared_elsewhere,
    header_mismatches,
    header_types_declared_again,
    hidden,
    missing_math_header,
    ownership_changes,
    parameter,
    project_includes,
    return_type,
    undeclared_parameter_types,
    visit,
)
from bare_tui.pipeline.languages.spec import (
    Cppcheck,
    Grammar,
    LanguageSpec,
    NodeKinds,
    assignment_in_condition,
    empty_catch,
    query_imports,
    words,
)

STANDARD_LIBRARY = """
    lower_bound upper_bound equal_range binary_search inplace_merge set_union set_intersection set_difference
    set_symmetric_difference partial_sort partial_sort_copy nth_element stable_sort is_sorted is_sorted_until
    is_partitioned stable_partition partition_point find_if_not find_end find_first_of adjacent_find for_each
    for_each_n generate_n replace_if replace_copy replace_copy_if remove_copy remove_copy_if unique_copy
    reverse_copy rotate_copy copy_n copy_backward move_backward fill_n swap_ranges iter_swap minmax minmax_element
    clamp lexicographical_compare next_permutation prev_permutation is_permutation partial_sum adjacent_difference
    inner_product transform_reduce exclusive_scan inclusive_scan gcd lcm midpoint as_const make_move_iterator
    front_inserter to_wstring stoll stoul stoull stof stold greater_equal less_equal equal_to not_equal_to
    multiplies logical_and logical_or logical_not numeric_limits ostringstream istringstream stringstream
    ifstream ofstream fstream bitset multimap multiset unordered_multimap unordered_multiset forward_list
    initializer_list wstring domain_error length_error overflow_error underflow_error range_error bad_alloc
"""
"""Names of namespace std beyond the common ones: what `using namespace std;` (or argument-dependent lookup, for
`lower_bound(v.begin(), v.end(), x)`) lets a file call unqualified. Everyday words (count, empty, merge, search,
equal, remove, replace) are left out, as POSIX's are: a variable of that name declared nowhere is the likelier
mistake."""

NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words("char_literal concatenated_string raw_string_literal string_literal"),
    calls=words("call_expression"),
    anonymous_functions=words("lambda_expression"),
    string_arguments=words("raw_string_literal string_literal"),
    top_level_statements=words("expression_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment string_literal"),
    assignments=words("assignment_expression"),
    value_definitions=words("class"),
    control=words(
        "catch_clause do_statement for_range_loop for_statement if_statement",
        "switch_statement try_statement while_statement",
    ),
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words("function_definition lambda_expression"),
    chained_parents=words("else_clause if_statement"),
    same_level=words("catch_clause"),
    not_parameters=words("( ) , comment"),
    number_literals=words("number_literal"),
    parameter_declarations=words("parameter_declaration"),
    function_declarators=words("function_declarator"),
    terminators=words("break_statement continue_statement goto_statement return_statement", "throw_statement"),
    reachable_after=words(
        "; case_statement comment labeled_statement preproc_call preproc_def preproc_elif",
        "preproc_else preproc_if preproc_ifdef preproc_include }",
    ),
    jump_targets=words("case_statement labeled_statement"),
    self_assignments=words("assignment_expression"),
    single_value_arms=words("case_statement"),
    names=words("identifier"),
    member_names=words("field_identifier"),
    wrappers=words(
        "array_declarator init_declarator parenthesized_declarator pointer_declarator", "reference_declarator"
    ),
    initialisers=words("init_declarator"),
    assigning=words("assignment_expression"),
    preprocessor_tests=words("preproc_defined preproc_elifdef preproc_ifdef"),
    preprocessor_conditionals=words("preproc_elif preproc_if"),
    object_names=words("identifier"),
    imports=words("extern using using_declaration"),
    member_fields=words("field label member scope type"),
    member_contexts=frozenset({("attribute", None), ("goto_statement", None), ("qualified_identifier", "name")}),
    declaring=frozenset(
        {
            ("alias_declaration", "name"),
            ("array_declarator", "declarator"),
            ("assignment_expression", "left"),
            ("attributed_declarator", None),
            ("catch_clause", "name"),
            ("class", "name"),
            ("declaration", "declarator"),
            ("enumerator", "name"),
            ("field_declaration", "declarator"),
            ("for_range_loop", "declarator"),
            ("function_declarator", "declarator"),
            ("function_definition", "name"),
            ("init_declarator", "declarator"),
            ("labeled_statement", None),
            ("labeled_statement", "label"),
            ("lambda_capture_initializer", "left"),
            ("lambda_expression", "parameters"),
            ("namespace_definition", "name"),
            ("optional_parameter_declaration", "declarator"),
            ("parameter_declaration", "declarator"),
            ("parameter_declaration", "name"),
            ("parenthesized_declarator", None),
            ("pointer_declarator", "declarator"),
            ("preproc_def", "name"),
            ("preproc_function_def", "name"),
            ("preproc_params", None),
            ("reference_declarator", None),
            ("structured_binding_declarator", None),
            ("template_function", "name"),
            ("type_definition", "declarator"),
            ("type_parameter_declaration", "name"),
            ("using_declaration", None),
            ("variadic_declarator", None),
            ("variadic_parameter_declaration", "declarator"),
            ("variadic_parameter_declaration", "name"),
        }
    ),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

IMPORTS = project_includes(
    query_imports(f"""{INCLUDES}
    (using_declaration (qualified_identifier name: (identifier) @name) @module) @import
    (using_declaration "namespace" @whole (_) @module) @import
    """)
)
"""C's project headers, and the name a `using std::vector;` brings in (`using namespace` brings in a whole one)."""

CPP_CONSTANT_QUERIES = CONSTANT_QUERIES + (
    "(declaration_list (declaration (type_qualifier) @qualifier declarator: (init_declarator declarator: (identifier)"
    ' @name value: (_) @value)) @definition (#any-of? @qualifier "const" "constexpr"))',
)
"""C's, and a `const` or `constexpr` in a namespace."""

SPEC = LanguageSpec(
    node_kinds=NODE_KINDS,
    name="cpp",
    extensions=(".cpp", ".cc", ".cxx", ".hpp", ".hh"),
    aliases=("c++", "cxx"),
    fence_names=("cpp", "c++", "cxx", "cc", "hpp"),
    grammars={"cpp": Grammar("tree_sitter_cpp")},
    return_fields=("type",),
    parameter=parameter,
    return_type=return_type,
    typedefs=TYPEDEFS,
    caller_compatible_qualifiers=(" const",),
    hidden=hidden,
    definition_kinds=DEFINITION_KINDS,
    visit=visit,
    ignored_in_parameters=frozenset({"attribute_specifier", "attribute_declaration"}),
    members_defined_outside=True,
    known_names=words(
        KNOWN_NAMES,
        INTTYPES_NAMES,
        POSIX_NAMES,
        STANDARD_LIBRARY,
        """
    std nullptr this cout cerr cin endl string vector map unordered_map set unordered_set move forward
    make_unique make_shared unique_ptr shared_ptr swap begin end size static_cast dynamic_cast const_cast
    reinterpret_cast nullptr_t size_t optional nullopt variant tuple pair array deque list queue stack
    priority_queue function string_view span sort find find_if any_of all_of none_of count_if accumulate
    transform copy copy_if fill iota min_element max_element unique remove_if reverse distance advance next
    prev back_inserter make_pair make_tuple tie get to_string stoi stol stod abs exception runtime_error
    logic_error invalid_argument out_of_range
    alignas alignof and and_eq asm bitand bitor catch char8_t char16_t char32_t class compl concept consteval
    constexpr constinit co_await co_return co_yield decltype delete explicit export friend mutable namespace
    new noexcept not not_eq operator or or_eq private protected public requires template thread_local throw
    try typeid typename using virtual wchar_t xor xor_eq override final
""",
    ),
    type_queries=TYPE_QUERIES + ("(class_specifier name: (_) @name body: (_))",),
    imports=IMPORTS,
    constant_queries=CPP_CONSTANT_QUERIES,
    header_extensions=HEADERS,
    defect_queries=(
        assignment_in_condition("""
        (if_statement condition: (condition_clause value: (assignment_expression) @hit))
        (while_statement condition: (condition_clause value: (assignment_expression) @hit))
        """),
        empty_catch("compound_statement"),
    ),
    block_query="(compound_statement) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query=SWITCH_QUERY,
    defect_rules=(
        missing_math_header(
            ("cmath", "math.h", "tgmath.h", "ctgmath", "complex", "ccomplex", "random", "valarray", "bits/stdc++.h")
        ),
        copies_past_the_end,
    ),
    compared_rules=(
        ownership_changes,
        header_mismatches,
        undeclared_parameter_types,
        header_types_declared_again,
    ),
    cppcheck=Cppcheck("c++", ".cpp"),
    preprocessor=True,
    declared_elsewhere=declared_elsewhere,
)
