// Inheritance: a ruleset that `extends "NAME@VERSION"` is merged with its
// base (and the base's base…) into one syntax tree before it is lowered.
// Everything of the base is inherited; `override param`, `override
// indicator`, `remove indicator` and `extend group` change it. Spans of the
// merged tree say which file they are in (Span::file: 0 the ruleset itself,
// 1 its base, …), so diagnostics and reports point into the right file.
#pragma once
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/limits.hpp"
#include "engine/diagnostic.hpp"
#include "engine/source.hpp"

namespace verdict::dsl {

/// Finds the ruleset an `extends "NAME@VERSION"` names. dsl knows no
/// catalogue: the caller says where rulesets are (see folder_resolver in
/// load.hpp).
/// Thrown by RulesetResolver::find when two files could be the ruleset
/// named (the same NAME@VERSION side by side): reported at the extends.
struct AmbiguousRuleset : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RulesetResolver {
  /// The text of `ref` (NAME@VERSION) as seen from the ruleset `extending`,
  /// or null when there is none. May throw DiagnosticError (unreadable file)
  /// or AmbiguousRuleset.
  std::function<std::shared_ptr<const Source>(const std::string& ref, const Source& extending)> find;
  /// The NAME@VERSIONs `find` could have found, for the error when it found
  /// nothing. Optional.
  std::function<std::vector<std::string>(const Source& extending)> known;
};

/// A ruleset merged with everything it extends.
struct InheritedRuleset {
  ast::Ruleset tree;                                   // spans carry their file index
  std::vector<std::shared_ptr<const Source>> sources;  // [0] the ruleset, [1] its base, …
  bool complete = true;  // false when the chain could not be built (base not found, cycle)
  std::optional<Span> extends_at;  // the ruleset's own `extends` clause, if any
  std::string extends_ref;         // and the NAME@VERSION it names
};

/// Adds to each diagnostic about a base's file a note at the ruleset's own
/// `extends` clause ("base@1 is extended here"): the error is the base's
/// text, but loading this ruleset is what brought it up.
void note_extends(Diagnostics& diagnostics, const InheritedRuleset& ruleset);

/// How long a chain of `extends` may be (the ruleset and its bases).
inline constexpr std::size_t max_inheritance_depth = 32;

/// Resolves and parses the bases of `tree` (parsed from `source`) and
/// merges them into one tree. Problems are `check_error`s in `diagnostics`,
/// at the child's span with a note at the base's definition where there is
/// one; when the chain cannot be built, `complete` is false and `tree` is
/// returned alone. A base that does not parse throws its DiagnosticError
/// (with a note at the `extends` clause that named it). Bases are parsed
/// with `limits.max_depth`; the resolver reads them with its own limits.
InheritedRuleset inherit(ast::Ruleset tree, std::shared_ptr<const Source> source, const RulesetResolver& resolver,
                         Diagnostics& diagnostics, const RuleLimits& limits = {});

}  // namespace verdict::dsl
