// One function per subcommand: each adds itself to the CLI11 app and returns
// the callback that runs it once the arguments are parsed.
#pragma once
#include <functional>

namespace CLI {
class App;
}

namespace verdict::cli {

struct SearchOptions;

/// Flags every command shares.
struct CommonOptions;

using Runner = std::function<int()>;

Runner add_evaluate(CLI::App& app, const SearchOptions& search, const bool& color);

}  // namespace verdict::cli
