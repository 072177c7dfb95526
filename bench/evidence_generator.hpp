// Generates realistic `ecei-evidence/1` YAML of any size, deterministically
// from a seed, for benchmarks and large tests.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace verdict::bench {

/// Evidence with `participants` participants; 10–45 % of them (by seed) have
/// contacts, and about a fifth take part in co-operation activities.
inline std::string generate_evidence(int participants, std::uint32_t seed = 1) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&state](int mod) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<int>(state % static_cast<std::uint64_t>(mod));
  };
  // How many participants have contacts varies with the seed (10–45 %), so
  // a corpus straddles the 2.5 thresholds.
  const int contact_percent = 10 + static_cast<int>(seed % 36);
  static const char* kinds[] = {"business", "business", "business", "research", "university", "intermediary", "public", "other"};
  static const char* contact_kinds[] = {"visit", "exchange", "joint_work"};
  std::string y;
  y.reserve(static_cast<std::size_t>(participants) * 220 + 4096);
  y += "schema: ecei-evidence/1\n";
  y += fmt::format("organisation: {{name: Generated cluster {}, country: DE, sector: automotive}}\n", seed);
  y += "assessment: {date: 2026-06-30, kind: self}\n";
  y += "management:\n  started: 2016-01-15\n  team:\n    - {name: A. Manager, fte: 1.0, education: master}\n";
  y += participants > 0 ? "participants:\n" : "participants: []\n";
  for (int i = 0; i < participants; ++i) {
    const char* kind = kinds[next(8)];
    bool committed = next(10) < 8;
    y += fmt::format("  - id: p{}\n    name: Participant {}\n    kind: {}\n    in_sector: {}\n    committed: {}\n", i, i, kind,
                     next(10) < 8 ? "true" : "false", committed ? "true" : "false");
    if (next(100) < contact_percent) {
      y += "    contacts:\n";
      int n = 1 + next(3);
      for (int k = 0; k < n; ++k)
        y += fmt::format("      - {{date: 2026-{:02}-{:02}, kind: {}}}\n", 1 + next(12), 1 + next(28), contact_kinds[next(3)]);
    }
  }
  // Activities list participant ids, so there are none without participants.
  y += participants > 0 ? "cooperation:\n" : "cooperation: []\n";
  int activities = participants > 0 ? participants / 5 + 1 : 0;
  static const char* coop_kinds[] = {"project", "working_group", "trade_fair", "delegation_visit", "seminar", "workshop"};
  for (int a = 0; a < activities; ++a) {
    y += fmt::format("  - title: Activity {}\n    kind: {}\n    date: 2026-{:02}-{:02}\n    effort_days: {}\n    participants: [",
                     a, coop_kinds[next(6)], 1 + next(6), 1 + next(28), 1 + next(4));
    int n = 2 + next(3);
    // Each participant once (the schema's uniqueItems): a repeated draw is skipped.
    int listed[4];
    int count = 0;
    for (int k = 0; k < n; ++k) {
      const int id = next(participants);
      if (std::find(listed, listed + count, id) != listed + count) continue;
      y += fmt::format("{}p{}", count ? ", " : "", id);
      listed[count++] = id;
    }
    y += "]\n";
  }
  y += R"(innovation_system:
  - {organisation: Regional innovation agency, kind: agency, regular: true, last_contact: 2026-05-01}
governance: {decision_body: true, roles_documented: true}
strategy:
  process:
    companies_involved: true
    instruments: [industry_analysis, swot]
    participation: [member_survey]
  document: {date: 2024-11-01, format: written, covers: [analysis, strategic_options, support_plan, objectives]}
  implementation_plan: {written: true, measurable_targets: true, dedicated_budgets: true, aligned_with_strategy: true}
  reviews: {last: 2025-01-10, next_planned: 2026-10-01}
financial_controlling: {tool: true, reporting: quarterly}
performance_monitoring:
  system: true
  frequency: annual
  last_run: 2026-01-20
  targets:
    - {name: 20 new members, met: true}
    - {name: 3 projects, met: false}
services:
  - {name: Scouting, field: innovation, intensity: high}
  - {name: Matchmaking, field: business_opportunities, intensity: medium}
  - {name: Academy, field: education_training, intensity: high}
web_presence: {url: "https://example.org", last_update: 2026-06-01, local_language: de, languages: [de, en], english_basics: true}
attestations:
  "1.1.2": {met: true, by: J. Expert}
  "2.2.2": {met: true, by: J. Expert}
  "2.4": {met: true, by: J. Expert}
)";
  return y;
}

}  // namespace verdict::bench
