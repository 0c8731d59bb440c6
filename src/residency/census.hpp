// The census file reader: a clerk's CSV of the residents, read record by
// record (the lexer is core/csv.hpp), each record normalized by rules.hpp.
// No storage, no clock, no secret.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.hpp"
#include "residency/model.hpp"

namespace fabrique::residency {

// Census files: UTF-8 CSV, optional BOM, comma or semicolon separated (the
// header line decides), "quoted" fields with "" for a quote, CRLF or LF line
// ends. The header names document_number, birth_date, postal_code and
// district, case-insensitive, in any order; other columns are ignored.
// Blank lines (also lines of empty fields only) are skipped.

inline constexpr std::string_view kCensusColumns[] = {"document_number", "birth_date",
                                                      "postal_code", "district"};

// District slug → id.
using DistrictIndex = std::map<std::string, std::int64_t, std::less<>>;

// One data line: the normalized row, or why it is bad.
struct CensusRecord {
  std::size_t line = 0;  // where the record starts (a quoted field may span lines)
  Identity identity;
  std::int64_t district_id = 0;
  std::optional<Text> error;
};

// Reads a census file record by record, without keeping any. Duplicates
// are not its business (check_census finds them). `text` and `districts`
// must outlive the reader.
class CensusReader {
 public:
  CensusReader(std::string_view text, const DistrictIndex& districts,
               std::chrono::year_month_day today);

  // Why the whole file is refused (not UTF-8, empty, a column missing...):
  // next() then reads nothing.
  const std::optional<RowError>& refusal() const { return refusal_; }
  char separator() const { return separator_; }
  // The next data record; false at the end.
  bool next(CensusRecord& record);

 private:
  bool next_fields();

  std::string_view text_;
  const DistrictIndex& districts_;
  std::chrono::year_month_day today_;
  std::optional<RowError> refusal_;
  char separator_ = ',';
  csv::Reader csv_;
  std::size_t width_ = 0;                  // fields per record, as in the header
  std::size_t columns_[4] = {0, 0, 0, 0};  // positions of kCensusColumns
  csv::Record record_;                     // the record being read
};

// The whole file checked: every bad line, duplicates of a document number
// included ("duplicates line M").
struct CensusCheck {
  std::optional<RowError> refusal;
  std::size_t records = 0;
  std::vector<bool> bad;         // by record, in file order
  std::vector<RowError> errors;  // the first `max_errors` bad lines, in file order
  std::size_t error_count = 0;   // every bad line
};
CensusCheck check_census(std::string_view text, const DistrictIndex& districts,
                         std::chrono::year_month_day today,
                         std::size_t max_errors = kMaxStoredErrors);

}  // namespace fabrique::residency
