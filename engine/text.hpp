// Small text helpers shared by diagnostics: edit distance for "did you mean".
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace verdict {

/// Edit distance in bytes (optimal string alignment): an insertion, a
/// deletion, a change or a swap of two neighbouring letters each count one.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `word` when it is close enough to be a likely typo.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);
/// Reads a whole file; throws std::runtime_error with the reason when it cannot.
std::string read_file(const std::string& path, std::size_t max_bytes = std::size_t(-1));
/// Byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t find_invalid_utf8(std::string_view text);
/// The offset of the first carriage return that no line feed follows (a
/// line end of old Mac files, which neither YAML here nor the rule language
/// reads as one), or npos.
std::size_t find_lone_carriage_return(std::string_view text);
/// What to say about such a carriage return.
inline constexpr const char* lone_carriage_return_message =
    "a carriage return (CR) with no line feed after it: lines end in LF or CR LF, not in CR alone (save the file "
    "with Unix or Windows line ends)";
/// Columns `text` takes as a diagnostic shows it: one per character (UTF-8
/// code point), and one per byte that is not valid UTF-8 (shown as '?').
std::size_t utf8_columns(std::string_view text);
/// Columns `text` takes on a terminal: as utf8_columns, but a combining
/// mark takes none and an East Asian wide character (中, 한, ｶ) two. For
/// drawing a caret under a character; the column a diagnostic names is
/// utf8_columns'.
std::size_t display_width(std::string_view text);
/// `text` safe to print on a terminal: control characters other than line
/// breaks and tabs (an escape sequence read from evidence), C1 controls
/// (U+0080 to U+009F) and bytes that are not UTF-8 become '?'.
std::string terminal_text(std::string_view text);
/// terminal_text for what must stay on one line (a file name, an id): line
/// breaks and tabs become '?' too.
std::string terminal_line(std::string_view text);
/// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace verdict
