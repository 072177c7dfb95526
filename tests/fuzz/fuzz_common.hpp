// Shared set-up of the fuzz targets: the shipped schema and ruleset, loaded once.
#pragma once
#include <memory>
#include <string>

#include "cli/workspace.hpp"
#include "dsl/load.hpp"
#include "engine/evaluator.hpp"
#include "engine/schema.hpp"

namespace verdict::fuzz {

inline const cli::LoadedRuleset& ecei_minimum() {
  static const cli::LoadedRuleset r =
      cli::load_ruleset(VERDICT_SOURCE_DIR "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  return r;
}

inline std::shared_ptr<const Source> source_of(const uint8_t* data, size_t size, const char* name) {
  return std::make_shared<Source>(name, std::string(reinterpret_cast<const char*>(data), size));
}

}  // namespace verdict::fuzz
