// Text helpers: what is safe to print on a terminal.
#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "engine/text.hpp"

using verdict::terminal_text;
using verdict::terminal_line;

TEST_CASE("terminal_text: control characters become '?', text and line breaks stay") {
  CHECK(terminal_text("plain text, ü, 中") == "plain text, ü, 中");
  CHECK(terminal_text("two\nlines\tand a tab") == "two\nlines\tand a tab");
  CHECK(terminal_text("x\x1b[31mRED") == "x?[31mRED");              // ESC: an escape sequence
  CHECK(terminal_text(std::string("a\0b", 3)) == "a?b");            // NUL
  CHECK(terminal_text("bell\a, delete\x7f, return\r") == "bell?, delete?, return?");
  CHECK(terminal_text("csi\xc2\x9b" "31m") == "csi?31m");           // U+009B, a C1 control (CSI)
  CHECK(terminal_text("nbsp\xc2\xa0ok") == "nbsp\xc2\xa0ok");       // U+00A0 is text
  CHECK(terminal_text("bad \xff byte") == "bad ? byte");            // not UTF-8
  CHECK(terminal_text("cut \xc2") == "cut ?");                      // a sequence cut short
  CHECK(terminal_text("").empty());
}

TEST_CASE("terminal_line: what must stay on one line has its line breaks and tabs as '?' too") {
  CHECK(terminal_line("a\nb\tc\rd") == "a?b?c?d");
  CHECK(terminal_line("x\x1b[31my") == "x?[31my");
  CHECK(terminal_text("a\nb\tc") == "a\nb\tc");  // kept where a text may run over lines
  CHECK(terminal_line("ünï\xC2\x9B") == "ünï?");
}

TEST_CASE("read_file: a file that says it is empty but is not (/proc) is read to its end") {
  // Files of /proc and /sys report a size of 0; they used to read as empty.
  if (!std::filesystem::exists("/proc/self/status")) return;  // not Linux: nothing to read
  const std::string text = verdict::read_file("/proc/self/status");
  CHECK(text.find("Name:") != std::string::npos);
  CHECK_THROWS_AS(verdict::read_file("/proc/self/status", 10), std::length_error);
}
