// Rule text or file to a checked program, in one call.
#pragma once
#include <memory>
#include <string>

#include "engine/diagnostic.hpp"
#include "engine/program.hpp"
#include "engine/schema.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// Parses and lowers a ruleset. Throws DiagnosticError with every error
/// (and the warnings beside them) when there is an error; otherwise the
/// warnings (unused params and lets) go to `warnings` when it is given.
engine::Program load_ruleset_text(std::shared_ptr<const Source> source, Diagnostics* warnings = nullptr);

/// Parses, lowers and checks a ruleset against the evidence schema it names
/// (dsl/checker.hpp); otherwise as load_ruleset_text. The checker runs only
/// when lowering found no error.
engine::Program load_and_check(std::shared_ptr<const Source> source, const engine::Schema& schema,
                               Diagnostics* warnings = nullptr);

/// Reads the file at `path` (named so in diagnostics) and loads it as above;
/// an unreadable file is a DiagnosticError with code `io_error`.
engine::Program load_ruleset_file(const std::string& path, Diagnostics* warnings = nullptr);

}  // namespace verdict::dsl
