// A batch of evidence files evaluated on a pool of threads, its report
// written file by file in input order as the files finish.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/report.hpp"
#include "cli/workspace.hpp"
#include "engine/date.hpp"

namespace verdict::cli {

class Progress;

struct BatchOptions {
  std::optional<engine::Date> as_of;
  EvidenceLimits limits;
  ReportFormat format = ReportFormat::text;
  bool color_report = false;  // colours in the report (a terminal)
  bool color_errors = false;  // colours in the problems written to stderr
  unsigned threads = 1;
};

/// Where a batch writes, always in input order and from one thread at a time.
struct BatchOutput {
  std::function<void(const std::string&)> report;  // a part of the report
  std::function<void(const std::string&)> errors;  // one file's problems, rendered
};

/// Evaluates `paths` on `options.threads` threads. Each file's part of the
/// report is rendered on the thread that evaluated it and written as soon as
/// every file before it is; its result is then dropped, so a batch holds at
/// a time only the files in flight (and the parts of those that finished
/// ahead of an earlier one), whatever its size. The report is byte for byte
/// render_report's over the same files. A bad file is reported and
/// the rest still run. Returns what the closing line and exit code need.
BatchTally evaluate_batch(const std::vector<std::string>& paths, const LoadedRuleset& ruleset, const BatchOptions& options,
                          const BatchOutput& output, Progress* progress = nullptr);

}  // namespace verdict::cli
