// Writing CSV that people open in spreadsheets: every CSV the platform
// exports goes through csv_text_cell for its text cells (titles, names,
// descriptions: typed by residents), so that no spreadsheet runs a cell as a
// formula ("CSV injection"). Numbers are written as numbers (a negative
// amount stays -120), never through it.
#pragma once

#include <string>
#include <string_view>

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

}  // namespace fabrique::csv
