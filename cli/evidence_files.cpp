#include "cli/evidence_files.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "engine/text.hpp"

namespace verdict::cli {

std::optional<engine::Evidence> load_evidence_file(const std::string& path, const LoadedRuleset& ruleset,
                                                   const EvidenceLimits& limits, FileOutcome& failure, bool color) {
  std::string text;
  try {
    text = read_evidence_file(path, limits.yaml.max_bytes);
  } catch (const std::length_error&) {
    std::error_code ec;
    failure.error = Diagnostic{Severity::error, "evidence_error",
                               engine::too_large_message(std::filesystem::file_size(path, ec), limits.yaml), nullptr, {}, {}};
    failure.error_text = fmt::format("{}: error[evidence_error]: {}\n", path, failure.error->message);
    return std::nullopt;
  } catch (const std::exception& e) {
    failure.unreadable = true;
    failure.error = Diagnostic{Severity::error, "io_error", fmt::format("cannot read {}", e.what()), nullptr, {}, {}};
    failure.error_text = fmt::format("error[io_error]: cannot read {}\n", terminal_text(e.what()));
    return std::nullopt;
  }
  auto source = std::make_shared<Source>(path, std::move(text));
  try {
    // Evidence written for another schema is refused, rather than typed.
    engine::EvidenceChecks checks;
    checks.schema_mismatch = [&](std::string_view named) -> std::string {
      if (named == ruleset.schema->id() || ruleset.schema->id().empty()) return {};
      return fmt::format("this evidence is written for schema \"{}\", but ruleset {}@{} reads \"{}\"", named,
                         ruleset.info.name, ruleset.info.version, ruleset.schema->id());
    };
    return engine::load_evidence(source, *ruleset.schema, limits.yaml, checks);
  } catch (const DiagnosticError& e) {
    failure.error = e.diagnostics().items().front();
    auto sorted = e.diagnostics();
    sorted.sort();
    failure.error = sorted.items().front();
    failure.error_text = render(e.diagnostics(), {color});
    return std::nullopt;
  }
}

FileOutcome evaluate_file(const std::string& path, const LoadedRuleset& ruleset, std::optional<engine::Date> as_of,
                          const EvidenceLimits& limits, bool color) {
  FileOutcome out;
  out.evidence = path;
  auto evidence = load_evidence_file(path, ruleset, limits, out, color);
  if (!evidence) return out;
  try {
    engine::EvalOptions options;
    options.as_of = as_of;
    options.step_budget = limits.max_steps;
    out.result = engine::evaluate(ruleset.program, *evidence, options);
  } catch (const engine::EvalError& e) {
    Diagnostic d{Severity::error, "eval_error", fmt::format("{} (while evaluating {})", e.what(), path),
                 ruleset.program.source_of(e.span), e.span, {}};
    out.error = d;
    out.error_text = render(d, {color});
  }
  return out;
}

}  // namespace verdict::cli
