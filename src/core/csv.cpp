#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.hpp"

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

// ---------------------------------------------------------------------------
// Reading.

std::string_view without_bom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

char guess_separator(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find_first_of("\r\n", at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    if (!trim(line).empty()) {
      std::size_t commas = 0, semicolons = 0;
      bool quoted = false;
      for (char c : line) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == ',') ++commas;
        if (c == ';') ++semicolons;
      }
      return semicolons > commas ? ';' : ',';
    }
    at = end + 1;
  }
  return ',';
}

std::size_t line_of(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) ++line;
  }
  return line;
}

bool Record::blank() const {
  return std::all_of(fields.begin(), fields.end(),
                     [](const std::string& f) { return trim(f).empty(); });
}

bool Reader::at_line_end(std::size_t i) const {
  return i >= text_.size() || text_[i] == '\n' || text_[i] == '\r';
}

// Past the line break at pos_ (CRLF, LF or CR), if any.
void Reader::end_line() {
  const std::size_t n = text_.size();
  if (pos_ < n && text_[pos_] == '\r') {
    ++pos_;
    if (pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
  } else if (pos_ < n && text_[pos_] == '\n') {
    ++pos_;
    ++line_;
  }
}

bool Reader::next(Record& record) {
  const std::size_t n = text_.size();
  record.fields.clear();
  record.error.reset();
  if (pos_ >= n) return false;
  record.line = line_;
  for (;;) {
    std::string field;
    std::size_t start = pos_;
    while (start < n && (text_[start] == ' ' || text_[start] == '\t')) ++start;
    if (start < n && text_[start] == '"') {
      const std::size_t opened = line_;
      pos_ = start + 1;
      bool closed = false;
      while (pos_ < n) {
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n' || (c == '\r' && (pos_ + 1 >= n || text_[pos_ + 1] != '\n'))) ++line_;
        field += c;
        ++pos_;
      }
      if (!closed) {
        record.error = Text{
            fmt::format("A quoted field opened on line {} is never closed.", opened),
            fmt::format("Un champ entre guillemets ouvert ligne {} n'est jamais fermé.", opened)};
        record.fields.push_back(std::move(field));
        return true;
      }
      while (pos_ < n && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
      if (!at_line_end(pos_) && text_[pos_] != separator_) {
        record.error = Text{
            "Unexpected character after a closing quote (a quote inside a quoted field is "
            "written \"\").",
            "Caractère inattendu après un guillemet fermant (un guillemet dans un champ entre "
            "guillemets s'écrit \"\")."};
        record.fields.push_back(std::move(field));
        while (!at_line_end(pos_)) ++pos_;
        end_line();
        return true;
      }
    } else {
      while (!at_line_end(pos_) && text_[pos_] != separator_) field += text_[pos_++];
    }
    record.fields.push_back(std::move(field));
    if (pos_ < n && text_[pos_] == separator_) {
      ++pos_;
      continue;
    }
    end_line();
    return true;
  }
}

}  // namespace fabrique::csv
