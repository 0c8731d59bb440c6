#include "budgets/export.hpp"

#include <boost/json.hpp>

namespace fabrique::budgets {

namespace {

// One CSV cell (RFC 4180), defused for spreadsheets: project titles are
// typed by residents.
std::string csv_cell(const std::string& value) {
  std::string cell = value;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r'))
    cell.insert(cell.begin(), '\'');
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "pb") return ExportFormat::Pb;
  if (name == "csv") return ExportFormat::Csv;
  if (name == "json") return ExportFormat::Json;
  return std::nullopt;
}

std::string results_csv(const Unit& unit, const UnitResult& result) {
  std::string out = "id,title,district,cost,votes,points,selected,round\r\n";
  for (const ProjectResult& p : result.projects) {
    out += csv_cell(p.id) + ',' + csv_cell(p.title) + ',' + csv_cell(unit.slug) + ',' +
           std::to_string(p.cost) + ',' + std::to_string(p.votes) + ',' +
           (p.points ? std::to_string(*p.points) : std::string()) + ',' + (p.selected ? "1" : "0") +
           ',' + std::to_string(p.round) + "\r\n";
  }
  return out;
}

Export export_unit(const Process& process, const Unit& unit, const StoredResult& stored,
                   ExportFormat format) {
  Export out;
  const std::string base = process.slug + "-" + unit.slug;
  switch (format) {
    case ExportFormat::Pb:
      out.content_type = "text/plain; charset=utf-8";
      out.file_name = base + ".pb";
      out.body = stored.pabulib;
      break;
    case ExportFormat::Csv:
      out.content_type = "text/csv; charset=utf-8";
      out.file_name = base + ".csv";
      out.body = results_csv(unit, stored.result);
      break;
    case ExportFormat::Json: {
      boost::json::object value = to_json(stored.result).as_object();
      value["process"] = process.slug;
      value["counted_at"] = stored.counted_at;
      out.content_type = "application/json";
      out.file_name = base + ".json";
      out.body = boost::json::serialize(value) + "\n";
      break;
    }
  }
  return out;
}

}  // namespace fabrique::budgets
