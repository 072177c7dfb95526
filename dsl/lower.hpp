// Syntax tree to engine program: resolves names, numbers the lets, checks
// what can be checked without evidence (functions and their arity, `.field`
// outside a collection operation, duplicates, shadowing, cycles among lets),
// and warns about unused params and lets.
#pragma once
#include <memory>

#include "dsl/ast.hpp"
#include "engine/diagnostic.hpp"
#include "engine/program.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// Lowers a parsed ruleset. Every problem goes into `diagnostics`
/// (`check_error` errors, `unused` warnings), all of them, not just the
/// first; the program is complete only when no error was added.
engine::Program lower(const ast::Ruleset& ruleset, std::shared_ptr<const Source> source, Diagnostics& diagnostics);

/// Lowers one expression at top level, with no params or lets in scope
/// (names are evidence fields or `as_of`); for tests and tools.
engine::Expr lower_expression(const ast::Expr& expr, std::shared_ptr<const Source> source, Diagnostics& diagnostics);

}  // namespace verdict::dsl
