#include "engine/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace verdict {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows: a swap of two neighbouring letters (`kidn` for `kind`)
  // looks two rows back.
  std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != b[j - 1])
        cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  // Letters that differ only in case count as no edit, so that `KIND` finds
  // `kind`; among candidates as close, the one that also agrees in case
  // wins (`b.1` finds `B.1`, not `A.1`).
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const std::string word_lower = lower(word);
  std::string best;
  std::size_t best_d = std::string::npos, best_exact = std::string::npos;
  for (const auto& c : candidates) {
    const auto d = edit_distance(word_lower, lower(c));
    if (d > best_d) continue;
    const auto exact = edit_distance(word, c);
    if (d < best_d || exact < best_exact) {
      best_d = d;
      best_exact = exact;
      best = c;
    }
  }
  // Close enough: at most a third of the word's letters (and at least one) differ.
  std::size_t allowed = std::max<std::size_t>(1, std::max(word.size(), best.size()) / 3);
  return best_d != std::string::npos && best_d <= allowed ? best : std::string();
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error(fmt::format("{}: {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) {
    // A folder that is not a file to read, or one that cannot even be listed.
    if (::access(path.c_str(), R_OK | X_OK) != 0) throw std::runtime_error(fmt::format("{}: {}", path, std::strerror(errno)));
    throw std::runtime_error(fmt::format("{}: is a directory", path));
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes)
    throw std::length_error(fmt::format("{}: the file has {} bytes, more than the limit of {} bytes", path,
                                        static_cast<long long>(st.st_size), max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: {}", path, std::strerror(errno)));
  std::string text;
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    text.resize(static_cast<std::size_t>(st.st_size));
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
  }
  // A pipe, a FIFO, a device or a file that says it is empty (those of
  // /proc and /sys do) has no size to trust: read to its end, and no
  // further than the limit.
  constexpr std::size_t kChunk = 64 * 1024;
  while (in) {
    const std::size_t at = text.size();
    const std::size_t room = max_bytes - at;  // text.size() <= max_bytes here
    const std::size_t want = room >= kChunk ? kChunk : room + 1;  // one byte past the limit tells it is passed
    text.resize(at + want);
    in.read(text.data() + at, static_cast<std::streamsize>(want));
    text.resize(at + static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw std::length_error(fmt::format("{}: more than the limit of {} bytes", path, max_bytes));
  }
  if (in.bad()) throw std::runtime_error(fmt::format("{}: {}", path, std::strerror(errno)));
  return text;
}

namespace {
// The width of one code point on a terminal (0, 1 or 2).
int code_point_width(char32_t c) {
  auto in = [c](char32_t lo, char32_t hi) { return c >= lo && c <= hi; };
  if (in(0x0300, 0x036F) || in(0x1AB0, 0x1AFF) || in(0x1DC0, 0x1DFF) || in(0x20D0, 0x20FF) || in(0xFE20, 0xFE2F) ||
      c == 0x200B || c == 0x200D || c == 0xFEFF)
    return 0;
  if (in(0x1100, 0x115F) || in(0x2E80, 0x303E) || in(0x3041, 0x33FF) || in(0x3400, 0x4DBF) || in(0x4E00, 0x9FFF) ||
      in(0xA000, 0xA4CF) || in(0xAC00, 0xD7A3) || in(0xF900, 0xFAFF) || in(0xFE30, 0xFE4F) || in(0xFF00, 0xFF60) ||
      in(0xFFE0, 0xFFE6) || in(0x1F300, 0x1F64F) || in(0x1F900, 0x1F9FF) || in(0x20000, 0x3FFFD))
    return 2;
  return 1;
}

// The sum of `width` over the code points of `s`; a byte that is not valid
// UTF-8 counts one (it is shown as '?').
template <class Width>
std::size_t columns_of(std::string_view s, Width width) {
  std::size_t total = 0;
  while (!s.empty()) {
    const std::size_t bad = find_invalid_utf8(s);
    const std::string_view good = s.substr(0, bad);
    for (std::size_t i = 0; i < good.size();) {
      const auto b = static_cast<unsigned char>(good[i]);
      const std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
      char32_t c = len == 1 ? b : b & (0xFF >> (len + 1));
      for (std::size_t k = 1; k < len && i + k < good.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(good[i + k]) & 0x3F);
      total += static_cast<std::size_t>(width(c));
      i += len;
    }
    if (bad == std::string_view::npos) break;
    ++total;
    s.remove_prefix(bad + 1);
  }
  return total;
}
}  // namespace

std::size_t utf8_columns(std::string_view s) {
  return columns_of(s, [](char32_t) { return 1; });
}

std::size_t display_width(std::string_view s) { return columns_of(s, code_point_width); }

namespace {
std::string printable(std::string_view text, bool keep_breaks) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t bad = find_invalid_utf8(text.substr(i));
    const std::size_t good = bad == std::string_view::npos ? text.size() - i : bad;
    for (std::size_t k = 0; k < good; ++k) {
      const char c = text[i + k];
      const bool control =
          (static_cast<unsigned char>(c) < 0x20 && !(keep_breaks && (c == '\n' || c == '\t'))) || c == 0x7f;
      // U+0080 to U+009F (C2 80 to C2 9F), the C1 controls: CSI is U+009B.
      if (static_cast<unsigned char>(c) == 0xC2 && k + 1 < good && static_cast<unsigned char>(text[i + k + 1]) < 0xA0) {
        out.push_back('?');
        ++k;
        continue;
      }
      out.push_back(control ? '?' : c);
    }
    i += good;
    if (i < text.size()) {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}
}  // namespace

std::string terminal_text(std::string_view text) { return printable(text, true); }
std::string terminal_line(std::string_view text) { return printable(text, false); }

std::size_t find_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

std::size_t find_lone_carriage_return(std::string_view s) {
  for (std::size_t i = s.find('\r'); i != std::string_view::npos; i = s.find('\r', i + 1))
    if (i + 1 == s.size() || s[i + 1] != '\n') return i;
  return std::string_view::npos;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace verdict
