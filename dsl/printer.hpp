// Syntax tree back to rule text, in one canonical layout (`verdict fmt`).
// The tree has no comments, so they are read again from the source text and
// put back beside the declaration, statement or operand they were written
// at. The layout is described in docs/language.md ("Formatting").
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// A comment of rule text: `#` to the end of its line.
struct Comment {
  Span span;         // from '#' to the end of the line (without the line break)
  std::string text;  // as written, trailing blanks removed
  bool trailing = false;  // code precedes it on its line
};

/// Every comment of `source`, in order; `tree` is the source parsed (it says
/// where the strings and messages are, whose `#` are text).
std::vector<Comment> comments_of(const ast::Ruleset& tree, const Source& source);

/// How expressions are bracketed.
struct FormatOptions {
  /// The brackets that only help a reader: an `and` under `or`, a
  /// comparison under `not`, an `if` in the condition or `then` branch of
  /// another. Each adds a level of nesting, so `verdict fmt` prints without
  /// them a ruleset whose bracketed text would nest past the parser's limit.
  bool reader_brackets = true;
};

/// The canonical text of `tree`, parsed from `source`, with the comments of
/// `source` kept. Idempotent: formatting the result again gives the result.
std::string format_ruleset(const ast::Ruleset& tree, const Source& source, const FormatOptions& options = {});

/// Parses `source` and formats it. Throws DiagnosticError like parse_ruleset.
std::string format_ruleset(std::shared_ptr<const Source> source);

/// Whether two syntax trees say the same, ignoring spans and how literals
/// were spelled (`0.50` and `0.5`): what `verdict fmt` must keep.
bool same_syntax(const ast::Ruleset& a, const ast::Ruleset& b);

}  // namespace verdict::dsl
