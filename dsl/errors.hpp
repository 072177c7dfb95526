// What the grammar says when a `must<>` fails: one message per rule, the
// bracket that is still open, and the nesting limit that keeps hostile input
// from exhausting the stack. Included only by parser.cpp (and tests).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "dsl/grammar.hpp"
#include "dsl/limits.hpp"

namespace verdict::dsl::grammar {

// ------------------------------------------------------------ messages

template <typename Rule>
inline constexpr const char* error_message = nullptr;

// Messages starting with "expected" get ", found …" appended by the parser.
template <> inline constexpr const char* error_message<escape_code> = "unknown escape sequence; write \\\", \\\\, \\n, \\t, \\{ or \\}";
template <> inline constexpr const char* error_message<string_end> = "unterminated string: expected '\"' before the end of the line";
template <> inline constexpr const char* error_message<expression> = "expected an expression";
template <> inline constexpr const char* error_message<paren_close> = "expected ')' to close the '('";
template <> inline constexpr const char* error_message<list_close> = "expected ',' or ']' to close the list";
template <> inline constexpr const char* error_message<binding_name> = "expected a name after 'as'";
template <> inline constexpr const char* error_message<next_argument> = "expected an argument after ','";
template <> inline constexpr const char* error_message<call_close> = "expected ',' or ')' to close the argument list";
template <> inline constexpr const char* error_message<field_name> = "expected a field name after '.'";
template <> inline constexpr const char* error_message<index_close> = "expected ']' to close the index";
template <> inline constexpr const char* error_message<where_predicate> = "expected a condition after 'where'";
template <> inline constexpr const char* error_message<mul_operand> = "expected an expression after the operator";
template <> inline constexpr const char* error_message<add_operand> = "expected an expression after the operator";
template <> inline constexpr const char* error_message<cmp_operand> = "expected an expression after the comparison";
template <> inline constexpr const char* error_message<no_chained_comparison> = "comparisons do not chain; write 'a < b and b < c'";
template <> inline constexpr const char* error_message<no_single_equals> = "'=' does not compare; write '==' (a single '=' only follows a param or let name)";
template <> inline constexpr const char* error_message<and_operand> = "expected an expression after 'and'";
template <> inline constexpr const char* error_message<or_operand> = "expected an expression after 'or'";
template <> inline constexpr const char* error_message<if_condition> = "expected a condition after 'if'";
template <> inline constexpr const char* error_message<kw_then> = "expected 'then' after the condition of 'if'";
template <> inline constexpr const char* error_message<then_branch> = "expected an expression after 'then'";
template <> inline constexpr const char* error_message<kw_else> = "expected 'else' (every 'if … then …' needs one)";
template <> inline constexpr const char* error_message<else_branch> = "expected an expression after 'else'";
template <> inline constexpr const char* error_message<percent_sign> = "expected '%' after ':' (the only format is {EXPR:%})";
template <> inline constexpr const char* error_message<hole_expression> = "expected an expression inside '{…}' (write \\{ for a literal brace)";
template <> inline constexpr const char* error_message<hole_close> = "expected '}' to close the '{' of the message";
template <> inline constexpr const char* error_message<param_name> = "expected a name after param";
template <> inline constexpr const char* error_message<equals_sign> = "expected '=' after the name";
template <> inline constexpr const char* error_message<param_value> = "expected a literal value (a number, percent, duration, date, string, true, false, null or a list of literals)";
template <> inline constexpr const char* error_message<dated_value> = "expected a literal value after ',' (a dated param reads: V0, V1 from DATE, …)";
template <> inline constexpr const char* error_message<kw_from> = "expected 'from DATE' after the value of a dated param";
template <> inline constexpr const char* error_message<from_date> = "expected a date (YYYY-MM-DD) after 'from'";
template <> inline constexpr const char* error_message<let_name> = "expected a name after let";
template <> inline constexpr const char* error_message<let_value> = "expected an expression after '='";
template <> inline constexpr const char* error_message<cite_text> = "expected a string after cite";
template <> inline constexpr const char* error_message<note_text> = "expected a string after note";
template <> inline constexpr const char* error_message<condition> = "expected a condition after require";
template <> inline constexpr const char* error_message<else_message> = "expected a message string after else";
template <> inline constexpr const char* error_message<score_value> = "expected an expression after score";
template <> inline constexpr const char* error_message<kw_of> = "expected 'of' and the maximum points after the score expression";
template <> inline constexpr const char* error_message<score_maximum> = "expected a number (the maximum points) after 'of'";
template <> inline constexpr const char* error_message<level_name> = "expected the level name as a string after level";
template <> inline constexpr const char* error_message<kw_when> = "expected 'when' and a condition";
template <> inline constexpr const char* error_message<when_condition> = "expected a condition after 'when'";
template <> inline constexpr const char* error_message<indicator_id> = "expected the indicator id as a string after indicator";
template <> inline constexpr const char* error_message<indicator_title> = "expected the indicator title as a string after its id";
template <> inline constexpr const char* error_message<indicator_body> = "expected '{' to open the indicator";
template <> inline constexpr const char* error_message<indicator_close> = "expected '}' to close the indicator";
template <> inline constexpr const char* error_message<group_id> = "expected the group id as a string after group";
template <> inline constexpr const char* error_message<group_title> = "expected the group title as a string after its id";
template <> inline constexpr const char* error_message<group_body> = "expected '{' to open the group";
template <> inline constexpr const char* error_message<group_close> = "expected '}' to close the group";
template <> inline constexpr const char* error_message<label_name> = "expected the label as a string after label";
template <> inline constexpr const char* error_message<outcome_body> = "expected '{' after outcome";
template <> inline constexpr const char* error_message<outcome_close> = "expected '}' to close the outcome";
template <> inline constexpr const char* error_message<overridden> = "expected 'param' or 'indicator' after override";
template <> inline constexpr const char* error_message<kw_indicator> = "expected 'indicator' after remove";
template <> inline constexpr const char* error_message<removed_id> = "expected the indicator id as a string after 'remove indicator'";
template <> inline constexpr const char* error_message<extended_group> = "expected 'group' after extend";
template <> inline constexpr const char* error_message<extended_group_id> = "expected the group id as a string after 'extend group'";
template <> inline constexpr const char* error_message<ruleset_name> = "expected the ruleset name as a string after ruleset";
template <> inline constexpr const char* error_message<kw_version> = "expected 'version' after the ruleset name";
template <> inline constexpr const char* error_message<ruleset_version> = "expected the version as a string after 'version'";
template <> inline constexpr const char* error_message<title_text> = "expected a string after title";
template <> inline constexpr const char* error_message<source_text> = "expected a string after source";
template <> inline constexpr const char* error_message<schema_text> = "expected a string after schema";
template <> inline constexpr const char* error_message<extends_text> = "expected a string \"NAME@VERSION\" after extends";
template <> inline constexpr const char* error_message<as_of_value> = "expected an expression after as_of";
template <> inline constexpr const char* error_message<ruleset_decl> = "expected 'ruleset \"NAME\" version \"VERSION\"' at the start of the file";
template <> inline constexpr const char* error_message<end_of_expression> = "expected an operator or the end of the expression";
template <> inline constexpr const char* error_message<end_of_rules> = "expected a declaration (param, let, group, indicator or outcome)";

// ------------------------------------------------------------ parse state

/// How deeply expressions may nest inside each other (brackets, calls,
/// message holes, branches) and how deep a syntax tree may grow, unless the
/// caller says otherwise (dsl/limits.hpp); deeper input is an error, not a
/// crash.
inline constexpr std::size_t max_expression_depth = RuleLimits{}.max_depth;

/// What the control below tracks while parsing.
struct ParseState {
  std::vector<std::size_t> open;         // byte offsets of the brackets and quotes still open
  std::size_t depth = 0;                 // `expression`s entered and not left (the outermost is not nested)
  std::size_t max_depth = max_expression_depth;  // checked as each `expression` is entered, before it recurses
  std::optional<std::size_t> opened_at;  // set when a closing bracket or quote is missing
};

// Rules that open something that must be closed, and the rules that close it.
template <typename Rule>
inline constexpr bool is_opener =
    std::is_same_v<Rule, paren_open> || std::is_same_v<Rule, list_open> || std::is_same_v<Rule, call_open> ||
    std::is_same_v<Rule, index_open> || std::is_same_v<Rule, hole_open> || std::is_same_v<Rule, string_open> ||
    std::is_same_v<Rule, indicator_open> || std::is_same_v<Rule, group_open> || std::is_same_v<Rule, outcome_open>;
template <typename Rule>
inline constexpr bool is_closer =
    std::is_same_v<Rule, paren_close> || std::is_same_v<Rule, list_close> || std::is_same_v<Rule, call_close> ||
    std::is_same_v<Rule, index_close> || std::is_same_v<Rule, hole_close> || std::is_same_v<Rule, string_end> ||
    std::is_same_v<Rule, indicator_close> || std::is_same_v<Rule, group_close> || std::is_same_v<Rule, outcome_close>;

template <typename Input>
std::size_t offset_of(const Input& in) {
  return static_cast<std::size_t>(in.current() - in.begin());
}

inline void enter_expression(ParseState& st) { ++st.depth; }
inline void leave_expression(ParseState& st) { --st.depth; }
template <typename T> void enter_expression(T&) {}
template <typename T> void leave_expression(T&) {}
inline void push_open(ParseState& st, std::size_t at) { st.open.push_back(at); }
inline void pop_open(ParseState& st) { if (!st.open.empty()) st.open.pop_back(); }
template <typename T> void push_open(T&, std::size_t) {}
template <typename T> void pop_open(T&) {}
inline void note_opener(ParseState& st) { if (!st.open.empty()) st.opened_at = st.open.back(); }
template <typename T> void note_opener(T&) {}
inline bool too_deep(const ParseState& st) { return st.depth > st.max_depth + 1; }
template <typename T> bool too_deep(const T&) { return false; }
inline std::size_t depth_limit(const ParseState& st) { return st.max_depth; }
template <typename T> std::size_t depth_limit(const T&) { return 0; }

/// The control: tracks open brackets and expression depth, and raises
/// `error_message<Rule>` where a `must<Rule>` fails.
template <typename Rule>
struct control : normal<Rule> {
  template <typename Input, typename... States>
  static void start(const Input& in, States&... st) {
    if constexpr (std::is_same_v<Rule, expression>) {
      (enter_expression(st), ...);
      if ((too_deep(st) || ...)) throw parse_error(dsl::too_deep_message((depth_limit(st) + ...)), in);
    }
    if constexpr (is_opener<Rule>) (push_open(st, offset_of(in)), ...);
  }

  template <typename Input, typename... States>
  static void success(const Input&, States&... st) {
    if constexpr (std::is_same_v<Rule, expression>) (leave_expression(st), ...);
    if constexpr (is_closer<Rule>) (pop_open(st), ...);
  }

  template <typename Input, typename... States>
  static void failure(const Input&, States&... st) {
    if constexpr (std::is_same_v<Rule, expression>) (leave_expression(st), ...);
    if constexpr (is_opener<Rule>) (pop_open(st), ...);
  }

  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&... st) {
    static_assert(error_message<Rule> != nullptr, "every must<> needs an error_message in dsl/errors.hpp");
    if constexpr (is_closer<Rule>) (note_opener(st), ...);
    throw parse_error(error_message<Rule>, in);
  }
};

}  // namespace verdict::dsl::grammar
