// Limits on rule files that keep a hostile or runaway ruleset from
// exhausting memory or the stack, and their messages: each names the limit
// and the command-line flag that raises it (--max-rule-bytes,
// --max-rule-depth).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace verdict::dsl {

/// The highest expression nesting a ruleset may be given: every pass over
/// the syntax tree (parse, lower, check, format, evaluate) recurses once per
/// level, and this many levels still fit the stack with room to spare, even
/// under AddressSanitizer (tests/cli/rule-depth-ceiling.yaml runs a ruleset
/// this deep through them).
inline constexpr std::size_t max_rule_depth_ceiling = 1000;

struct RuleLimits {
  std::size_t max_bytes = 16u << 20;  // one .rules file (--max-rule-bytes)
  std::size_t max_depth = 256;        // expression nesting (--max-rule-depth), at most max_rule_depth_ceiling
};

/// The error for a ruleset file of `size` bytes, more than limits.max_bytes.
/// A size of std::uintmax_t(-1) is not known (a pipe, or the size could not be
/// read), and one within the limit is not the file's (files of /proc say 0):
/// the message then says only that the file is larger.
inline std::string too_large_message(const std::string& path, std::uintmax_t size, const RuleLimits& limits) {
  const std::string has = size == std::uintmax_t(-1) || size <= limits.max_bytes ? "the file is longer than"
                                                       : "the file has " + std::to_string(size) + " bytes, more than";
  return path + ": " + has + " the limit of " +
         std::to_string(limits.max_bytes) + " bytes (limit max_rule_bytes; raise it with --max-rule-bytes)";
}

/// The error for an expression nested more than `limit` levels deep.
inline std::string too_deep_message(std::size_t limit) {
  return "expression nested more than " + std::to_string(limit) +
         " levels deep (limit max_rule_depth; raise it with --max-rule-depth)";
}

}  // namespace verdict::dsl
