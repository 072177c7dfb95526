// Syntax tree to engine program: resolves names, numbers the lets, checks
// what can be checked without evidence (functions and their arity, `.field`
// outside a collection operation, duplicates, shadowing, cycles among lets),
// and warns about unused params and lets.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "engine/diagnostic.hpp"
#include "engine/program.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// Lowers a parsed ruleset, merged with its bases by dsl::inherit when it
/// extends one: `sources` are the files its spans point into (Span::file),
/// the ruleset's own first. Every problem goes into `diagnostics`
/// (`check_error` errors, `unused` warnings for the ruleset's own file), all
/// of them, not just the first; the program is complete only when no error
/// was added.
engine::Program lower(const ast::Ruleset& ruleset, std::vector<std::shared_ptr<const Source>> sources,
                      Diagnostics& diagnostics);

/// Lowers a ruleset of one file (no inheritance).
engine::Program lower(const ast::Ruleset& ruleset, std::shared_ptr<const Source> source, Diagnostics& diagnostics);

/// A node's span covers its operands, not the parentheses an operand at
/// either end was written in (`not (a in b)` ends at `b`): widens [begin,
/// end) of `text` over them, so that the text is whole.
void widen_to_parentheses(const std::string& text, std::size_t& begin, std::size_t& end);

/// Lowers one expression at top level, with no params or lets in scope
/// (names are evidence fields or `as_of`); for tests and tools.
engine::Expr lower_expression(const ast::Expr& expr, std::shared_ptr<const Source> source, Diagnostics& diagnostics);

}  // namespace verdict::dsl
