// Loading's two paths side by side, in one process, against yaml-cpp's bare
// event parse: the minimum time of RUNS runs of each (default 40), taken in
// turn so that a busy neighbour slows all three alike.
//   verdict_load_paths [PARTICIPANTS [RUNS]]
//   bare parse     yaml-cpp's events, nothing built (bench/bare_parse.hpp)
//   tree, typed    parse_yaml, then evidence_from_yaml (the path for evidence inside other files)
//   events typed   load_evidence: events typed as they arrive (the path for evidence files)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench/bare_parse.hpp"
#include "bench/evidence_generator.hpp"
#include "cli/workspace.hpp"
#include "engine/schema.hpp"

using namespace verdict;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int participants = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 40;
  auto r = cli::load_ruleset(VERDICT_ROOT "/rulesets/ecei/ecei-minimum-2012.1.rules", {}, false);
  auto src = std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants, 1));
  double bare = 1e18, tree = 1e18, events = 1e18;
  std::size_t sink = 0;
  auto ms = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    sink += bench::bare_parse(src->text());
    const auto t1 = Clock::now();
    sink += engine::evidence_from_yaml(engine::parse_yaml(src), src, *r.schema).root.is_known();
    const auto t2 = Clock::now();
    sink += engine::load_evidence(src, *r.schema).root.is_known();
    const auto t3 = Clock::now();
    bare = std::min(bare, ms(t0, t1));
    tree = std::min(tree, ms(t1, t2));
    events = std::min(events, ms(t2, t3));
  }
  std::printf("%d participants, minimum of %d runs: bare parse %.3f ms; tree, typed %.3f ms (%.3fx); events typed %.3f ms (%.3fx)\n",
              participants, runs, bare, tree, tree / bare, events, events / bare);
  return sink == 0;  // never: keeps the work observable
}
