// The static checker: a lowered program against the evidence schema it names,
// before any evidence is seen. It infers the type of every expression and
// refuses what could only fail (or silently never match) at evaluation:
// unknown fields, strings an enumerated field never holds, operators and
// functions given the wrong types, conditions that are not booleans.
#pragma once
#include "engine/diagnostic.hpp"
#include "engine/program.hpp"
#include "engine/schema.hpp"

namespace verdict::dsl {

/// Checks `program` (lowered without errors) against `schema`. Every problem
/// is a `check_error` at the span of the offending node, added to
/// `diagnostics`, all of them, not just the first.
void check_program(const engine::Program& program, const engine::Schema& schema, Diagnostics& diagnostics);

/// Completes the warning that a ruleset has no `as_of` clause with an
/// example taken from the schema: a date field at the top level or one
/// level down, one named `date` first ("…, e.g. as_of review.date").
void suggest_as_of(Diagnostics& diagnostics, const engine::Schema& schema);
void suggest_as_of(std::vector<Diagnostic>& diagnostics, const engine::Schema& schema);

}  // namespace verdict::dsl
