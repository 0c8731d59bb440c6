// The exports of a counted budget, the same on the web and on the command
// line: the anonymised ballots as .pb (the very text that was counted), the
// results per project as CSV, and the result as JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "budgets/model.hpp"
#include "budgets/results_store.hpp"

namespace fabrique::budgets {

enum class ExportFormat { Pb, Csv, Json };
std::optional<ExportFormat> parse_export_format(std::string_view name);  // "pb", "csv", "json"

struct Export {
  std::string content_type;  // with its charset
  std::string file_name;     // "slug-district.pb"
  std::string body;
};

Export export_unit(const Process& process, const Unit& unit, const StoredResult& stored,
                   ExportFormat format);

// The CSV: id,title,district,cost,votes,points,selected,round, one row per
// project of the unit. Cells a spreadsheet would run as a formula (=, +, -,
// @) are written with a leading apostrophe.
std::string results_csv(const Unit& unit, const UnitResult& result);

}  // namespace fabrique::budgets
