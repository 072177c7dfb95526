// Generated rule expressions evaluated on generated evidence: the bytes
// choose an expression tree (built as a tree, then printed as rule text) and
// the seed and size of the evidence. Parse, check and evaluation may refuse
// it; nothing may crash, and the fast path for compiled conditions must
// decide as the general evaluator does (the expression is also tried as a
// check and as a `where` condition, where it is compiled when it can be).
#include <functional>

#include "bench/evidence_generator.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

struct Bytes {
  const uint8_t* p;
  size_t n;
  uint8_t next() { return n ? (--n, *p++) : 0; }
};

// A small expression grammar over the ECEI evidence.
std::string expr(Bytes& b, int depth) {
  static const char* leaves[] = {"participants", "cooperation", "as_of", "assessment.date", "1", "0", "20%", "0.5",
                                 "true", "false", "null", "\"business\"", "2026-06-30", "1 year", "6 months",
                                 "management.started", "strategy.reviews.last", "[\"a\", \"b\"]", "attestations[\"2.4\"].met"};
  static const char* elem[] = {".committed", ".kind", ".in_sector", ".id", ".contacts", ".date", ".effort_days", "."};
  static const char* binops[] = {" and ", " or ", " == ", " != ", " < ", " <= ", " > ", " >= ", " + ", " - ", " * ", " / ", " in "};
  static const char* colls[] = {"count", "any", "all", "sum", "min", "max", "distinct", "share"};
  uint8_t c = b.next();
  if (depth > 6 || c < 60) {
    if (depth > 0 && (c & 1)) return elem[b.next() % 8];
    return leaves[b.next() % 19];
  }
  switch (c % 8) {
    case 0: return "not " + expr(b, depth + 1);
    case 1: return "(" + expr(b, depth + 1) + binops[b.next() % 13] + expr(b, depth + 1) + ")";
    case 2: return "(" + expr(b, depth + 1) + " where " + expr(b, depth + 1) + ")";
    case 3: {
      const char* f = colls[b.next() % 8];
      if (std::string(f) == "count") return std::string("count(") + expr(b, depth + 1) + ")";
      return std::string(f) + "(" + expr(b, depth + 1) + ", " + expr(b, depth + 1) + ")";
    }
    case 4: return "if " + expr(b, depth + 1) + " then " + expr(b, depth + 1) + " else " + expr(b, depth + 1);
    case 5: return "between(" + expr(b, depth + 1) + ", " + expr(b, depth + 1) + ", " + expr(b, depth + 1) + ")";
    case 6: return "latest(" + expr(b, depth + 1) + ", " + expr(b, depth + 1) + ")";
    default: {
      if (b.next() & 1) return "known(" + expr(b, depth + 1) + ")";
      // A where on a sum over a join (answered per item through the join's index).
      static const char* summed[] = {".effort_days", "1", ".date", "p.id", "0.5"};
      static const char* ops[] = {" >= ", " > ", " < ", " <= ", " == ", " != "};
      std::string sum = std::string("sum(cooperation where p.id in .participants, ") + summed[b.next() % 5] + ")";
      static const char* thresholds[] = {"0", "1", "2", "2.5", "3", "4"};
      const uint8_t t = b.next();
      const std::string threshold = t < 200 ? thresholds[t % 6] : expr(b, depth + 1);
      return "count(participants as p where " + sum + ops[b.next() % 6] + threshold + ")";
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace verdict;
  Bytes b{data, size};
  int participants = b.next() % 40;
  unsigned seed = b.next();
  std::string e = expr(b, 0);
  auto src = std::make_shared<Source>("generated.yaml", bench::generate_evidence(participants, seed));
  auto ev = engine::load_evidence(src, *fuzz::ecei_minimum().schema);
  for (std::string body : {"  let value = " + e + "\n  require known(value) or true\n", "  require " + e + "\n",
                           "  require count(participants where " + e + ") >= 0\n"}) {
    std::string text = "ruleset \"fuzz\" version \"0\"\n  schema \"ecei-evidence/1\"\n  as_of assessment.date\n"
                       "indicator \"x\" \"x\" {\n" + body + "}\n";
    try {
      auto program = dsl::load_ruleset_text(std::make_shared<Source>("fuzz.rules", text));
      fuzz::check_fast_path(program, ev, 1'000'000);
    } catch (const DiagnosticError&) {
    }
  }
  return 0;
}
