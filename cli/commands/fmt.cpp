// `verdict fmt`: rulesets in the canonical layout (dsl/printer.hpp): printed,
// checked (a diff per file that is not canonical) or rewritten in place.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/stderr.hpp"
#include "dsl/limits.hpp"
#include "dsl/parser.hpp"
#include "dsl/printer.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace fs = std::filesystem;

namespace {

// A file that cannot be read (exit 66), apart from one that does not parse.
struct Unreadable {
  std::string message;
};
// A file larger than --max-rule-bytes allows (exit 65, as for one that does not parse).
struct TooLarge {
  std::string message;
};

// Read as check reads a ruleset (read_file): a FIFO or a device (/dev/zero)
// no further than the limit either.
std::string read_rules(const std::string& path, const dsl::RuleLimits& limits) {
  try {
    return read_file(path, limits.max_bytes);
  } catch (const std::length_error&) {
    std::error_code ec;
    throw TooLarge{dsl::too_large_message(path, fs::file_size(path, ec), limits)};
  } catch (const std::exception& e) {
    throw Unreadable{fmt::format("cannot read {}", e.what())};
  }
}

// Files as given; folders stand for the *.rules below them (sorted).
std::vector<std::string> expand(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      out.push_back(a);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(a, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".rules" && it->is_regular_file(ec)) found.push_back(it->path().string());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A unified diff (3 lines of context) of two texts. The longest common
// subsequence of the lines that differ, when that part is of a reasonable
// size; beyond it, the whole differing part is replaced.
std::string unified_diff(const std::string& path, const std::string& before, const std::string& after) {
  auto a = split_lines(before);
  auto b = split_lines(after);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  const std::size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  // ops: ' ' same, '-' only in a, '+' only in b, over the whole texts.
  std::vector<char> ops(prefix, ' ');
  if (n * m <= 16'000'000) {
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        ops.push_back(' ');
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        ops.push_back('-');  // removals first, as diff(1) shows them
        ++i;
      } else {
        ops.push_back('+');
        ++j;
      }
    }
  } else {
    ops.insert(ops.end(), n, '-');
    ops.insert(ops.end(), m, '+');
  }
  ops.insert(ops.end(), suffix, ' ');

  constexpr std::size_t context = 3;
  std::string out = fmt::format("--- {}\n+++ {} (formatted)\n", terminal_line(path), terminal_line(path));
  // Line numbers (1-based) in a and b before each op.
  std::vector<std::size_t> line_a(ops.size() + 1), line_b(ops.size() + 1);
  line_a[0] = line_b[0] = 1;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    line_a[k + 1] = line_a[k] + (ops[k] != '+');
    line_b[k + 1] = line_b[k] + (ops[k] != '-');
  }
  std::size_t k = 0;
  while (k < ops.size()) {
    if (ops[k] == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` after the
    // last change that is at most 2 * context lines from the next.
    std::size_t begin = k >= context ? k - context : 0;
    std::size_t end = k;
    while (true) {
      while (end < ops.size() && ops[end] != ' ') ++end;
      std::size_t next = end;
      while (next < ops.size() && ops[next] == ' ') ++next;
      if (next < ops.size() && next - end <= 2 * context) {
        end = next;
        continue;
      }
      end = std::min(ops.size(), end + context);
      break;
    }
    std::size_t count_a = line_a[end] - line_a[begin], count_b = line_b[end] - line_b[begin];
    out += fmt::format("@@ -{},{} +{},{} @@\n", count_a ? line_a[begin] : line_a[begin] - 1, count_a,
                       count_b ? line_b[begin] : line_b[begin] - 1, count_b);
    for (std::size_t x = begin; x < end; ++x) {
      const std::string& line = ops[x] == '+' ? b[line_b[x] - 1] : a[line_a[x] - 1];
      out += fmt::format("{}{}\n", ops[x], line);
    }
    k = end;
  }
  return out;
}

}  // namespace

int run_fmt(const FmtArgs& args, bool color) {
  bool invalid = false, unreadable = false, not_canonical = false, broken = false;
  auto paths = expand(args.files);
  if (paths.empty()) throw UserError(Exit::no_input, "no .rules files found in the folders given");
  for (const auto& path : paths) {
    std::shared_ptr<const Source> source;
    try {
      source = std::make_shared<const Source>(path, read_rules(path, args.limits));
    } catch (const Unreadable& e) {
      print_err("verdict: {}\n", terminal_text(e.message));
      unreadable = true;
      continue;
    } catch (const TooLarge& e) {
      print_err("error[limit]: {}\n", terminal_text(e.message));
      invalid = true;
      continue;
    }
    // Refused as check refuses it: the parser alone lets any byte through a comment.
    if (auto bad = find_invalid_utf8(source->text()); bad != std::string_view::npos) {
      Diagnostic d{Severity::error, "parse_error", "invalid UTF-8: a ruleset must be UTF-8 text", source,
                   {static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad) + 1}, {}};
      print_err("{}", render(d, {color}));
      invalid = true;
      continue;
    }
    std::string formatted;
    try {
      dsl::ast::Ruleset tree = dsl::parse_ruleset(source, args.limits);
      // The formatter must not change what the ruleset says, nor drop a
      // comment: refuse to print or write a result that does.
      auto keeps_meaning = [&](const std::string& text) {
        auto again = std::make_shared<const Source>(path, text);
        try {
          dsl::ast::Ruleset reparsed = dsl::parse_ruleset(again, args.limits);
          return dsl::same_syntax(tree, reparsed) &&
                 dsl::comments_of(tree, *source).size() == dsl::comments_of(reparsed, *again).size();
        } catch (const DiagnosticError&) {
          return false;
        }
      };
      formatted = dsl::format_ruleset(tree, *source);
      bool same = keeps_meaning(formatted);
      if (!same) {
        // The brackets added for the reader nest deeper than the text as
        // written (an `if` in the `then` of another, 128 levels down, passes
        // the 256-level limit): print without them.
        std::string plain = dsl::format_ruleset(tree, *source, {.reader_brackets = false});
        if (keeps_meaning(plain)) {
          formatted = std::move(plain);
          same = true;
        }
      }
      if (!same) {
        print_err("verdict: internal error: formatting {} would change it (this is a bug); left as it is\n", terminal_line(path));
        broken = true;
        continue;
      }
    } catch (const DiagnosticError& e) {
      print_err("{}", render(e.diagnostics(), {color}));
      invalid = true;
      continue;
    }
    const bool changed = formatted != source->text();
    if (args.check) {
      if (changed) {
        fmt::print("{}", unified_diff(path, source->text(), formatted));
        not_canonical = true;
      }
    } else if (args.write) {
      if (changed) {
        try {
          write_file_atomically(path, formatted);  // keeps its mode and owner; refuses a read-only file
          fmt::print("formatted {}\n", terminal_line(path));
        } catch (const UserError& e) {  // this file is left as it was; the others are still formatted
          print_err("verdict: {}\n", terminal_text(e.what()));
          unreadable = true;
        }
      }
    } else {
      fmt::print("{}", formatted);
    }
  }
  if (broken) return Exit::internal;
  if (invalid) return Exit::data_error;
  if (unreadable) return Exit::no_input;
  return not_canonical ? Exit::failed : Exit::ok;
}

}  // namespace verdict::cli
