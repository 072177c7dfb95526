// What loading evidence gives, as text, to compare the two loaders (the one
// typing yaml-cpp's events, load_evidence, and the one typing the YamlNode
// tree, evidence_from_yaml): every value with its kind, path, position and
// key number, or every error with its span, in order. Used by
// tests/unit/evidence_loader_test.cpp and the fuzz target fuzz_yaml.
#pragma once
#include <functional>
#include <string>

#include <fmt/format.h>

#include "engine/schema.hpp"

namespace verdict::testing {

inline std::string dump(const engine::Value& v) {
  using K = engine::Value::Kind;
  switch (v.kind()) {
    case K::list: {
      const auto& l = v.as_list();
      std::string out = fmt::format("[{} @{}:{}", l.path, l.mark.line, l.mark.column);
      if (l.marks.size() != l.items.size()) out += " (marks and items differ in number)";
      for (std::size_t i = 0; i < l.items.size() && i < l.marks.size(); ++i)
        out += fmt::format(" @{}:{} {}", l.marks[i].line, l.marks[i].column, dump(l.items[i]));
      return out + "]";
    }
    case K::record: {
      const auto& r = v.as_record();
      std::string out = fmt::format("{{{} @{}:{}", r.path, r.mark.line, r.mark.column);
      for (const auto& f : r.fields) out += fmt::format(" {}#{}@{}:{}={}", f.key, f.id, f.mark.line, f.mark.column, dump(f.value));
      return out + "}";
    }
    default: return fmt::format("{}:{}", engine::kind_name(v.kind()), engine::to_display(v));
  }
}

/// "evidence ..." with the values, or "errors" and each diagnostic.
inline std::string outcome_of(const std::function<engine::Evidence()>& load) {
  try {
    auto ev = load();
    return "evidence " + dump(ev.root);
  } catch (const DiagnosticError& e) {
    std::string out = "errors";
    for (const auto& d : e.diagnostics().items()) out += fmt::format("\n{}-{} {}", d.span.begin, d.span.end, d.message);
    return out;
  }
}

/// The tree loader.
inline engine::Evidence load_by_tree(const std::shared_ptr<const Source>& src, const engine::Schema& schema,
                                     const engine::YamlLimits& limits) {
  return engine::evidence_from_yaml(engine::parse_yaml(src, limits), src, schema);
}

}  // namespace verdict::testing
