#include "cli/workspace.hpp"

#include <charconv>
#include <optional>
#include <string_view>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <mutex>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "dsl/checker.hpp"
#include "dsl/load.hpp"
#include "engine/text.hpp"
#include "engine/yaml_tree.hpp"

namespace verdict::cli {

namespace fs = std::filesystem;

namespace {
std::vector<std::string> installed_and_in_tree(const char* sub) {
  std::vector<std::string> out;
  out.push_back(fmt::format("{}/{}", VERDICT_INSTALL_DATADIR, sub));
  out.push_back(fmt::format("{}/{}", VERDICT_SOURCE_DIR, sub));
  return out;
}
}  // namespace

std::vector<std::string> ruleset_dirs(const SearchOptions& opt) {
  std::vector<std::string> dirs = opt.ruleset_dirs;
  for (auto& d : engine::split_path_list(std::getenv("VERDICT_RULESETS"))) dirs.push_back(d);
  for (auto& d : installed_and_in_tree("rulesets")) dirs.push_back(d);
  return dirs;
}

std::vector<std::string> schema_dirs(const SearchOptions& opt, const std::string& near) {
  std::vector<std::string> dirs = opt.schema_dirs;
  if (!near.empty()) dirs.push_back(near);
  for (auto& d : engine::split_path_list(std::getenv("VERDICT_SCHEMAS"))) dirs.push_back(d);
  for (auto& d : installed_and_in_tree("schemas")) dirs.push_back(d);
  return dirs;
}

std::vector<Diagnostic> non_json_schema_notes(const std::vector<std::string>& dirs, bool recursive) {
  std::vector<Diagnostic> notes;
  for (const auto& file : engine::non_json_files(dirs, recursive)) {
    try {
      engine::Schema::load(file);
    } catch (const DiagnosticError& e) {
      if (e.diagnostics().items().empty()) continue;
      Diagnostic note = e.diagnostics().items().front();
      note.severity = Severity::note;
      note.notes.clear();
      constexpr std::string_view lead = "the schema is not valid JSON: ";
      std::string why = note.message.starts_with(lead) ? note.message.substr(lead.size()) : note.message;
      note.message = fmt::format("this file is not valid JSON, so its $id could not be read: {}", why);
      notes.push_back(std::move(note));
    } catch (const std::exception&) {
    }
  }
  return notes;
}

std::string default_ruleset_name(const SearchOptions& opt) {
  for (const auto& dir : ruleset_dirs(opt)) {
    std::ifstream in(dir + "/default");
    std::string name;
    if (in && std::getline(in, name)) {
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
      if (!name.empty()) return name;
    }
  }
  throw UserError(Exit::usage, "no ruleset given (-r REF) and no catalogue folder names a default ruleset");
}

std::string resolve_ruleset(const std::string& ref, const SearchOptions& opt) {
  std::error_code ec;
  if (ref.size() > 6 && ref.ends_with(".rules")) {
    if (!fs::exists(ref, ec)) {
      // A link that leads nowhere or round in a loop, or a folder that may
      // not be searched, is said as it is, not as a missing file.
      if (ec && ec != std::errc::no_such_file_or_directory)
        throw UserError(Exit::no_input, fmt::format("error: cannot read ruleset {}: {}", ref, ec.message()));
      throw UserError(Exit::no_input, fmt::format("{}: no such ruleset file", ref));
    }
    return ref;
  }
  if (ref.find('/') != std::string::npos && fs::is_regular_file(ref, ec)) return ref;
  auto dirs = ruleset_dirs(opt);
  auto entries = engine::scan_catalogue(dirs, opt.rule_limits.max_bytes);
  if (auto e = engine::find_ruleset(entries, ref)) {
    if (!e->conflict.empty()) throw UserError(Exit::data_error, "error: " + engine::ambiguous_ruleset_message(*e));
    return e->path;
  }
  std::vector<std::string> known;
  std::vector<std::string> names;
  for (const auto& e : entries)
    if (!e.name.empty()) {  // not a file too large to read its header
      known.push_back(e.name + "@" + e.version);
      names.push_back(e.name);
    }
  auto name = ref.substr(0, ref.find('@'));
  auto hint = did_you_mean(name, names);
  throw UserError(Exit::usage, fmt::format("no ruleset '{}' in the catalogue{}; known: {}", ref,
                                           hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                                           known.empty() ? "none" : join(known, ", ")));
}

std::optional<engine::Date> parse_as_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (auto d = engine::parse_date(text)) return d;
  if (engine::looks_like_date(text))
    throw UserError(Exit::usage, fmt::format("--as-of: '{}' is not a date in the calendar", text));
  throw UserError(Exit::usage, fmt::format("--as-of: '{}' is not a date (YYYY-MM-DD)", text));
}

std::string sha256_digest(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex = "sha256:";
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

namespace {
// The errors among `ds`, in the order render() shows them.
std::vector<Diagnostic> errors_of(const std::vector<Diagnostic>& ds) {
  std::vector<Diagnostic> out;
  for (const auto& d : ds)
    if (d.severity == Severity::error) out.push_back(d);
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file() != b.file()) return a.file() < b.file();
    return a.span.begin < b.span.begin;
  });
  return out;
}
}  // namespace

LoadedRuleset load_ruleset(const std::string& ref, const SearchOptions& opt, bool color) {
  std::string path = resolve_ruleset(ref, opt);
  std::string text;
  try {
    text = read_file(path, opt.rule_limits.max_bytes);
  } catch (const std::length_error&) {
    std::error_code ec;
    throw UserError(Exit::data_error, fmt::format("error[limit]: {}", dsl::too_large_message(path, fs::file_size(path, ec), opt.rule_limits)));
  } catch (const std::exception& e) {
    throw UserError(Exit::no_input, fmt::format("error: cannot read ruleset {}", e.what()));
  }
  auto source = std::make_shared<Source>(path, text);
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos)
  {
    Diagnostic d{Severity::error, "parse_error", "invalid UTF-8: a ruleset must be UTF-8 text", source,
                 {static_cast<std::uint32_t>(bad), static_cast<std::uint32_t>(bad) + 1}, {}};
    throw UserError(Exit::data_error, render(d, {color}), {d});
  }
  LoadedRuleset out;
  // Errors found in lowering (an unknown function, a duplicate) are reported
  // with the checker's, once the schema is known: all of them at once.
  Diagnostics lowering;
  try {
    Diagnostics warnings;
    // Bases named by `extends`: beside the ruleset first, then the catalogue.
    out.program = dsl::load_for_check(source, lowering, &warnings, dsl::folder_resolver(ruleset_dirs(opt), opt.rule_limits),
                                      opt.rule_limits);
    out.warnings = warnings.items();
  } catch (const DiagnosticError& e) {
    throw UserError(Exit::data_error, render(e.diagnostics(), {color}), errors_of(e.diagnostics().items()));
  }
  // Without a schema to check against, the lowering errors alone.
  auto lowering_first = [&](UserError e) -> UserError {
    if (!lowering.has_errors()) return e;
    return UserError(Exit::data_error, render(lowering, {color}), errors_of(lowering.items()));
  };
  out.info.name = out.program.name;
  out.info.version = out.program.version;
  out.info.title = out.program.title;
  out.info.path = path;
  // The digest covers everything the ruleset extends: each file's length and
  // text in chain order (the ruleset's own text alone when it extends nothing).
  if (out.program.sources.size() <= 1) {
    out.info.digest = sha256_digest(text);
  } else {
    std::string chain;
    for (const auto& s : out.program.sources) chain += fmt::format("{}:{}", s->text().size(), s->text());
    out.info.digest = sha256_digest(chain);
  }

  // The schema: a .json path beside the ruleset, or an $id searched for.
  const std::string& id = out.program.schema;
  // Problems finding the schema point at the `schema` clause (or, when there
  // is none, at the ruleset's first line).
  auto at_schema = [&](const std::string& message, std::vector<Diagnostic> notes = {}) {
    const auto& src = out.program.schema.empty() ? out.program.text : out.program.source_of(out.program.schema_span);
    Span span = out.program.schema_span;
    if (out.program.schema.empty()) {  // the `ruleset` keyword that opens the header
      const auto at = out.program.text ? out.program.text->text().find("ruleset") : std::string::npos;
      span = at == std::string::npos ? Span{0, 1, 0} : Span{static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + 7), 0};
    }
    Diagnostic d{Severity::error, "check_error", message, src ? src : out.program.text, span, std::move(notes)};
    return UserError(Exit::data_error, render(d, {color}), {d});
  };
  if (id.empty())
    throw lowering_first(at_schema("the ruleset names no schema: add a header clause schema \"ID\" (the $id "
                                   "of its evidence schema) or schema \"FILE.json\""));
  std::string schema_path;
  // An inherited `schema` clause is read beside the file that wrote it (the
  // base, whose schema sits beside it), as the ruleset's own clause is read
  // beside the ruleset: a draft in a folder of its own extends it unchanged.
  fs::path declared_in = fs::path(path).parent_path();
  if (const auto& src = out.program.source_of(out.program.schema_span); src && src != out.program.text)
    declared_in = fs::path(src->name()).parent_path();
  if (id.ends_with(".json")) {
    schema_path = (declared_in / id).string();
  } else {
    // The ruleset's own folder: "." for a bare file name (`check mini.rules`),
    // then that of the base that names the schema, when it is inherited.
    const fs::path folder = fs::path(path).parent_path();
    auto dirs = schema_dirs(opt, folder.empty() ? std::string(".") : folder.string());
    if (declared_in != folder) {
      const std::string base_folder = declared_in.empty() ? std::string(".") : declared_in.string();
      auto own = std::find(dirs.begin(), dirs.end(), folder.empty() ? std::string(".") : folder.string());
      if (std::find(dirs.begin(), dirs.end(), base_folder) == dirs.end())
        dirs.insert(own == dirs.end() ? dirs.end() : own + 1, base_folder);
    }
    std::string conflict;
    auto found = engine::find_schema(dirs, id, true, &conflict);
    if (found && !conflict.empty())
      throw lowering_first(at_schema(engine::ambiguous_schema_message(id, *found, conflict)));
    if (!found) {
      // A misspelt id (as validate says it): the nearest known one, and all of them.
      const auto known = engine::schema_ids(dirs);
      const auto hint = did_you_mean(id, known);
      throw lowering_first(at_schema(fmt::format("no schema with $id \"{}\" found in {}{}{}", id, join(dirs, ", "),
                                                 hint.empty() ? "" : fmt::format("; did you mean \"{}\"?", hint),
                                                 known.empty() ? "" : fmt::format(" (the schemas known are {})", join(known, ", "))),
                                     non_json_schema_notes(dirs)));
    }
    schema_path = *found;
  }
  try {
    out.schema = engine::Schema::load(schema_path);
  } catch (const DiagnosticError& e) {
    throw lowering_first(UserError(Exit::data_error, render(e.diagnostics(), {color}), errors_of(e.diagnostics().items())));
  } catch (const std::length_error& e) {  // read, but over the size limit: invalid input (65), as a ruleset is
    UserError too_large = at_schema(fmt::format("cannot read schema {}", e.what()));
    too_large.code = Exit::data_error;
    throw lowering_first(std::move(too_large));
  } catch (const std::exception& e) {
    UserError unreadable = at_schema(fmt::format("cannot read schema {}", e.what()));
    unreadable.code = Exit::no_input;
    throw lowering_first(std::move(unreadable));
  }
  // Every construct against the schema, before any evidence is seen.
  Diagnostics checked;
  dsl::check_program(out.program, *out.schema, checked);
  dsl::suggest_as_of(lowering, *out.schema);
  dsl::suggest_as_of(out.warnings, *out.schema);
  if (lowering.has_errors() || checked.has_errors()) {
    Diagnostics all;
    all.append(lowering);  // its errors and warnings (none when it lowered cleanly)
    for (const auto& w : out.warnings) all.add(w);
    all.append(checked);
    throw UserError(Exit::data_error, render(all, {color}), errors_of(all.items()));
  }
  for (const auto& w : checked.items()) out.warnings.push_back(w);  // the checker's warnings
  return out;
}

void refuse_output_over_input(const std::string& output, const std::vector<std::string>& inputs) {
  if (output.empty()) return;
  std::error_code ec;
  if (!fs::exists(output, ec)) return;
  for (const auto& in : inputs)
    if (fs::equivalent(output, in, ec))
      throw UserError(Exit::usage, fmt::format("-o {}: that is {}, an input of this run; write the report to another file",
                                               output, in));
}

std::vector<std::string> ruleset_files(const LoadedRuleset& ruleset) {
  std::vector<std::string> out;
  for (const auto& source : ruleset.program.sources)
    if (source) out.push_back(source->name());
  if (ruleset.program.sources.empty() && ruleset.program.text) out.push_back(ruleset.program.text->name());
  if (ruleset.schema) out.push_back(ruleset.schema->path());
  return out;
}

namespace {
// The descriptor a name of the process's own streams stands for:
// /dev/stdout, /dev/stderr, /dev/stdin, /dev/fd/N, /proc/self/fd/N.
std::optional<int> own_descriptor(std::string_view path) {
  if (path == "/dev/stdin") return 0;
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"})
    if (path.starts_with(prefix) && path.size() > prefix.size()) {
      int fd = 0;
      const auto [end, ec] = std::from_chars(path.data() + prefix.size(), path.data() + path.size(), fd);
      if (ec == std::errc() && end == path.data() + path.size()) return fd;
    }
  return std::nullopt;
}
}  // namespace

bool written_into(const std::string& path) {
  if (const auto own = own_descriptor(path); own && ::fcntl(*own, F_GETFD) != -1) return true;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), target_(path_) {
  std::error_code ec;
  if (fs::is_directory(path_, ec))
    throw UserError(Exit::usage, fmt::format("cannot write {}: it is a folder; give a file name", path_));
  // What is written into (written_into) is not replaced, as a shell
  // redirection would not replace it: one of the process's own streams by
  // name (-o /dev/stdout) through the descriptor it has (opening the name
  // again would truncate a file stdout appends to, >> log); a FIFO, a
  // socket or a device (/dev/null), or a link to one, opened for writing. A
  // write error (/dev/full) is reported as for any file.
  if (written_into(path_)) {
    const auto own = own_descriptor(path_);
    fd_ = own && ::fcntl(*own, F_GETFD) != -1 ? ::dup(*own) : ::open(path_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) throw UserError(Exit::no_input, fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
    return;  // no temporary file: temp_ stays empty
  }
  // A link is followed, so that it keeps pointing at the file written.
  int hops = 0;
  for (; hops < 40 && fs::is_symlink(fs::symlink_status(target_, ec)); ++hops) {
    const fs::path link(target_), to = fs::read_symlink(link, ec);
    if (ec) break;
    target_ = (to.is_absolute() ? to : link.parent_path() / to).string();
  }
  if (hops == 40 && fs::is_symlink(fs::symlink_status(target_, ec)))
    throw UserError(Exit::no_input, fmt::format("cannot write {}: too many levels of symbolic links (a loop?)", path_));
  // A file the user may not write is not replaced behind its back (the
  // rename below needs only the folder's permission): one without a write
  // bit is refused even for root, who may write anything.
  struct stat st {};
  const bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && (st.st_mode & 0222) == 0)
    throw UserError(Exit::no_input, fmt::format("cannot write {}: it is read-only (mode {:04o}); make it writable to "
                                                "have it replaced", path_, st.st_mode & 07777));
  if (exists && ::access(target_.c_str(), W_OK) != 0)
    throw UserError(Exit::no_input, fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
  fs::path target(target_);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  fd_ = ::mkstemp(buf.data());
  if (fd_ < 0) throw UserError(Exit::no_input, fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
  temp_ = buf.data();
  // mkstemp makes the file private (0600) and the user's: keep the owner,
  // group and mode of the file being replaced (the owner where allowed:
  // root may give it any; others keep theirs), or give a new file the usual
  // mode under the umask. The owner first: chown may clear set-id bits.
  if (exists) {
    (void)!::fchown(fd_, st.st_uid, st.st_gid);
    ::fchmod(fd_, st.st_mode & 07777);
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::fail() {
  const int err = errno;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  throw UserError(Exit::no_input, fmt::format("cannot write {}: {}", path_, std::strerror(err)));
}

void AtomicFile::write(std::string_view part) {
  if (fd_ < 0) throw UserError(Exit::internal, fmt::format("cannot write {}: already closed", path_));
  std::size_t done = 0;
  while (done < part.size()) {
    auto n = ::write(fd_, part.data() + done, part.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail();
    done += static_cast<std::size_t>(n);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw UserError(Exit::internal, fmt::format("cannot write {}: already closed", path_));
  if (!temp_.empty() && ::fsync(fd_) != 0 && errno != EINVAL) fail();
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail();
  }
  fd_ = -1;
  if (temp_.empty()) return;  // written into a FIFO or a device
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) fail();
  temp_.clear();
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

namespace {
// The special files (FIFOs, sockets, devices) met while listing folders.
struct SpecialFiles {
  std::mutex lock;
  std::set<std::string> paths;
};
SpecialFiles& special_files() {
  static SpecialFiles s;
  return s;
}
}  // namespace

std::string read_evidence_file(const std::string& path, std::size_t max_bytes) {
  {
    auto& s = special_files();
    std::lock_guard<std::mutex> hold(s.lock);
    if (s.paths.count(path))
      throw std::runtime_error(fmt::format("{}: not a regular file (a FIFO, socket or device in a folder is not opened; "
                                           "name it on the command line to read it)",
                                           path));
  }
  return read_file(path, max_bytes);
}

std::vector<std::string> expand_evidence_paths(const std::vector<std::string>& args) {
  // A folder that cannot be listed is kept in the list as it is: reading it
  // then reports it (permission denied), as for a file that cannot be read.
  auto unlistable = [](const fs::path& p) {
    std::error_code e;
    fs::directory_iterator probe(p, e);
    return static_cast<bool>(e);
  };
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      if (unlistable(a)) {
        out.push_back(a);
        continue;
      }
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(a, ec), end; !ec && it != end; it.increment(ec)) {
        // Hidden entries (.git, an editor's .#file.yaml) are not evidence.
        if (it->path().filename().string().starts_with(".")) {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        if (it->is_directory(ec)) {
          if (unlistable(it->path())) {
            found.push_back(it->path().string());
            it.disable_recursion_pending();
          }
          continue;
        }
        // .yaml or .yml in any case (a camera or Windows tool writes .YAML); not ruleset test files
        std::string name = it->path().filename().string();
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        // Not only regular files: one that cannot be read (a dangling link,
        // a FIFO) is listed too, so that it is reported, not lost.
        std::error_code kind;
        if (!it->is_directory(kind) && (name.ends_with(".yaml") || name.ends_with(".yml")) && !name.ends_with(".test.yaml")) {
          found.push_back(it->path().string());
          const auto type = it->status(kind).type();  // through a link
          if (type == fs::file_type::fifo || type == fs::file_type::socket || type == fs::file_type::block ||
              type == fs::file_type::character) {
            auto& s = special_files();
            std::lock_guard<std::mutex> hold(s.lock);
            s.paths.insert(found.back());
          }
        }
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

}  // namespace verdict::cli
