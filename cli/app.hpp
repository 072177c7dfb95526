// The `verdict` command line.
#pragma once

namespace verdict::cli {

/// Runs the program with its arguments; returns the exit code.
int run(int argc, char** argv);

}  // namespace verdict::cli
