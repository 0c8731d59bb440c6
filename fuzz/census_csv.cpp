// libFuzzer target for the census CSV reader (src/residency/census.cpp, its
// lexer src/core/csv.cpp).
//
// Any input must either be refused as a whole (one reason, nothing read)
// or be read record by record, each good or with one reason, with:
//   - one flag per record and as many errors counted as flagged;
//   - error lines increasing, after the header, messages on one line, in
//     both languages, valid UTF-8;
//   - every good record normalized for good (normalizing it again changes
//     nothing), and written back as CSV — quoted, another separator, the
//     columns in another order, CRLF — reading back to the same records.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "residency/census.hpp"
#include "residency/rules.hpp"

namespace {

using namespace fabrique::residency;
namespace chr = std::chrono;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{6}, chr::day{1}};

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "census_csv fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

const DistrictIndex& districts() {
  static const DistrictIndex index{{"centre", 1}, {"port", 2}, {"a-b", 3}};
  return index;
}

void check_message(const fabrique::Text& message) {
  for (const std::string* text : {&message.en, &message.fr}) {
    if (text->empty()) die("empty message", message.en);
    if (text->find_first_of("\r\n") != std::string::npos) die("message on several lines", *text);
    if (!valid_utf8(*text)) die("message is not UTF-8", *text);
  }
}

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string slug_of(std::int64_t id) {
  for (const auto& [slug, district] : districts())
    if (district == id) return slug;
  die("unknown district id", std::to_string(id));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMaxErrors = 50;
  const CensusCheck check = check_census(text, districts(), kToday, kMaxErrors);

  if (check.refusal) {
    check_message(check.refusal->message);
    if (check.records != 0 || !check.errors.empty() || check.refusal->line == 0)
      die("a refused file has records", "");
    return 0;
  }
  if (check.bad.size() != check.records) die("one flag per record", "");
  std::size_t flagged = 0;
  for (bool bad : check.bad) flagged += bad ? 1 : 0;
  if (flagged != check.error_count) die("flags and error count differ", "");
  if (check.errors.size() != std::min(check.error_count, kMaxErrors))
    die("errors listed", std::to_string(check.errors.size()));
  std::size_t previous = 1;
  for (const RowError& error : check.errors) {
    if (error.line <= previous) die("error lines do not increase", std::to_string(error.line));
    previous = error.line;
    check_message(error.message);
  }

  // The good records, written back another way, read back the same.
  CensusReader reader(text, districts(), kToday);
  std::vector<CensusRecord> good;
  CensusRecord record;
  std::size_t index = 0;
  while (reader.next(record)) {
    if (index >= check.bad.size()) die("the second reading has more records", "");
    if (!check.bad[index++]) good.push_back(record);
  }
  if (index != check.records) die("the second reading has fewer records", "");

  const char separator = reader.separator() == ';' ? ',' : ';';
  std::string written = std::string("district") + separator + "postal_code" + separator +
                        "document_number" + separator + "birth_date\r\n";
  for (const CensusRecord& row : good) {
    const Identity& id = row.identity;
    if (normalize_document_number(id.document_number).value != id.document_number)
      die("document number not normalized for good", id.document_number);
    if (normalize_birth_date(id.birth_date, kToday).value != id.birth_date)
      die("birth date not normalized for good", id.birth_date);
    if (normalize_postal_code(id.postal_code).value != id.postal_code)
      die("postal code not normalized for good", id.postal_code);
    written += quoted(slug_of(row.district_id)) + separator + quoted(id.postal_code) + separator +
               quoted(id.document_number) + separator + quoted(id.birth_date) + "\r\n";
  }
  const CensusCheck again = check_census(written, districts(), kToday, kMaxErrors);
  if (again.refusal) die("written file refused", again.refusal->message.en);
  if (again.records != good.size()) die("written file has another number of records", written);
  // Duplicates were flagged the first time, so none are left.
  if (again.error_count != 0) die("written file has errors", again.errors.front().message.en);
  CensusReader back(written, districts(), kToday);
  for (const CensusRecord& row : good) {
    if (!back.next(record)) die("written file ends early", written);
    if (record.identity.document_number != row.identity.document_number ||
        record.identity.birth_date != row.identity.birth_date ||
        record.identity.postal_code != row.identity.postal_code ||
        record.district_id != row.district_id)
      die("record changed on the way back", written);
  }
  return 0;
}
