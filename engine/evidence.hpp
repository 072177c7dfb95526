// Evidence: a document of values loaded from YAML, with the file it came from.
#pragma once
#include <memory>
#include <string>

#include "engine/source.hpp"
#include "engine/value.hpp"

namespace verdict::engine {

/// One evidence document ready for evaluation (validated, defaults applied).
struct Evidence {
  std::shared_ptr<const verdict::Source> source;  // the file (for positions in messages)
  Value root;                                      // a record
};

}  // namespace verdict::engine
