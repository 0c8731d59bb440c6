// The exports of a counted budget, the same on the web and on the command
// line: the anonymised ballots as .pb (the very text that was counted), the
// results per project as CSV, and the result as JSON (with the .pb's SHA-256).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "budgets/model.hpp"
#include "budgets/results_repository.hpp"

namespace fabrique::budgets {

enum class ExportFormat { Pb, Csv, Json };
std::optional<ExportFormat> parse_export_format(std::string_view name);  // "pb", "csv", "json"

struct Export {
  std::string content_type;  // with its charset
  std::string file_name;     // "slug-district.pb"
  std::string body;
};

// The SHA-256 (hex) of the unit's .pb, the very bytes the export serves:
// shown beside the file, in the API and the JSON export, and recorded in the
// audit log at publication, so that two recounters can tell they hold the
// same file and anyone can notice a file changed after publication.
std::string pabulib_sha256(const StoredResult& stored);

Export export_unit(const Process& process, const Unit& unit, const StoredResult& stored,
                   ExportFormat format);

// The CSV: id,title,district,cost,votes,points,selected,round, one row per
// project of the unit. Its text cells go through csv::text_cell (no cell a
// spreadsheet would run as a formula); the .pb is never defused: it is data
// for pabutools, and a title must come back as it was typed
// (docs/budgets.md, "Open data and recounting").
std::string results_csv(const Unit& unit, const UnitResult& result);

}  // namespace fabrique::budgets
