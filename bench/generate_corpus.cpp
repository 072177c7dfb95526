// Writes a corpus of generated ecei-evidence/1 files:
//   verdict_generate DIR COUNT [PARTICIPANTS] [FIRST_SEED]
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "bench/evidence_generator.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: {} DIR COUNT [PARTICIPANTS] [FIRST_SEED]\n", argv[0]);
    return 64;
  }
  std::filesystem::path dir = argv[1];
  int count = std::atoi(argv[2]);
  int participants = argc > 3 ? std::atoi(argv[3]) : 40;
  unsigned seed = argc > 4 ? static_cast<unsigned>(std::atoi(argv[4])) : 1u;
  std::filesystem::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    std::ofstream(dir / fmt::format("cluster-{:05}.yaml", i)) << verdict::bench::generate_evidence(participants, seed + static_cast<unsigned>(i));
  }
  return 0;
}
