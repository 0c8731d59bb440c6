// Pure decisions of residency: how each identity field is normalized (the
// same for a census file, a resident's form and a clerk's), what a census
// file must look like, what makes a district valid, and what each
// verification outcome tells the person. No storage, no clock, no secret.
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

#include "residency/model.hpp"

namespace fabrique::residency {

// A normalized value, or why the raw one is not acceptable (a whole
// sentence naming the field, in both languages).
struct Checked {
  std::string value;
  std::optional<Text> error;
  bool ok() const { return !error.has_value(); }
};

// Trimmed, upper-cased, spaces and hyphens removed; then 4 to 20 letters or
// digits. An error never repeats the number (only its length, or the first
// character that is not allowed and where it is).
Checked normalize_document_number(std::string_view raw);
// YYYY-MM-DD, or DD/MM/YYYY (day and month may have one digit); a real date,
// not after `today`, not before 1900. The value is YYYY-MM-DD.
Checked normalize_birth_date(std::string_view raw, std::chrono::year_month_day today);
// Trimmed, 3 to 10 letters, digits or spaces; the value is upper-cased with
// the spaces removed ("75 001" and "75001" are one postal code).
Checked normalize_postal_code(std::string_view raw);

struct CheckedIdentity {
  Identity identity;
  FieldErrors errors;  // by form field: document_number, birth_date, postal_code
};
CheckedIdentity check_identity(const IdentityForm& form, std::chrono::year_month_day today);

// What is hashed (with the instance's census key): "DOC|YYYY-MM-DD|POSTAL".
std::string identity_key(const Identity& identity);
// The person, whatever their address: "person|DOC", hashed the same way.
// One census entry per person across imports is keyed by it.
std::string person_key(const Identity& identity);

// Whole years on `today` from a YYYY-MM-DD birth date; false when unreadable.
bool old_enough(std::string_view birth_date, int minimum_age, std::chrono::year_month_day today);

// Trimmed; the slug lower-cased.
NewDistrict normalize_district(NewDistrict district);
// On a normalized district: slug of 2 to 40 lower-case letters, digits and
// single hyphens; names of 1 to 100 characters.
FieldErrors check_district(const NewDistrict& district);

// What the person (online) or the clerk (counter) is told.
Text outcome_message(VerificationOutcome outcome, VerificationMethod method, int minimum_age);

// True when `text` is valid UTF-8 (overlongs, surrogates and code points
// beyond U+10FFFF refused).
bool valid_utf8(std::string_view text);

// ---------------------------------------------------------------------------
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
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t width_ = 0;                  // fields per record, as in the header
  std::size_t columns_[4] = {0, 0, 0, 0};  // positions of kCensusColumns
  // The record being read.
  std::vector<std::string> fields_;
  std::size_t record_line_ = 0;
  std::optional<Text> syntax_error_;
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
