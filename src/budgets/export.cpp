#include "budgets/export.hpp"

#include <boost/json.hpp>

#include "core/crypto.hpp"
#include "core/csv.hpp"

namespace fabrique::budgets {

std::string pabulib_sha256(const StoredResult& stored) {
  return crypto::sha256_hex(stored.pabulib);
}

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "pb") return ExportFormat::Pb;
  if (name == "csv") return ExportFormat::Csv;
  if (name == "json") return ExportFormat::Json;
  return std::nullopt;
}

std::string results_csv(const Unit& unit, const UnitResult& result) {
  std::string out = "id,title,district,cost,votes,points,selected,round\r\n";
  for (const ProjectResult& p : result.projects) {
    // Text cells defused (titles are typed by residents); numbers as numbers.
    out += csv::text_cell(p.id) + ',' + csv::text_cell(p.title) + ',' + csv::text_cell(unit.slug) +
           ',' + std::to_string(p.cost) + ',' + std::to_string(p.votes) + ',' +
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
      value["pabulib_sha256"] = pabulib_sha256(stored);
      out.content_type = "application/json";
      out.file_name = base + ".json";
      out.body = boost::json::serialize(value) + "\n";
      break;
    }
  }
  return out;
}

}  // namespace fabrique::budgets
