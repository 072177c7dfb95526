#include "engine/catalogue.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

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

std::optional<CatalogueEntry> read_ruleset_header(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  static const std::regex head(R"re(^\s*ruleset\s+"([^"]*)"\s+version\s+"([^"]*)")re");
  static const std::regex title(R"re(^\s*title\s+"([^"]*)")re");
  static const std::regex extends(R"re(^\s*extends\s+"([^"]*)")re");
  static const std::regex body(R"re(^\s*(param|let|group|indicator|outcome|override|remove|extend)\b)re");
  CatalogueEntry e;
  e.path = path;
  bool found = false;
  std::string line;
  for (int n = 0; n < 200 && std::getline(in, line); ++n) {
    std::smatch m;
    if (!found && std::regex_search(line, m, head)) { e.name = m[1]; e.version = m[2]; found = true; continue; }
    if (!found) continue;
    if (std::regex_search(line, m, title)) e.title = m[1];
    else if (std::regex_search(line, m, extends)) e.extends = m[1];
    else if (std::regex_search(line, m, body)) break;
  }
  if (!found) return std::nullopt;
  return e;
}

namespace {
std::vector<std::string> files_with_extension(const std::string& dir, const std::string& ext, bool recursive = true) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  if (!recursive) {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec) && it->path().extension() == ext) out.push_back(it->path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it.depth() > 8) { it.disable_recursion_pending(); continue; }
    if (it->is_regular_file(ec) && it->path().extension() == ext) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

std::vector<CatalogueEntry> scan_catalogue(const std::vector<std::string>& dirs) {
  std::vector<CatalogueEntry> out;
  std::set<std::string> seen;
  for (const auto& dir : dirs)
    for (const auto& file : files_with_extension(dir, ".rules"))
      if (auto e = read_ruleset_header(file))
        if (seen.insert(e->name + "@" + e->version).second) out.push_back(*e);
  return out;
}

std::optional<CatalogueEntry> find_ruleset(const std::vector<CatalogueEntry>& entries, const std::string& ref) {
  auto at = ref.find('@');
  std::string name = ref.substr(0, at);
  std::optional<CatalogueEntry> best;
  for (const auto& e : entries) {
    if (e.name != name) continue;
    if (at != std::string::npos) {
      if (e.version == ref.substr(at + 1)) return e;
    } else if (!best || compare_versions(e.version, best->version) > 0) {
      best = e;
    }
  }
  return best;
}

std::optional<std::string> find_schema(const std::vector<std::string>& dirs, const std::string& id, bool recursive) {
  for (const auto& dir : dirs)
    for (const auto& file : files_with_extension(dir, ".json", recursive))
      if (schema_id_of_file(file) == id) return file;
  return std::nullopt;
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
