// Inputs that fuzzing found to crash, kept as regressions.
#include <doctest/doctest.h>

#include "bench/evidence_generator.hpp"
#include "cli/workspace.hpp"
#include "engine/evaluator.hpp"

using namespace verdict;

// fuzz_expressions, 2026-11-29: the evidence generator divided by zero
// (a modulo by the participant count) when asked for no participants.
TEST_CASE("generated evidence with 0 to 3 participants loads and evaluates") {
  auto ruleset = cli::load_ruleset("ecei-minimum@2012.1", {}, false);
  for (int participants = 0; participants <= 3; ++participants)
    for (unsigned seed = 0; seed < 4; ++seed) {
      CAPTURE(participants);
      auto src = std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants, seed));
      auto ev = engine::load_evidence(src, *ruleset.schema);
      auto result = engine::evaluate(ruleset.program, ev);
      CHECK(result.indicators.size() == 18);
      if (participants == 0) CHECK(result.indicators[0].verdict == engine::Verdict::unknown);  // a share of nobody
    }
}
