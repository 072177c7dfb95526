// `verdict template REF`: a blank, commented evidence file for the ruleset's
// schema. Required keys are written out with a placeholder to replace;
// optional keys are commented out, each with its description and allowed
// values, so that the filled-in file validates.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "engine/text.hpp"

namespace verdict::cli {

namespace {

using engine::SchemaNode;

// A text as YAML reads it back: plain when it can be, else in double quotes.
std::string yaml_text(const std::string& s) {
  const bool plain = !s.empty() && s.front() != ' ' && s.back() != ' ' &&
                     std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) == std::string_view::npos &&
                     s.find(": ") == std::string::npos && s.find(" #") == std::string::npos && !s.ends_with(":") &&
                     s.find_first_of("\n\r\t\\") == std::string::npos && s != "null" && s != "Null" && s != "NULL";
  if (plain) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

std::string placeholder(const SchemaNode& s) {
  if (s.const_value) return yaml_text(*s.const_value);
  if (!s.enum_values.empty()) return yaml_text(s.enum_values.front());
  if (s.format == "date") return "YYYY-MM-DD";
  if (s.format == "percent") return "0%";
  if (s.types & engine::t_boolean) return "false";
  if (s.types & (engine::t_integer | engine::t_number)) return "0";
  if (s.types & engine::t_array) return "[]";
  if (s.types & engine::t_object) return "{}";
  return "\"\"";
}

// One comment line: a line break would end the comment.
std::string one_comment_line(std::string d) {
  std::replace(d.begin(), d.end(), '\n', ' ');
  std::replace(d.begin(), d.end(), '\r', ' ');
  return d;
}

// Whether `word` stands in `text` as a word of its own (`self` in "self:
// self-assessment", not in "itself").
bool names_word(std::string_view text, std::string_view word) {
  auto part_of_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const std::size_t end = at + word.size();
    if ((at == 0 || !part_of_word(text[at - 1])) && (end == text.size() || !part_of_word(text[end]))) return true;
  }
  return false;
}

std::string describe(const SchemaNode& s) {
  std::string d = s.description.empty() ? s.title : s.description;
  // The allowed values, unless the description already names every one.
  const bool all_named = !s.enum_values.empty() && std::all_of(s.enum_values.begin(), s.enum_values.end(),
                                                               [&](const std::string& v) { return names_word(d, v); });
  if (!s.enum_values.empty() && !all_named)
    d += fmt::format("{}One of: {}.", d.empty() ? "" : " ", join(s.enum_values, ", "));
  if (s.format == "date") d += d.empty() ? "A date, YYYY-MM-DD." : " (YYYY-MM-DD)";
  if (s.types & engine::t_null) d += d.empty() ? "May be null." : " May be null.";
  return one_comment_line(d);
}

// One line of the template: a key (with its value or nothing after the
// colon), or a description. `off` lines are commented out; a description
// in an `off` block is commented twice, so that uncommenting the block (an
// editor's toggle-comment removes one '#' from each line) leaves it a comment.
struct TemplateLine {
  int indent = 0;
  bool description = false;
  bool off = false;
  std::string text;
};

// A $ref makes the schema a graph: a definition may hold itself (a tree of
// nodes), or be reached by many paths. The template writes each object once
// on its path (one already being written above is a placeholder that says
// so), and at most kMaxTemplateLines lines: objects past that are
// placeholders too, so the template stays small whatever the schema.
constexpr std::size_t kMaxTemplateLines = 10'000;

struct Emitter {
  std::vector<TemplateLine>& out;
  std::size_t& lines;  // written so far, in this template
  // The objects being written, from the root, each with its path ("" for
  // the top level, "participants[]" for an entry of a list).
  std::vector<std::pair<const SchemaNode*, std::string>> path;

  void push(TemplateLine line) {
    out.push_back(std::move(line));
    ++lines;
  }
  // Why `node` is not written out below its key, or "".
  std::string not_expanded(const SchemaNode& node) const {
    for (const auto& [above, where] : path)
      if (above == &node)
        return fmt::format("(same shape as {}, not expanded again)", where.empty() ? "the top level" : where);
    if (lines >= kMaxTemplateLines) return "(not expanded: the template is long enough; see the schema)";
    return "";
  }
};

std::string child_path(const std::string& parent, const std::string& key) { return parent.empty() ? key : parent + "." + key; }

void emit(Emitter& e, const SchemaNode& node, const std::string& where, int indent, bool commented, int depth) {
  if (depth > 12) return;
  e.path.emplace_back(&node, where);
  for (const auto& [key, child] : node.properties) {
    bool required = std::find(node.required.begin(), node.required.end(), key) != node.required.end();
    bool off = commented || !required;
    auto d = describe(*child);
    bool is_object = (child->types & engine::t_object) && !child->properties.empty();
    bool is_list = (child->types & engine::t_array) && child->items;
    bool is_record_list = is_list && !child->items->properties.empty();
    // An object (or a list of them) already being written above, or past the
    // template's size: a placeholder, with why.
    const std::string skip = is_object ? e.not_expanded(*child) : is_record_list ? e.not_expanded(*child->items) : "";
    if (!skip.empty()) d += (d.empty() ? "" : " ") + skip;
    // A description belongs to its key's block: commented out with it, so
    // that uncommenting the key with its description leaves a comment.
    // A required key is marked so even when its schema describes it not at all.
    if (!d.empty() || required)
      e.push({indent, true, off, d.empty() ? std::string("(required)") : fmt::format("{}{}", required ? "(required) " : "", d)});
    if (!skip.empty()) {
      e.push({indent, false, off, fmt::format("{}: {}", yaml_text(key), placeholder(*child))});
    } else if (is_object) {
      e.push({indent, false, off, yaml_text(key) + ":"});
      emit(e, *child, child_path(where, key), indent + 2, off, depth + 1);
    } else if (is_record_list) {
      e.push({indent, false, off, yaml_text(key) + ":"});
      // One example entry, commented, to copy for each item: its first key
      // opens the entry with "- ".
      std::vector<TemplateLine> item;
      Emitter entry{item, e.lines, e.path};
      emit(entry, *child->items, child_path(where, key) + "[]", indent + 4, true, depth + 1);
      bool first = true;
      for (auto& line : item) {
        if (first && !line.description && line.indent == indent + 4) {
          line.indent = indent + 2;
          line.text = "- " + line.text;
          first = false;
        }
        e.out.push_back(std::move(line));
      }
    } else if (child->types == 0 && child->additional) {
      e.push({indent, false, off, yaml_text(key) + ": {}"});
    } else {
      e.push({indent, false, off, fmt::format("{}: {}", yaml_text(key), placeholder(*child))});
    }
  }
  e.path.pop_back();
}

// A commented line keeps its '#' in the block's first column, as editors
// comment a block out, so that the YAML under it lines up once uncommented.
std::string render_template(const std::vector<TemplateLine>& lines) {
  std::string out;
  // The column of the '#' of an `off` line: the leftmost key of the run of
  // `off` lines it is in, so far (that of the key that opened its block).
  std::optional<int> block;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const auto& l = lines[k];
    const std::string pad(static_cast<std::size_t>(l.indent), ' ');
    if (!l.off) {
      block.reset();
      out += pad + (l.description ? "# " : "") + l.text + "\n";
      continue;
    }
    // A run that opens with a description (the first key of a list's
    // entry, under a key that is not commented out) takes its column from
    // the key the description is of: `  # - id:` under `# # (required)`.
    if (l.description && !block) {
      std::size_t next = k + 1;
      while (next < lines.size() && lines[next].off && lines[next].description) ++next;
      if (next < lines.size() && lines[next].off) block = std::min(l.indent, lines[next].indent);
    }
    if (!l.description) block = std::min(block.value_or(l.indent), l.indent);
    const int at = std::min(block.value_or(l.indent), l.indent);
    const std::string lead(static_cast<std::size_t>(at), ' ');
    const std::string inner(static_cast<std::size_t>(l.indent - at), ' ');
    out += lead + "# " + inner + (l.description ? "# " : "") + l.text + "\n";
  }
  return out;
}

// A path as the user would type it: relative to the current folder when
// that is shorter, quoted when the shell would split it.
std::string shell_path(const std::string& path, bool ruleset_file = false) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string p = path;
  auto rel = fs::relative(fs::absolute(path, ec), fs::current_path(ec), ec);
  if (!ec && !rel.empty() && rel.string().size() < p.size()) p = rel.string();
  // A bare name after -r is read as NAME@VERSION from a catalogue, not as a file.
  if (ruleset_file && p.find('/') == std::string::npos) p = "./" + p;
  const bool plain = std::all_of(p.begin(), p.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./@+-").find(c) != std::string_view::npos;
  });
  if (plain) return p;
  // A line break (or another control character) would end the comment the
  // hint is written in: $'…' with escapes then.
  if (std::any_of(p.begin(), p.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    std::string q = "$'";
    for (char c : p) {
      if (c == '\'' || c == '\\') q += std::string("\\") + c;
      else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) q += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
      else q += c;
    }
    return q + "'";
  }
  std::string q = "'";
  for (char c : p) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The search a command run later, without this run's --rulesets and
// --schemas, would make (VERDICT_RULESETS and VERDICT_SCHEMAS stay).
SearchOptions without_flags(const SearchOptions& search) {
  SearchOptions bare = search;
  bare.ruleset_dirs.clear();
  bare.schema_dirs.clear();
  return bare;
}

// How the hint names the ruleset: NAME@VERSION when the catalogue finds this
// very file by it without this run's flags, else its path (a draft kept
// outside the catalogue).
std::string ruleset_hint(const LoadedRuleset& r, const SearchOptions& search) {
  const std::string ref = r.info.name + "@" + r.info.version;
  try {
    std::error_code ec;
    if (std::filesystem::equivalent(resolve_ruleset(ref, without_flags(search)), r.info.path, ec)) return ref;
  } catch (const UserError&) {
  }
  return shell_path(r.info.path, true);
}

// `--schemas DIR ` when validate would not find the schema by its $id
// without it (a schema kept beside a ruleset outside the project, or found
// by this run's --schemas).
std::string schemas_hint(const engine::Schema& schema, const SearchOptions& search) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = fs::absolute(schema.path(), ec).parent_path();
  for (const auto& dir : schema_dirs(without_flags(search)))
    if (fs::equivalent(dir, folder, ec)) return "";
  return fmt::format("--schemas {} ", shell_path(folder.string()));
}

}  // namespace

int run_template(const TemplateArgs& args, const SearchOptions& search, bool color) {
  LoadedRuleset r = load_ruleset(args.ruleset, search, color);
  const auto& schema = *r.schema;
  std::string schema_path = schema.path();
  std::error_code ec;
  // Written into a stream or a device (-o /dev/stdout, a FIFO), the
  // template is read from the current folder, as it is from stdout.
  const bool stream = !args.output.empty() && written_into(args.output);
  auto base = args.output.empty() || stream ? std::filesystem::current_path(ec)
                                            : std::filesystem::absolute(args.output, ec).parent_path();
  auto rel = std::filesystem::relative(std::filesystem::absolute(schema_path, ec), base, ec);
  if (!ec && !rel.empty()) schema_path = rel.string();
  // A control character (a line break) in the path would end the comment:
  // then the schema is given as a file URL, such bytes percent-encoded.
  if (std::any_of(schema_path.begin(), schema_path.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    std::string url = "file://";
    for (char c : std::filesystem::absolute(schema.path(), ec).string())
      url += static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '%' ? fmt::format("%{:02X}", static_cast<unsigned char>(c))
                                                                              : std::string(1, c);
    schema_path = url;
  }
  std::string out = fmt::format("# yaml-language-server: $schema={}\n", schema_path);
  out += fmt::format("# Evidence for {}@{}{}\n", r.info.name, r.info.version, r.info.title.empty() ? "" : ": " + one_comment_line(r.info.title));
  out += "# Fill in the required keys; uncomment and fill the others you can report.\n";
  out += "# A key left out is 'not reported': the indicators that need it are unknown.\n";
  out += fmt::format("# Check it with: verdict {}validate FILE; evaluate it with: verdict evaluate -r {} FILE\n\n",
                     schemas_hint(schema, search), ruleset_hint(r, search));
  std::vector<TemplateLine> lines;
  std::size_t written = 0;
  Emitter emitter{lines, written, {}};
  emit(emitter, schema.root(), "", 0, false, 0);
  out += render_template(lines);
  if (args.output.empty()) {
    fmt::print("{}", out);
  } else {
    // A filled-in evidence file is hours of work: never replaced by a blank
    // one unasked (a stream or a device is written into, not replaced).
    std::error_code exists_ec;
    if (!args.force && !stream && std::filesystem::exists(args.output, exists_ec))
      throw UserError(Exit::usage, fmt::format("{} already exists; it is kept (write the template elsewhere, or add --force to replace it)", args.output));
    refuse_output_over_input(args.output, ruleset_files(r));  // not even with --force
    write_file_atomically(args.output, out);
  }
  return Exit::ok;
}

}  // namespace verdict::cli
