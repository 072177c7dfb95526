#include "dsl/load.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "dsl/checker.hpp"
#include "dsl/lower.hpp"
#include "dsl/parser.hpp"

namespace verdict::dsl {

engine::Program load_ruleset_text(std::shared_ptr<const Source> source, Diagnostics* warnings) {
  ast::Ruleset tree = parse_ruleset(source);
  Diagnostics diags;
  engine::Program program = lower(tree, source, diags);
  diags.sort();
  if (diags.has_errors()) throw DiagnosticError(std::move(diags));
  if (warnings) warnings->append(diags);
  return program;
}

engine::Program load_and_check(std::shared_ptr<const Source> source, const engine::Schema& schema,
                               Diagnostics* warnings) {
  ast::Ruleset tree = parse_ruleset(source);
  Diagnostics diags;
  engine::Program program = lower(tree, source, diags);
  if (!diags.has_errors()) check_program(program, schema, diags);
  diags.sort();
  if (diags.has_errors()) throw DiagnosticError(std::move(diags));
  if (warnings) warnings->append(diags);
  return program;
}

engine::Program load_ruleset_file(const std::string& path, Diagnostics* warnings) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Diagnostic d;
    d.code = "io_error";
    d.message = fmt::format("cannot read ruleset '{}': {}", path, std::strerror(errno));
    throw DiagnosticError(std::move(d));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_ruleset_text(std::make_shared<const Source>(path, text.str()), warnings);
}

}  // namespace verdict::dsl
