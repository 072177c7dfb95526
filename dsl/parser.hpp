// Rule text to syntax tree. Light to include: the grammar is instantiated
// in parser.cpp only.
#pragma once
#include <memory>

#include "dsl/ast.hpp"
#include "dsl/limits.hpp"
#include "engine/diagnostic.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// Parses a whole ruleset file. Throws DiagnosticError with one `parse_error`
/// (what was expected, what was found, and for an unclosed bracket or string
/// a note where it opened). Expressions may nest `limits.max_depth` levels
/// (never more than max_rule_depth_ceiling); `limits.max_bytes` is the
/// reader's business (dsl/load.hpp).
ast::Ruleset parse_ruleset(std::shared_ptr<const Source> source, const RuleLimits& limits = {});

/// Parses one expression (the whole text; surrounding whitespace allowed),
/// for tests and tools. Throws DiagnosticError like parse_ruleset.
ast::Expr parse_expression(std::shared_ptr<const Source> source, const RuleLimits& limits = {});

}  // namespace verdict::dsl
