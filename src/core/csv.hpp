// CSV, both ways. Reading: one lexer of RFC 4180 records for every file
// people send (the census, paper ballots): quoted fields with "" for a quote
// and line breaks inside, CRLF, LF or CR line ends, the separator chosen by
// the caller. Writing: every CSV the platform
// exports goes through csv_text_cell for its text cells (titles, names,
// descriptions: typed by residents), so that no spreadsheet runs a cell as a
// formula ("CSV injection"). Numbers are written as numbers (a negative
// amount stays -120), never through it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang.hpp"

namespace fabrique::csv {

// One text cell, RFC 4180 quoted when needed, defused for spreadsheets:
//   - a cell starting with a tab or a carriage return, or whose first
//     character after spaces and double quotes is = + - @ (or their
//     full-width forms), gets an apostrophe before that character, which
//     spreadsheets read as "this is text" (OWASP's advice);
//   - the same after a semicolon, a tab or a line break inside the cell:
//     a spreadsheet set up for semicolons (Excel in French, among others)
//     splits the line there and ignores the quotes, so what follows would
//     start a cell of its own;
//   - quoted when it holds a comma, a semicolon, a double quote, a tab or a
//     line break.
// The text otherwise comes out unchanged.
std::string text_cell(std::string_view value);

// ---------------------------------------------------------------------------
// Reading.

// `text` without its UTF-8 byte order mark, if it starts with one.
std::string_view without_bom(std::string_view text);
// The separator of the first non-blank line: the more frequent of ';' and
// ',' outside quotes (',' when neither appears, or as many of each).
char guess_separator(std::string_view text);
// The line (from 1) the byte at `offset` is on; CRLF, LF and CR each end one.
std::size_t line_of(std::string_view text, std::size_t offset);

struct Record {
  std::vector<std::string> fields;  // as written, quotes removed, never trimmed
  std::size_t line = 0;             // where the record starts (a quoted field may span lines)
  // What is wrong with its quoting, in a sentence naming no value: a quote
  // never closed (the record then ends the text), or a character after a
  // closing quote (the rest of that physical line is skipped).
  std::optional<Text> error;
  // True when every field is empty once trimmed of white space.
  bool blank() const;
};

// Reads `text` record by record, blank records included. Spaces and tabs
// around a quoted field are ignored; an unquoted field is kept as written.
// `text` must outlive the reader.
class Reader {
 public:
  Reader(std::string_view text, char separator) : text_(text), separator_(separator) {}
  // The next record; false at the end of the text.
  bool next(Record& record);

 private:
  bool at_line_end(std::size_t i) const;
  void end_line();

  std::string_view text_;
  char separator_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace fabrique::csv
