#include "engine/catalogue.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>

#include <sys/stat.h>

#include <fmt/format.h>

#include "engine/schema.hpp"

namespace verdict::engine {

namespace fs = std::filesystem;

int compare_versions(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : s) {
      if (c == '.' || c == '-') { parts.push_back(cur); cur.clear(); }
      else cur.push_back(c);
    }
    parts.push_back(cur);
    return parts;
  };
  auto pa = split(a), pb = split(b);
  for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    if (i >= pa.size()) return -1;
    if (i >= pb.size()) return 1;
    const auto& x = pa[i];
    const auto& y = pb[i];
    bool nx = !x.empty() && std::all_of(x.begin(), x.end(), ::isdigit);
    bool ny = !y.empty() && std::all_of(y.begin(), y.end(), ::isdigit);
    if (nx && ny) {
      auto sx = x.substr(std::min(x.find_first_not_of('0'), x.size()));
      auto sy = y.substr(std::min(y.find_first_not_of('0'), y.size()));
      if (sx.size() != sy.size()) return sx.size() < sy.size() ? -1 : 1;
      if (sx != sy) return sx < sy ? -1 : 1;
    } else if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

namespace {
// The few shapes a ruleset's header lines take, read by hand: compiling
// std::regex patterns for them took 7 % of the instructions of a `verdict
// check` of a ruleset that extends another (callgrind).
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

struct LineReader {
  std::string_view line;
  std::size_t at = 0;

  void skip_spaces() {
    while (at < line.size() && is_space(line[at])) ++at;
  }
  bool word(std::string_view w) {
    if (line.substr(at, w.size()) != w) return false;
    at += w.size();
    return true;
  }
  // `w` as a whole word, as the grammar's keywords match: `title"T"` is the
  // keyword (no space is needed before a text), `titles` is not.
  bool keyword(std::string_view w) {
    const std::size_t from = at;
    if (word(w) && (at == line.size() || !is_word(line[at]))) return true;
    at = from;
    return false;
  }
  // A "TEXT" with the language's escapes (\" \\ \n \t \{ \}) read as the
  // parser reads them; null for a text not closed on the line or an
  // escape the language does not have.
  std::optional<std::string> quoted() {
    if (at >= line.size() || line[at] != '"') return std::nullopt;
    std::string text;
    for (std::size_t i = at + 1; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"') {
        at = i + 1;
        return text;
      }
      if (c != '\\') {
        text.push_back(c);
        continue;
      }
      if (++i == line.size()) return std::nullopt;
      switch (line[i]) {
        case '"': case '\\': case '{': case '}': text.push_back(line[i]); break;
        case 'n': text.push_back('\n'); break;
        case 't': text.push_back('\t'); break;
        default: return std::nullopt;
      }
    }
    return std::nullopt;
  }
};

// A line of spaces, perhaps with a comment.
bool blank_or_comment(std::string_view line) {
  LineReader r{line};
  r.skip_spaces();
  return r.at == line.size() || line[r.at] == '#';
}

// The line without its comment (a '#' outside a "text").
std::string_view without_comment(std::string_view line) {
  bool in_text = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (in_text && line[i] == '\\') ++i;
    else if (line[i] == '"') in_text = !in_text;
    else if (line[i] == '#' && !in_text) return line.substr(0, i);
  }
  return line;
}

enum class Clause { found, incomplete, no };

// `ruleset "NAME" version "VERSION"` at the start of `text`, which may hold
// several lines (the language lets the clause break between its words):
// found (into `e`), incomplete (the text ends before the clause does), or no.
// Spaces between its words may be left out, as the grammar lets them be
// (`ruleset"n"version"1"`).
Clause ruleset_clause(std::string_view text, CatalogueEntry& e, std::size_t* end = nullptr) {
  LineReader r{text};
  r.skip_spaces();
  const auto stop = [&] { return r.at >= text.size() ? Clause::incomplete : Clause::no; };
  if (!r.keyword("ruleset")) return stop();
  r.skip_spaces();
  auto name = r.quoted();
  if (!name) return stop();
  r.skip_spaces();
  if (!r.keyword("version")) return stop();
  r.skip_spaces();
  auto version = r.quoted();
  if (!version) return stop();
  e.name = std::move(*name);
  e.version = std::move(*version);
  if (end) *end = r.at;
  return Clause::found;
}

// The header clauses in `text` (a line, or what follows the `ruleset`
// clause on its line), one after another as the language lets them be
// written (`title "T" extends "b@1"`, or `title"T"extends"b@1"`, with no
// space before a text, as the grammar lets them be): title and extends into `e`, source
// and schema passed over. The scan of `text` ends at anything else, an
// `as_of` expression among them (its end cannot be told without parsing it).
// Returns the clause `text` ends in the middle of (`title`, its text on the
// next line, as the grammar lets it be), or "".
std::string_view header_clauses(std::string_view text, CatalogueEntry& e) {
  LineReader r{text};
  for (;;) {
    r.skip_spaces();
    bool known = false;
    for (std::string_view keyword : {"title", "extends", "source", "schema"}) {
      LineReader k = r;
      if (!k.keyword(keyword)) continue;
      k.skip_spaces();
      if (k.at == text.size()) return text.substr(r.at);
      auto t = k.quoted();
      if (!t) return {};
      if (keyword == "title") e.title = std::move(*t);
      else if (keyword == "extends") e.extends = std::move(*t);
      r = k;
      known = true;
      break;
    }
    if (!known) return {};
  }
}

// A line that starts the body (a declaration keyword as a whole word).
bool body_line(std::string_view line) {
  LineReader r{line};
  r.skip_spaces();
  for (std::string_view keyword : {"param", "let", "group", "indicator", "outcome", "override", "remove", "extend"}) {
    LineReader k = r;
    if (k.keyword(keyword)) return true;
  }
  return false;
}
}  // namespace

std::optional<CatalogueEntry> read_ruleset_header(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  CatalogueEntry e;
  e.path = path;
  bool found = false;
  std::string line;
  // std::getline, but no further than max_bytes into the file (a file of
  // 1 GB without a line break was read whole, by every command), or 64 KiB
  // where the limit is smaller than the comments before the header
  // (--max-rule-bytes 200): the ruleset is then found by its name, and
  // refused for its size when loaded.
  constexpr std::size_t kHeaderBytes = std::size_t{1} << 16;
  std::streambuf& buf = *in.rdbuf();
  std::size_t left = std::max(max_bytes, kHeaderBytes);
  auto next_line = [&] {
    line.clear();
    while (left > 0) {
      const auto c = buf.sbumpc();
      if (c == std::char_traits<char>::eof()) return !line.empty();
      --left;
      if (c == '\n') return true;
      line.push_back(static_cast<char>(c));
    }
    return false;
  };
  // Up to 200 lines that are not blank or comments (a long comment before
  // the header does not hide it), within the bytes above.
  std::string begun;  // a `ruleset` clause that the lines so far begin, comments left out
  std::string open;   // a header clause that the lines so far begin (`extends`, its text below)
  auto clauses = [&](std::string_view text) { open = header_clauses(text, e); };
  bool first_line = true;
  for (int n = 0; n < 200 && next_line();) {
    // A byte order mark, as some editors write at the start of a file (the
    // parser skips it too).
    if (first_line && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    first_line = false;
    if (blank_or_comment(line)) continue;
    ++n;
    if (!found) {
      if (!begun.empty()) {
        begun += '\n';
        begun += without_comment(line);
        std::size_t end = 0;
        const auto clause = ruleset_clause(begun, e, &end);
        if (clause != Clause::no) {
          found = clause == Clause::found;
          if (found) {
            clauses(std::string_view(begun).substr(end));  // the rest of its last line
            begun.clear();
          }
          continue;
        }
        begun.clear();
      }
      const auto own = without_comment(line);
      std::size_t end = 0;
      const auto clause = ruleset_clause(own, e, &end);
      found = clause == Clause::found;
      if (found) clauses(own.substr(end));  // `ruleset "n" version "1" title "T"`
      if (clause == Clause::incomplete) begun = own;
      continue;
    }
    if (body_line(line)) break;
    clauses(open.empty() ? std::string(without_comment(line)) : open + "\n" + std::string(without_comment(line)));
  }
  if (!found) return std::nullopt;
  return e;
}

namespace {
struct FoundFile {
  std::string path;
  int depth = 0;  // 0: directly in the folder searched
};
// Files ending in `ext` in `dir`, nearest the top first, then by path.
std::vector<FoundFile> list_files_with_extension(const std::string& dir, const std::string& ext, bool recursive,
                                                 std::vector<std::string>& folders) {
  std::vector<FoundFile> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  folders.push_back(dir);
  if (!recursive) {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec) && it->path().extension() == ext) out.push_back({it->path().string(), 0});
  } else {
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it.depth() > 8) { it.disable_recursion_pending(); continue; }
      if (it->is_directory(ec)) folders.push_back(it->path().string());
      else if (it->is_regular_file(ec) && it->path().extension() == ext) out.push_back({it->path().string(), it.depth()});
    }
  }
  std::sort(out.begin(), out.end(), [](const FoundFile& a, const FoundFile& b) {
    return a.depth != b.depth ? a.depth < b.depth : a.path < b.path;
  });
  return out;
}

// A folder's modification time, which changes when an entry is added to it,
// removed or renamed (nullopt: gone, or not a folder).
std::optional<std::pair<long long, long>> folder_stamp(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return std::make_pair(static_cast<long long>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec);
}

// list_files_with_extension, kept while none of the folders it went through
// has changed: a catalogue of many rulesets looks for each one's schema in
// its folder, which would otherwise be listed again for each (a thousand
// rulesets in one folder: a million entries read).
std::vector<FoundFile> files_with_extension(const std::string& dir, const std::string& ext, bool recursive = true) {
  struct Listing {
    std::vector<std::pair<std::string, std::pair<long long, long>>> folders;
    std::vector<FoundFile> files;
  };
  static std::mutex mutex;
  static std::map<std::string, Listing> kept;
  const std::string key = fmt::format("{}\n{}\n{}", dir, ext, recursive);
  {
    std::lock_guard lock(mutex);
    if (auto it = kept.find(key); it != kept.end()) {
      bool same = true;
      for (const auto& [folder, stamp] : it->second.folders)
        if (folder_stamp(folder) != stamp) { same = false; break; }
      if (same) return it->second.files;
    }
  }
  std::vector<std::string> folders;
  Listing listing;
  // The folder's time taken before it is read: a change while it is read
  // leaves the listing kept out of date only until the next lookup.
  const auto top = folder_stamp(dir);
  listing.files = list_files_with_extension(dir, ext, recursive, folders);
  for (auto& f : folders) {
    const auto stamp = f == dir ? top : folder_stamp(f);
    if (!stamp) return listing.files;  // changing as it is read: not kept
    listing.folders.emplace_back(std::move(f), *stamp);
  }
  if (listing.folders.empty()) return listing.files;  // no such folder: nothing to keep
  std::lock_guard lock(mutex);
  if (kept.size() >= 64) kept.clear();
  kept.insert_or_assign(key, listing);
  return listing.files;
}
}  // namespace

std::vector<CatalogueEntry> scan_catalogue(const std::vector<std::string>& dirs, std::size_t max_bytes) {
  std::vector<CatalogueEntry> out;
  struct Seen {
    std::size_t dir, index;
    int depth;
  };
  std::map<std::string, Seen> seen;
  for (std::size_t d = 0; d < dirs.size(); ++d)
    for (const auto& file : files_with_extension(dirs[d], ".rules")) {
      auto e = read_ruleset_header(file.path, max_bytes);
      if (!e) {
        // Not a ruleset, unless it is too large to tell: that one is listed,
        // without a name, so that it is reported as a ruleset that does not check.
        std::error_code ec;
        if (const auto size = fs::file_size(file.path, ec); !ec && size > max_bytes) {
          out.push_back({});
          out.back().path = file.path;
        }
        continue;
      }
      auto [it, fresh] = seen.try_emplace(e->name + "@" + e->version, Seen{d, out.size(), file.depth});
      if (fresh) {
        out.push_back(std::move(*e));
      } else if (it->second.dir == d && it->second.depth == file.depth && out[it->second.index].conflict.empty()) {
        out[it->second.index].conflict = file.path;
      }
    }
  return out;
}

std::string ambiguous_ruleset_message(const CatalogueEntry& e) {
  return "two files are ruleset '" + e.name + "@" + e.version + "': " + e.path + " and " + e.conflict +
         "; which one is meant cannot be told: keep one, or give the other a new version";
}

std::string ambiguous_schema_message(const std::string& id, const std::string& found, const std::string& conflict) {
  return "two schema files have $id \"" + id + "\": " + found + " and " + conflict +
         "; which one is meant cannot be told: keep one, or change the other's $id";
}

std::optional<CatalogueEntry> find_ruleset(const std::vector<CatalogueEntry>& entries, const std::string& ref) {
  auto at = ref.find('@');
  std::string name = ref.substr(0, at);
  std::optional<CatalogueEntry> best;
  for (const auto& e : entries) {
    if (e.name.empty() || e.name != name) continue;
    if (at != std::string::npos) {
      if (e.version == ref.substr(at + 1)) return e;
    } else if (!best || compare_versions(e.version, best->version) > 0) {
      best = e;
    }
  }
  return best;
}

std::optional<std::string> find_schema(const std::vector<std::string>& dirs, const std::string& id, bool recursive,
                                       std::string* conflict) {
  for (const auto& dir : dirs) {
    std::optional<FoundFile> found;
    for (const auto& file : files_with_extension(dir, ".json", recursive)) {
      if (found && file.depth > found->depth) break;
      if (schema_id_of_file(file.path) != id) continue;
      if (!found) {
        found = file;
        if (!conflict) break;
      } else {
        *conflict = file.path;
        break;
      }
    }
    if (found) return found->path;
  }
  return std::nullopt;
}

std::vector<std::string> schema_ids(const std::vector<std::string>& dirs, bool recursive) {
  std::set<std::string> ids;
  for (const auto& dir : dirs)
    for (const auto& file : files_with_extension(dir, ".json", recursive))
      if (auto id = schema_id_of_file(file.path); !id.empty()) ids.insert(std::move(id));
  return {ids.begin(), ids.end()};
}

std::vector<std::string> non_json_files(const std::vector<std::string>& dirs, bool recursive, std::size_t limit) {
  std::vector<std::string> out;
  for (const auto& dir : dirs)
    for (const auto& file : files_with_extension(dir, ".json", recursive)) {
      if (out.size() >= limit) return out;
      if (schema_id_of_file(file.path).empty() && !file_is_json(file.path) &&
          std::find(out.begin(), out.end(), file.path) == out.end())
        out.push_back(file.path);
    }
  return out;
}

std::vector<std::string> split_path_list(const char* value) {
  std::vector<std::string> out;
  if (!value) return out;
  std::string cur;
  for (const char* p = value;; ++p) {
    if (*p == ':' || *p == '\0') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (*p == '\0') break;
    } else {
      cur.push_back(*p);
    }
  }
  return out;
}

}  // namespace verdict::engine
