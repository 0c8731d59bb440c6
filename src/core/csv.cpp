#include "core/csv.hpp"

namespace fabrique::csv {

namespace {

// Whether a spreadsheet would read `text` as a formula: = + - @, or the
// full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20) some read the same way.
bool starts_formula(std::string_view text) {
  if (text.empty()) return false;
  if (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@') return true;
  for (std::string_view wide : {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"})
    if (text.starts_with(wide)) return true;
  return false;
}

// Where a spreadsheet may start a new cell inside ours.
bool splits(char c) { return c == ';' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string text_cell(std::string_view value) {
  std::string cell;
  cell.reserve(value.size() + 2);
  bool cell_start = true;  // at the start of a cell, ours or one a spreadsheet may split off
  if (!value.empty() && (value[0] == '\t' || value[0] == '\r')) {
    cell += '\'';
    cell_start = false;
  }
  std::size_t i = 0;
  while (i < value.size()) {
    if (cell_start) {
      cell_start = false;
      std::size_t first = i;  // the first character after spaces and quotes
      while (first < value.size() && (value[first] == ' ' || value[first] == '"')) ++first;
      if (starts_formula(value.substr(first))) {
        cell.append(value.substr(i, first - i));
        cell += '\'';
        i = first;
      }
      continue;
    }
    const char c = value[i++];
    cell += c;
    if (splits(c)) cell_start = true;
  }
  if (cell.find_first_of(",;\"\t\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace fabrique::csv
