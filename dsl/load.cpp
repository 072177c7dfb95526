#include "dsl/load.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <sstream>

#include "dsl/checker.hpp"
#include "dsl/lower.hpp"
#include "dsl/parser.hpp"
#include "engine/catalogue.hpp"

namespace verdict::dsl {

namespace fs = std::filesystem;

namespace {

engine::Program load(std::shared_ptr<const Source> source, const engine::Schema* schema, Diagnostics* warnings,
                     const RulesetResolver& resolver, const RuleLimits& limits, Diagnostics* deferred = nullptr) {
  ast::Ruleset tree = parse_ruleset(source, limits);
  Diagnostics diags;
  InheritedRuleset whole = inherit(std::move(tree), source, resolver, diags, limits);
  if (!whole.complete) {
    note_extends(diags, whole);
    diags.sort();
    throw DiagnosticError(std::move(diags));
  }
  engine::Program program = lower(whole.tree, whole.sources, diags);
  // Checked even when lowering found errors: what it could not lower is
  // unknown (of any type), so the checker reports the rest of the file's
  // errors too, and a maintainer sees them all at once.
  if (schema) {
    check_program(program, *schema, diags);
    suggest_as_of(diags, *schema);
  }
  note_extends(diags, whole);
  diags.sort();
  if (deferred && diags.has_errors()) {  // the caller checks it, then reports all together
    deferred->append(diags);
    return program;
  }
  if (diags.has_errors()) throw DiagnosticError(std::move(diags));
  if (warnings) warnings->append(diags);
  return program;
}

[[noreturn]] void cannot_read(const std::string& path, const std::string& why) {
  Diagnostic d;
  d.code = "io_error";
  d.message = fmt::format("cannot read ruleset '{}': {}", path, why);
  throw DiagnosticError(std::move(d));
}

std::shared_ptr<const Source> read_source(const std::string& path, const RuleLimits& limits) {
  std::error_code ec;
  if (auto size = fs::file_size(path, ec); !ec && size > limits.max_bytes) {
    Diagnostic d;
    d.code = "limit";
    d.message = too_large_message(path, size, limits);
    throw DiagnosticError(std::move(d));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) cannot_read(path, std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return std::make_shared<const Source>(path, text.str());
}

// The rulesets directly in the folder of `file` (not below it), each read no
// further than `max_bytes` (the rule size limit).
std::vector<engine::CatalogueEntry> beside(const Source& file, std::size_t max_bytes) {
  fs::path dir = fs::path(file.name()).parent_path();
  if (dir.empty()) dir = ".";
  std::vector<std::string> paths;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".rules" && it->is_regular_file(ec)) paths.push_back(it->path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<engine::CatalogueEntry> out;
  for (const auto& p : paths)
    if (auto e = engine::read_ruleset_header(p, max_bytes)) {
      auto same = std::find_if(out.begin(), out.end(), [&](const engine::CatalogueEntry& o) {
        return o.name == e->name && o.version == e->version;
      });
      if (same == out.end()) out.push_back(std::move(*e));
      else if (same->conflict.empty()) same->conflict = p;
    }
  return out;
}

}  // namespace

engine::Program load_ruleset_text(std::shared_ptr<const Source> source, Diagnostics* warnings,
                                  const RulesetResolver& resolver, const RuleLimits& limits) {
  return load(std::move(source), nullptr, warnings, resolver, limits);
}

engine::Program load_for_check(std::shared_ptr<const Source> source, Diagnostics& errors, Diagnostics* warnings,
                               const RulesetResolver& resolver, const RuleLimits& limits) {
  return load(std::move(source), nullptr, warnings, resolver, limits, &errors);
}

engine::Program load_and_check(std::shared_ptr<const Source> source, const engine::Schema& schema,
                               Diagnostics* warnings, const RulesetResolver& resolver, const RuleLimits& limits) {
  return load(std::move(source), &schema, warnings, resolver, limits);
}

engine::Program load_ruleset_file(const std::string& path, Diagnostics* warnings, const RulesetResolver& resolver,
                                  const RuleLimits& limits) {
  return load(read_source(path, limits), nullptr, warnings, resolver.find ? resolver : folder_resolver({}, limits), limits);
}

RulesetResolver folder_resolver(std::vector<std::string> dirs, const RuleLimits& limits) {
  RulesetResolver r;
  r.find = [dirs, limits](const std::string& ref, const Source& extending) -> std::shared_ptr<const Source> {
    auto found = engine::find_ruleset(beside(extending, limits.max_bytes), ref);
    if (!found) found = engine::find_ruleset(engine::scan_catalogue(dirs, limits.max_bytes), ref);
    if (!found) return nullptr;
    if (!found->conflict.empty())
      throw AmbiguousRuleset(engine::ambiguous_ruleset_message(*found));
    return read_source(found->path, limits);
  };
  r.known = [dirs, limits](const Source& extending) {
    std::set<std::string> names;
    for (const auto& e : beside(extending, limits.max_bytes)) names.insert(e.name + "@" + e.version);
    for (const auto& e : engine::scan_catalogue(dirs, limits.max_bytes))
      if (!e.name.empty()) names.insert(e.name + "@" + e.version);
    return std::vector<std::string>(names.begin(), names.end());
  };
  return r;
}

}  // namespace verdict::dsl
