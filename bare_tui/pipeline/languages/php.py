"""PHP: tree-sitter-php (whole files, `<?php` and inline HTML); `private` members are hidden."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import (
    ASSIGNMENT_IN_PARENTHESES,
    NOTHING,
    SKIP,
    Grammar,
    LanguageSpec,
    NodeKinds,
    Visit,
    empty_catch,
    private_modifier,
    query_imports,
    words,
)
from bare_tui.pipeline.languages.tree import Source, name_text

# The definitions the signatures stage compares.

_DEFINITION_KINDS = (
    "namespace_definition",
    "class_declaration",
    "interface_declaration",
    "trait_declaration",
    "enum_declaration",
    "function_definition",
    "method_declaration",
    "object_creation_expression",
    "anonymous_function",
    "arrow_function",
    "anonymous_function_creation_expression",
)
"""The nodes the signatures scanner visits."""


def _prefix(source: Source, node: tree_sitter.Node) -> str | None:
    if node.type == "namespace_definition" and node.child_by_field_name("body") is None:
        return name_text(source, node.child_by_field_name("name")).replace("\\", ".")
    return None


def _visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind == "namespace_definition":
        body = node.child_by_field_name("body")
        if body is None:
            return NOTHING
        return Visit(scope=name_text(source, node.child_by_field_name("name")).replace("\\", ".") or None)
    if kind in ("class_declaration", "interface_declaration", "trait_declaration", "enum_declaration"):
        return Visit(scope=name_text(source, node.child_by_field_name("name")))
    if kind == "function_definition":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(("function", name, node.child_by_field_name("parameters")), function=True)
    if kind == "method_declaration":
        name = name_text(source, node.child_by_field_name("name"))
        method = "constructor" if name.lower() == "__construct" else "method"
        return Visit(
            (method, name, node.child_by_field_name("parameters")),
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind == "object_creation_expression" and any(
        c.type == "anonymous_class" or c.type == "declaration_list" for c in node.children
    ):
        return SKIP
    if kind in ("anonymous_function", "arrow_function", "anonymous_function_creation_expression"):
        return Visit(function=True)
    return NOTHING


NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words("encapsed_string heredoc nowdoc string text"),
    calls=words("function_call_expression member_call_expression scoped_call_expression"),
    anonymous_functions=words("anonymous_function arrow_function function"),
    string_arguments=words("encapsed_string string"),
    argument_wrappers=words("argument"),
    top_level_statements=words("expression_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment string"),
    assignments=words("assignment_expression"),
    value_definitions=words("class"),
    control=words(
        "catch_clause do_statement for_statement foreach_statement if_statement",
        "switch_statement try_statement while_statement",
    ),
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words("anonymous_function arrow_function function function_definition", "method_declaration"),
    chained_parents=words("else_clause if_statement"),
    same_level=words("catch_clause"),
    not_parameters=words("( ) , comment"),
    terminators=words("break_statement continue_statement goto_statement return_statement"),
    reachable_after=words("; case_statement class_declaration comment default_statement empty_statement }"),
    jump_targets=words("case_statement"),
    self_assignments=words("assignment_expression"),
    single_value_arms=words("case_statement"),
    pairs=words("pair"),
    names=words("name variable_name"),
    sigil_names=words("variable_name"),
    wrappers=words("array_creation_expression array_element_initializer by_ref pair", "reference_modifier"),
    foreach_statements=words("foreach_statement"),
    assigning=words("assignment_expression"),
    imports=words(
        "include include_expression include_once include_once_expression",
        "namespace_use_clause namespace_use_declaration namespace_use_group",
    ),
    member_fields=words("scope type"),
    member_contexts=frozenset(
        {
            ("argument", "name"),
            ("attribute", None),
            ("attribute_list", None),
            ("class_constant_access_expression", None),
            ("goto_statement", None),
            ("member_access_expression", "name"),
            ("member_call_expression", "name"),
            ("named_type", None),
            ("namespace_name", None),
            ("nullsafe_member_access_expression", "name"),
            ("nullsafe_member_call_expression", "name"),
            ("object_creation_expression", "type"),
            ("qualified_name", None),
            ("qualified_name", "name"),
            ("scoped_call_expression", "name"),
            ("scoped_property_access_expression", "name"),
        }
    ),
    declaring=frozenset(
        {
            ("anonymous_function_use_clause", None),
            ("assignment_expression", "left"),
            ("catch_clause", "name"),
            ("class", "name"),
            ("class_declaration", "name"),
            ("const_element", None),
            ("enum_case", "name"),
            ("enum_declaration", "name"),
            ("foreach_statement", "left"),
            ("formal_parameters", None),
            ("function", "name"),
            ("function_definition", "name"),
            ("global_declaration", None),
            ("interface_declaration", "name"),
            ("list_literal", None),
            ("method_declaration", "name"),
            ("namespace_definition", "name"),
            ("namespace_use_clause", None),
            ("namespace_use_clause", "alias"),
            ("property_declaration", "name"),
            ("property_element", None),
            ("property_element", "name"),
            ("property_promotion_parameter", "name"),
            ("simple_parameter", "name"),
            ("static_variable_declaration", "name"),
            ("trait_declaration", "name"),
            ("variadic_parameter", "name"),
        }
    ),
    receiver_fields=words("object"),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

IMPORTS = query_imports("""
    (namespace_use_clause (qualified_name (name) @name .) @module !alias) @import
    (namespace_use_clause (name) @name @module !alias) @import
    (namespace_use_clause . [(qualified_name) (name)] @module alias: (name) @name) @import
    (expression_statement [(require_expression (_) @module) (require_once_expression (_) @module)
        (include_expression (_) @module) (include_once_expression (_) @module)]) @import
    """)
"""The class, function or constant each `use` brings in (by its alias if it has one), and the files `require` and
`include` read for their effect."""

CONSTANT_QUERIES = (
    "(const_declaration (const_element (name) @name . (_) @value)) @definition",
    "(function_call_expression function: (name) @define arguments: (arguments . (argument [(string (string_content)"
    ' @name) (encapsed_string (string_content) @name)]) . (argument (_) @value)) (#eq? @define "define")) @definition',
)
"""`const` at the top level, in a namespace or in a class, and `define('NAME', value)`."""

SPEC = LanguageSpec(
    integer_power=True,  # `2 ** $n`: maintainability counts `1 << n` for it as bit arithmetic
    node_kinds=NODE_KINDS,
    name="php",
    extensions=(".php",),
    fence_names=("php",),
    # language_php reads whole files (`<?php` and inline HTML); language_php_only would reject them.
    grammars={"php": Grammar("tree_sitter_php", "language_php")},
    named_arguments=True,
    optional_types=True,
    return_fields=("return_type",),
    hidden=private_modifier("visibility_modifier"),
    definition_kinds=_DEFINITION_KINDS,
    visit=_visit,
    prefix=_prefix,
    ignored_in_parameters=frozenset({"attribute_list", "visibility_modifier", "readonly_modifier"}),
    known_names=words("""
    $this $GLOBALS $_GET $_POST $_REQUEST $_SERVER $_SESSION $_COOKIE $_FILES $_ENV self parent static
    null true false NULL TRUE FALSE PHP_EOL PHP_INT_MAX PHP_INT_MIN E_ALL E_ERROR E_WARNING E_NOTICE
    DIRECTORY_SEPARATOR __DIR__ __FILE__ __LINE__ __CLASS__ __FUNCTION__ __METHOD__ __NAMESPACE__
    isset unset empty array list echo print die exit eval include require include_once require_once
    count strlen strtolower strtoupper ucfirst lcfirst ucwords trim ltrim rtrim explode implode str_replace
    str_repeat str_pad str_split str_contains str_starts_with str_ends_with substr substr_count strpos
    stripos strrpos strstr stristr strrev strcmp strcasecmp strncmp sprintf printf vsprintf number_format
    nl2br htmlspecialchars htmlentities html_entity_decode strip_tags addslashes stripslashes preg_match
    preg_match_all preg_replace preg_replace_callback preg_split preg_quote json_encode json_decode
    serialize unserialize var_dump var_export print_r is_array is_string is_int is_integer is_numeric
    is_bool is_null is_object is_callable is_float is_iterable is_a is_subclass_of intval floatval strval
    boolval settype gettype get_class get_object_vars get_parent_class method_exists property_exists
    class_exists function_exists array_map array_filter array_reduce array_keys array_values array_merge
    array_merge_recursive array_combine array_flip array_slice array_splice array_search in_array
    array_key_exists array_key_first array_key_last array_push array_pop array_shift array_unshift
    array_unique array_reverse array_sum array_product array_fill array_fill_keys array_column array_chunk
    array_diff array_diff_key array_intersect array_intersect_key array_walk array_pad range compact
    extract sort rsort usort uasort uksort ksort krsort asort arsort min max abs floor ceil round sqrt pow
    intdiv fmod rand mt_rand random_int time date mktime strtotime microtime sleep usleep file_exists
    file_get_contents file_put_contents fopen fclose fread fwrite fgets feof unlink is_file is_dir mkdir
    basename dirname pathinfo realpath call_user_func call_user_func_array func_get_args func_num_args
    define defined constant trigger_error error_log sprintf uniqid md5 sha1 hash base64_encode
    base64_decode urlencode urldecode rawurlencode http_build_query parse_str parse_url filter_var
    iterator_to_array spl_object_hash ob_start ob_get_clean header Exception InvalidArgumentException
    RuntimeException LogicException DomainException TypeError Error Throwable ArrayObject ArrayIterator
    Closure Generator Traversable Countable IteratorAggregate JsonSerializable stdClass DateTime
    DateTimeImmutable DateInterval mb_strlen mb_substr mb_strtolower mb_strtoupper ctype_digit ctype_alpha
    array_is_list str_word_count wordwrap chr ord dechex hexdec bin2hex
"""),
    imports=IMPORTS,
    constant_queries=CONSTANT_QUERIES,
    type_queries=(
        "(class_declaration name: (_) @name)",
        "(interface_declaration name: (_) @name)",
        "(trait_declaration name: (_) @name)",
        "(enum_declaration name: (_) @name)",
    ),
    opening_tags=("<?php", "<?="),
    defect_queries=(ASSIGNMENT_IN_PARENTHESES, empty_catch("compound_statement")),
    block_query="(compound_statement) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_block) @hit",
    assignment_declares=True,
    pairs_wrap_names=True,
    foreach_declares=True,
)
