// Rule text or file to a checked program, in one call.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dsl/inherit.hpp"
#include "dsl/limits.hpp"
#include "engine/diagnostic.hpp"
#include "engine/program.hpp"
#include "engine/schema.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// Parses and lowers a ruleset, merged with the rulesets it `extends`, which
/// `resolver` finds (without one, any `extends` is an error: no ruleset in
/// the catalogue). Throws DiagnosticError with every error (and the warnings
/// beside them) when there is an error; otherwise the warnings (unused
/// params and lets of the ruleset's own file) go to `warnings` when given.
/// Expressions (the ruleset's and its bases') nest at most `limits.max_depth`.
engine::Program load_ruleset_text(std::shared_ptr<const Source> source, Diagnostics* warnings = nullptr,
                                  const RulesetResolver& resolver = {}, const RuleLimits& limits = {});

/// As load_ruleset_text, but errors found in lowering (an unknown function
/// or name, a duplicate, a cycle…) do not throw: they go to `errors`, with
/// the warnings beside them, and the program is returned with each part in
/// error made unknown, for the caller to check against its schema
/// (dsl/checker.hpp) and report every error at once. Parse errors and bases
/// that cannot be merged still throw DiagnosticError.
engine::Program load_for_check(std::shared_ptr<const Source> source, Diagnostics& errors, Diagnostics* warnings = nullptr,
                               const RulesetResolver& resolver = {}, const RuleLimits& limits = {});

/// Parses, lowers and checks a ruleset against the evidence schema it names
/// (dsl/checker.hpp); otherwise as load_ruleset_text. The checker runs even
/// when lowering found errors (the parts in error are unknown, of any type),
/// so that every error is reported at once.
engine::Program load_and_check(std::shared_ptr<const Source> source, const engine::Schema& schema,
                               Diagnostics* warnings = nullptr, const RulesetResolver& resolver = {},
                               const RuleLimits& limits = {});

/// Reads the file at `path` (named so in diagnostics) and loads it as above;
/// an unreadable file is a DiagnosticError with code `io_error`, one larger
/// than `limits.max_bytes` one with code `limit`. Without a resolver, bases
/// are looked for beside the file (folder_resolver({}, limits)).
engine::Program load_ruleset_file(const std::string& path, Diagnostics* warnings = nullptr,
                                  const RulesetResolver& resolver = {}, const RuleLimits& limits = {});

/// A resolver over folders the caller names: NAME@VERSION is looked for
/// first among the *.rules beside the extending file, then in `dirs` in
/// order (searched recursively, as engine::scan_catalogue does). Reading a
/// file that is found but unreadable throws DiagnosticError (`io_error`), one
/// larger than `limits.max_bytes` DiagnosticError (`limit`).
RulesetResolver folder_resolver(std::vector<std::string> dirs, const RuleLimits& limits = {});

}  // namespace verdict::dsl
