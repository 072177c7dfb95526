#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <thread>

#include "cli/app.hpp"

namespace {

// Parsing, lowering, checking, formatting and evaluating a ruleset each
// recurse once per level of expression nesting, and reading evidence once
// per level of YAML nesting. The limits on both (dsl/limits.hpp,
// engine/yaml_tree.hpp) are chosen so that the deepest input they let
// through fits this stack, even under AddressSanitizer, whatever `ulimit -s`
// says; so the command and every thread of a batch run on stacks this large
// (reserved address space: only the pages touched are ever used).
constexpr std::size_t kStackBytes = std::size_t{64} << 20;

}  // namespace

int main(int argc, char** argv) {
  // A closed stdout or stderr (`>&-`) is held by /dev/null, opened read-only:
  // no file opened later takes its number (a report written with -o got the
  // error messages meant for stderr), and writing there still fails, as the
  // user asked.
  for (int fd : {STDOUT_FILENO, STDERR_FILENO})
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      const int held = ::open("/dev/null", O_RDONLY);
      if (held >= 0 && held != fd) {
        ::dup2(held, fd);
        ::close(held);
      }
    }
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) == 0) {
    if (pthread_attr_setstacksize(&attr, kStackBytes) == 0) pthread_setattr_default_np(&attr);  // std::thread's default
    pthread_attr_destroy(&attr);
  }
  int code = 0;
  std::thread command([&] { code = verdict::cli::run(argc, argv); });
  command.join();
  return code;
}
