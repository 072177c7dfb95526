// A stand-in for C++ generated from ecei-minimum: the hand-written limit
// (bench/handwritten_minimum.hpp) behind a C entry point, compiled at -O2
// into a shared object by scripts/native-cost.sh, to time what building
// generated C++ when a ruleset is first used would cost. Not part of the
// build.
#include "bench/handwritten_minimum.hpp"

extern "C" int verdict_stand_in(const verdict::engine::Evidence* evidence, signed char* out) {
  const auto verdicts = verdict::bench::handwritten_minimum(*evidence);
  for (std::size_t k = 0; k < verdicts.size(); ++k) out[k] = verdicts[k] ? (*verdicts[k] ? 1 : 0) : -1;
  return 0;
}
