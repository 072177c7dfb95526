// The rule language as a PEGTL grammar (see ../shared/spec/LANGUAGE.md).
// One rule per construct; `must<>` marks the points of no return, and
// errors.hpp says what each of them expected. Heavy to instantiate: include
// it only from parser.cpp and from the grammar's own test.
#pragma once
#include <tao/pegtl.hpp>

namespace verdict::dsl::grammar {

using namespace tao::pegtl;

// ============================================================ lexical

// `#` to the end of the line.
struct comment : seq<one<'#'>, until<eolf>> {};
// Whitespace and comments between tokens (may be empty).
struct sp : star<sor<space, comment>> {};

// Keywords match whole words only: `index` is not `in` + `dex`.
struct kw_ruleset : TAO_PEGTL_KEYWORD("ruleset") {};
struct kw_version : TAO_PEGTL_KEYWORD("version") {};
struct kw_title : TAO_PEGTL_KEYWORD("title") {};
struct kw_source : TAO_PEGTL_KEYWORD("source") {};
struct kw_schema : TAO_PEGTL_KEYWORD("schema") {};
struct kw_as_of : TAO_PEGTL_KEYWORD("as_of") {};
struct kw_extends : TAO_PEGTL_KEYWORD("extends") {};
struct kw_param : TAO_PEGTL_KEYWORD("param") {};
struct kw_from : TAO_PEGTL_KEYWORD("from") {};
struct kw_let : TAO_PEGTL_KEYWORD("let") {};
struct kw_group : TAO_PEGTL_KEYWORD("group") {};
struct kw_indicator : TAO_PEGTL_KEYWORD("indicator") {};
struct kw_minimum : TAO_PEGTL_KEYWORD("minimum") {};
struct kw_cite : TAO_PEGTL_KEYWORD("cite") {};
struct kw_note : TAO_PEGTL_KEYWORD("note") {};
struct kw_require : TAO_PEGTL_KEYWORD("require") {};
struct kw_score : TAO_PEGTL_KEYWORD("score") {};
struct kw_of : TAO_PEGTL_KEYWORD("of") {};
struct kw_level : TAO_PEGTL_KEYWORD("level") {};
struct kw_when : TAO_PEGTL_KEYWORD("when") {};
struct kw_outcome : TAO_PEGTL_KEYWORD("outcome") {};
struct kw_label : TAO_PEGTL_KEYWORD("label") {};
struct kw_override : TAO_PEGTL_KEYWORD("override") {};
struct kw_remove : TAO_PEGTL_KEYWORD("remove") {};
struct kw_extend : TAO_PEGTL_KEYWORD("extend") {};
struct kw_if : TAO_PEGTL_KEYWORD("if") {};
struct kw_then : TAO_PEGTL_KEYWORD("then") {};
struct kw_else : TAO_PEGTL_KEYWORD("else") {};
struct kw_or : TAO_PEGTL_KEYWORD("or") {};
struct kw_and : TAO_PEGTL_KEYWORD("and") {};
struct kw_not : TAO_PEGTL_KEYWORD("not") {};
struct kw_in : TAO_PEGTL_KEYWORD("in") {};
struct kw_where : TAO_PEGTL_KEYWORD("where") {};
struct kw_as : TAO_PEGTL_KEYWORD("as") {};
struct kw_true : TAO_PEGTL_KEYWORD("true") {};
struct kw_false : TAO_PEGTL_KEYWORD("false") {};
struct kw_null : TAO_PEGTL_KEYWORD("null") {};

// Words that cannot name a param, let, element or evidence field: the
// expression keywords and the words that start a clause, so that a
// forgotten operand reads "expected an expression, found 'require'".
// `title`, `source`, `schema`, `version`, `minimum`, `from`, `as_of` and the
// duration units stay usable as names.
struct reserved_word
    : sor<kw_if, kw_then, kw_else, kw_or, kw_and, kw_not, kw_in, kw_where, kw_as, kw_true, kw_false, kw_null, kw_of,
          kw_when, kw_let, kw_param, kw_group, kw_indicator, kw_cite, kw_note, kw_require, kw_score, kw_level,
          kw_outcome, kw_label, kw_ruleset, kw_override, kw_remove, kw_extends, kw_extend> {};

// A name: an identifier that is not a reserved word.
struct name : seq<not_at<reserved_word>, identifier> {};
// After `.` any identifier is a field name, keywords included (`.in`).
struct field_name : identifier {};

// ============================================================ literals

// `2012-09-01` (the calendar check happens when the tree is built).
struct date_literal : seq<rep<4, digit>, one<'-'>, rep<2, digit>, one<'-'>, rep<2, digit>, not_at<identifier_other>> {};
// `15`, `0.5`, `90%`.
struct number_literal : seq<plus<digit>, opt<one<'.'>, plus<digit>>, opt<one<'%'>>> {};
// The unit of a duration; only after a number literal.
struct duration_unit
    : sor<TAO_PEGTL_KEYWORD("years"), TAO_PEGTL_KEYWORD("year"), TAO_PEGTL_KEYWORD("months"),
          TAO_PEGTL_KEYWORD("month"), TAO_PEGTL_KEYWORD("weeks"), TAO_PEGTL_KEYWORD("week"),
          TAO_PEGTL_KEYWORD("days"), TAO_PEGTL_KEYWORD("day")> {};
// A number, or a duration `2 years`.
struct number_or_duration : seq<number_literal, opt<sp, duration_unit>> {};
struct true_literal : kw_true {};
struct false_literal : kw_false {};
struct null_literal : kw_null {};

// String escapes: \" \\ \n \t \{ \}.
struct escape_code : one<'"', '\\', 'n', 't', '{', '}'> {};
struct escape : seq<one<'\\'>, must<escape_code>> {};
// The closing quote; a string ends on its own line.
struct string_end : one<'"'> {};
struct string_open : one<'"'> {};
// `"text"`: no holes, `{` is an ordinary character.
struct string_literal : seq<string_open, star<sor<escape, not_one<'"', '\\', '\n', '\r'>>>, must<string_end>> {};

// ============================================================ expressions

struct expression;

// `( EXPR )`
struct paren_open : one<'('> {};
struct paren_close : one<')'> {};
struct paren_expr : seq<paren_open, sp, must<expression>, sp, must<paren_close>> {};

// `[ EXPR, … ]` with an optional trailing comma.
struct list_open : one<'['> {};
struct list_close : one<']'> {};
struct list_literal
    : seq<list_open, sp, opt<expression, star<sp, one<','>, sp, expression>, opt<sp, one<','>>>, sp, must<list_close>> {};

// `as NAME`: names the element of a collection operation.
struct binding_name : seq<name> {};
struct binding : seq<kw_as, sp, must<binding_name>> {};

// `name(ARG, …)`; the first argument may name its element: `any(c as x, …)`.
struct call_open : one<'('> {};
struct call_close : one<')'> {};
struct first_argument : seq<expression, opt<sp, binding>> {};
struct next_argument : seq<expression> {};
struct call_args : seq<call_open, sp, opt<first_argument, star<sp, one<','>, sp, must<next_argument>>>, sp, must<call_close>> {};
struct function_name : name {};
struct call : seq<function_name, call_args> {};

// `.field` and `.`: the current element of a collection operation.
struct dot_field : seq<one<'.'>, field_name> {};
struct dot_self : one<'.'> {};
// A bare name.
struct name_ref : name {};

// The operands that need no operator.
struct primary
    : sor<paren_expr, list_literal, string_literal, date_literal, number_or_duration, true_literal, false_literal,
          null_literal, call, dot_field, dot_self, name_ref> {};

// Postfix `.field` and `[EXPR]`, written without spaces before them.
struct field_suffix : seq<one<'.'>, must<field_name>> {};
struct index_open : one<'['> {};
struct index_close : one<']'> {};
struct index_suffix : seq<index_open, sp, must<expression>, sp, must<index_close>> {};
struct postfix_expr : seq<primary, star<sor<field_suffix, index_suffix>>> {};

// `COLLECTION [as NAME] where PREDICATE`: the predicate is a whole expression
// and extends as far as possible.
struct where_predicate : seq<expression> {};
struct where_clause : seq<opt<binding, sp>, kw_where, sp, must<where_predicate>> {};
struct where_expr : seq<postfix_expr, opt<sp, where_clause>> {};

// Unary minus.
struct minus_sign : one<'-'> {};
struct unary_expr : seq<star<minus_sign, sp>, where_expr> {};

// `* /`
struct mul_op : one<'*', '/'> {};
struct mul_operand : seq<unary_expr> {};
struct mul_expr : seq<unary_expr, star<sp, mul_op, sp, must<mul_operand>>> {};

// `+ -`
struct add_op : one<'+', '-'> {};
struct add_operand : seq<mul_expr> {};
struct add_expr : seq<mul_expr, star<sp, add_op, sp, must<add_operand>>> {};

// `== != < <= > >= in`: non-associative.
struct cmp_op : sor<string<'=', '='>, string<'!', '='>, string<'<', '='>, string<'>', '='>, one<'<'>, one<'>'>, kw_in> {};
struct cmp_operand : seq<add_expr> {};
struct no_chained_comparison : not_at<sp, cmp_op> {};
struct single_equals : seq<one<'='>, not_at<one<'='>>> {};
struct no_single_equals : not_at<sp, single_equals> {};
struct cmp_expr : seq<add_expr, opt<sp, cmp_op, sp, must<cmp_operand>, must<no_chained_comparison>>, must<no_single_equals>> {};

// `not`
struct not_keyword : kw_not {};
struct not_expr : seq<star<not_keyword, sp>, cmp_expr> {};

// `and`, `or`
struct and_operand : seq<not_expr> {};
struct and_expr : seq<not_expr, star<sp, kw_and, sp, must<and_operand>>> {};
struct or_operand : seq<and_expr> {};
struct or_expr : seq<and_expr, star<sp, kw_or, sp, must<or_operand>>> {};

// `if C then A else B`
struct if_condition : seq<expression> {};
struct then_branch : seq<expression> {};
struct else_branch : seq<expression> {};
struct if_expr
    : seq<kw_if, sp, must<if_condition>, sp, must<kw_then>, sp, must<then_branch>, sp, must<kw_else>, sp, must<else_branch>> {};

// Any expression, loosest first.
struct expression : sor<if_expr, or_expr> {};

// ============================================================ messages

// `"… {EXPR} … {EXPR:%} …"` after `else`.
struct message_text : plus<sor<escape, not_one<'"', '\\', '\n', '\r', '{'>>> {};
struct percent_sign : one<'%'> {};
struct hole_format : seq<one<':'>, sp, must<percent_sign>> {};
struct hole_open : one<'{'> {};
struct hole_close : one<'}'> {};
struct hole_expression : seq<expression> {};
struct hole : seq<hole_open, sp, must<hole_expression>, sp, opt<hole_format, sp>, must<hole_close>> {};
struct message : seq<string_open, star<sor<hole, message_text>>, must<string_end>> {};

// ============================================================ literal values (params)

struct literal;
struct literal_list
    : seq<list_open, sp, opt<literal, star<sp, one<','>, sp, literal>, opt<sp, one<','>>>, sp, must<list_close>> {};
// A number, percent or duration, possibly negative.
struct signed_number : seq<opt<minus_sign>, number_or_duration> {};
struct literal : sor<string_literal, date_literal, signed_number, true_literal, false_literal, null_literal, literal_list> {};

// ============================================================ declarations

// `param NAME = V0, V1 from DATE, … ["doc"]`
struct equals_sign : seq<one<'='>, not_at<one<'='>>> {};
struct param_name : seq<name> {};
struct param_value : seq<literal> {};
struct dated_literal : seq<literal> {};
struct from_date : seq<date_literal> {};
struct dated_value : seq<dated_literal, sp, must<kw_from>, sp, must<from_date>> {};
struct doc_string : seq<string_literal> {};
struct param_decl
    : seq<kw_param, sp, must<param_name>, sp, must<equals_sign>, sp, must<param_value>,
          star<sp, one<','>, sp, must<dated_value>>, opt<sp, doc_string>> {};

// `let NAME = EXPR`
struct let_name : seq<name> {};
struct let_value : seq<expression> {};
struct let_decl : seq<kw_let, sp, must<let_name>, sp, must<equals_sign>, sp, must<let_value>> {};

// Clauses of an indicator.
struct cite_text : seq<string_literal> {};
struct cite_clause : seq<kw_cite, sp, must<cite_text>> {};
struct note_text : seq<string_literal> {};
struct note_clause : seq<kw_note, sp, must<note_text>> {};
struct condition : seq<expression> {};
struct else_message : seq<message> {};
struct require_clause : seq<kw_require, sp, must<condition>, opt<sp, kw_else, sp, must<else_message>>> {};
struct score_value : seq<expression> {};
struct score_maximum : seq<number_literal> {};
struct score_clause : seq<kw_score, sp, must<score_value>, sp, must<kw_of>, sp, must<score_maximum>> {};
struct level_name : seq<string_literal> {};
struct when_condition : seq<expression> {};
struct level_clause : seq<kw_level, sp, must<level_name>, sp, must<kw_when>, sp, must<when_condition>> {};
struct indicator_item : sor<cite_clause, note_clause, let_decl, require_clause, score_clause, level_clause> {};

// `indicator "ID" "TITLE" [minimum] { … }`
struct indicator_id : seq<string_literal> {};
struct indicator_title : seq<string_literal> {};
struct minimum_flag : kw_minimum {};
struct indicator_open : one<'{'> {};
struct indicator_close : one<'}'> {};
struct indicator_body : seq<indicator_open, sp, star<indicator_item, sp>, must<indicator_close>> {};
struct indicator_decl
    : seq<kw_indicator, sp, must<indicator_id>, sp, must<indicator_title>, sp, opt<minimum_flag, sp>, must<indicator_body>> {};

// `group "ID" "TITLE" { lets and indicators }`
struct group_id : seq<string_literal> {};
struct group_title : seq<string_literal> {};
struct group_item : sor<let_decl, indicator_decl> {};
struct group_open : one<'{'> {};
struct group_close : one<'}'> {};
struct group_body : seq<group_open, sp, star<group_item, sp>, must<group_close>> {};
struct group_decl : seq<kw_group, sp, must<group_id>, sp, must<group_title>, sp, must<group_body>> {};

// `outcome { label "NAME" when EXPR … }`
struct label_name : seq<string_literal> {};
struct label_clause : seq<kw_label, sp, must<label_name>, sp, must<kw_when>, sp, must<when_condition>> {};
struct outcome_open : one<'{'> {};
struct outcome_close : one<'}'> {};
struct outcome_body : seq<outcome_open, sp, star<label_clause, sp>, must<outcome_close>> {};
struct outcome_decl : seq<kw_outcome, sp, must<outcome_body>> {};

// Inheritance: `override param …`, `override indicator …`, `remove indicator "ID"`,
// `extend group "ID" { … }` (adds lets and indicators to a group of the base).
struct overridden : sor<param_decl, indicator_decl> {};
struct override_decl : seq<kw_override, sp, must<overridden>> {};
struct removed_id : seq<string_literal> {};
struct remove_decl : seq<kw_remove, sp, must<kw_indicator>, sp, must<removed_id>> {};
struct extended_group : seq<kw_group> {};
struct extended_group_id : seq<string_literal> {};
struct extend_decl : seq<kw_extend, sp, must<extended_group>, sp, must<extended_group_id>, sp, must<group_body>> {};

struct declaration
    : sor<param_decl, let_decl, group_decl, indicator_decl, outcome_decl, override_decl, remove_decl, extend_decl> {};

// ============================================================ header

// `ruleset "NAME" version "VERSION"`
struct ruleset_name : seq<string_literal> {};
struct ruleset_version : seq<string_literal> {};
struct ruleset_decl : seq<kw_ruleset, sp, must<ruleset_name>, sp, must<kw_version>, sp, must<ruleset_version>> {};

struct title_text : seq<string_literal> {};
struct title_clause : seq<kw_title, sp, must<title_text>> {};
struct source_text : seq<string_literal> {};
struct source_clause : seq<kw_source, sp, must<source_text>> {};
struct schema_text : seq<string_literal> {};
struct schema_clause : seq<kw_schema, sp, must<schema_text>> {};
struct extends_text : seq<string_literal> {};
struct extends_clause : seq<kw_extends, sp, must<extends_text>> {};
struct as_of_value : seq<expression> {};
struct as_of_clause : seq<kw_as_of, sp, must<as_of_value>> {};
struct header_clause : sor<title_clause, source_clause, schema_clause, as_of_clause, extends_clause> {};

// ============================================================ file

struct end_of_rules : eof {};
// A whole ruleset file.
struct ruleset_file : seq<opt<utf8::bom>, sp, must<ruleset_decl>, sp, star<header_clause, sp>, star<declaration, sp>, must<end_of_rules>> {};

// One expression alone (tests and tools).
struct end_of_expression : eof {};
struct expression_file : seq<sp, must<expression>, sp, must<end_of_expression>> {};

}  // namespace verdict::dsl::grammar
