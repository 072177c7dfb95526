#include "cli/app.hpp"

int main(int argc, char** argv) { return verdict::cli::run(argc, argv); }
