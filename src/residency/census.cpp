#include "residency/census.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "core/text.hpp"
#include "residency/rules.hpp"

namespace fabrique::residency {

namespace chr = std::chrono;

CensusReader::CensusReader(std::string_view text, const DistrictIndex& districts,
                           chr::year_month_day today)
    : text_(csv::without_bom(text)), districts_(districts), today_(today), csv_(text_, ',') {
  if (const std::size_t bad = utf8_error_at(text_); bad != std::string_view::npos) {
    const std::size_t line = csv::line_of(text_, bad);
    refusal_ = RowError{
        line,
        {fmt::format("The file is not UTF-8 (line {}). Save it as “CSV UTF-8” and send it again.",
                     line),
         fmt::format(
             "Le fichier n'est pas en UTF-8 (ligne {}). Enregistrez-le au format «\u202fCSV "
             "UTF-8\u202f» et envoyez-le à nouveau.",
             line)}};
    return;
  }
  separator_ = csv::guess_separator(text_);
  csv_ = csv::Reader(text_, separator_);
  if (!next_fields()) {
    refusal_ = RowError{1, {"The file is empty.", "Le fichier est vide."}};
    return;
  }
  if (record_.error) {
    refusal_ = RowError{record_.line,
                        {"The header line cannot be read: " + record_.error->en,
                         "La ligne d'en-tête est illisible\u202f: " + record_.error->fr}};
    return;
  }
  width_ = record_.fields.size();
  bool found[4] = {false, false, false, false};
  std::string names;
  for (std::size_t i = 0; i < record_.fields.size(); ++i) {
    const std::string name = ascii_lower(trim(record_.fields[i]));
    if (i < 8) names += (names.empty() ? "" : ", ") + quotable(name);
    if (i == 8) names += ", …";
    for (std::size_t c = 0; c < 4; ++c) {
      if (name != kCensusColumns[c]) continue;
      if (found[c]) {
        refusal_ = RowError{
            record_.line,
            {fmt::format("The header (line {}) names the column {} twice.", record_.line, name),
             fmt::format("L'en-tête (ligne {}) nomme deux fois la colonne {}.", record_.line,
                         name)}};
        return;
      }
      found[c] = true;
      columns_[c] = i;
    }
  }
  std::string missing;
  int missing_count = 0;
  for (std::size_t c = 0; c < 4; ++c)
    if (!found[c]) {
      missing += (missing.empty() ? "" : ", ") + std::string(kCensusColumns[c]);
      ++missing_count;
    }
  if (!missing.empty()) {
    const Noun column_en{"the column", "the columns"};
    const Noun column_fr{"la colonne", "les colonnes"};
    refusal_ = RowError{
        record_.line,
        {fmt::format(
             "The header (line {}) lacks {}. It must name document_number, "
             "birth_date, postal_code and district, in any order, separated by commas or "
             "semicolons; found: {}.",
             record_.line,
             std::string(plural(missing_count, Lang::En, column_en, column_fr)) + " " + missing,
             names),
         fmt::format(
             "L'en-tête (ligne {}) n'a pas {}. Il doit nommer "
             "document_number, birth_date, postal_code et district, dans n'importe quel "
             "ordre, séparées par des virgules ou des points-virgules\u202f; trouvé\u202f: {}.",
             record_.line,
             std::string(plural(missing_count, Lang::Fr, column_en, column_fr)) + " " + missing,
             names)}};
  }
}

// The next record that is not blank into record_; false at the end of the
// text. A record with a quoting problem is never skipped.
bool CensusReader::next_fields() {
  while (csv_.next(record_))
    if (record_.error || !record_.blank()) return true;
  return false;
}

bool CensusReader::next(CensusRecord& record) {
  if (refusal_ || !next_fields()) return false;
  record.line = record_.line;
  record.identity = {};
  record.district_id = 0;
  record.error.reset();
  if (record_.error) {
    record.error = record_.error;
    return true;
  }
  if (record_.fields.size() != width_) {
    record.error =
        Text{fmt::format("This line has {} field{}; the header has {}.", record_.fields.size(),
                         record_.fields.size() > 1 ? "s" : "", width_),
             fmt::format("Cette ligne a {} champ{}\u202f; l'en-tête en a {}.",
                         record_.fields.size(), record_.fields.size() > 1 ? "s" : "", width_)};
    return true;
  }
  std::vector<Text> problems;
  Checked document = normalize_document_number(record_.fields[columns_[0]]);
  Checked birth = normalize_birth_date(record_.fields[columns_[1]], today_);
  Checked postal = normalize_postal_code(record_.fields[columns_[2]]);
  if (document.error) problems.push_back(*document.error);
  if (birth.error) problems.push_back(*birth.error);
  if (postal.error) problems.push_back(*postal.error);
  const std::string_view slug_text = trim(record_.fields[columns_[3]]);
  if (slug_text.empty()) {
    problems.push_back({"District: missing.", "Quartier\u202f: manquant."});
  } else if (const auto found = districts_.find(ascii_lower(slug_text));
             found != districts_.end()) {
    record.district_id = found->second;
  } else {
    problems.push_back(
        {fmt::format("District: no district has the identifier {} (see the districts page).",
                     quoted_en(slug_text)),
         fmt::format(
             "Quartier\u202f: aucun quartier n'a l'identifiant {} (voir la page des quartiers).",
             quoted_fr(slug_text))});
  }
  if (!problems.empty()) {
    record.error = join(problems);
    return true;
  }
  record.identity = {std::move(document.value), std::move(birth.value), std::move(postal.value)};
  return true;
}

CensusCheck check_census(std::string_view text, const DistrictIndex& districts,
                         chr::year_month_day today, std::size_t max_errors) {
  CensusCheck check;
  CensusReader reader(text, districts, today);
  check.refusal = reader.refusal();
  if (check.refusal) return check;
  // Document number → the line that first had it.
  std::unordered_map<std::string, std::size_t> seen;
  CensusRecord record;
  while (reader.next(record)) {
    ++check.records;
    std::optional<Text> error = record.error;
    if (!error) {
      const auto [first, inserted] = seen.emplace(record.identity.document_number, record.line);
      if (!inserted)
        error =
            Text{fmt::format("Duplicates line {} (same document number).", first->second),
                 fmt::format("Doublon de la ligne {} (même numéro de document).", first->second)};
    }
    check.bad.push_back(error.has_value());
    if (!error) continue;
    ++check.error_count;
    if (check.errors.size() < max_errors) check.errors.push_back({record.line, std::move(*error)});
  }
  return check;
}

}  // namespace fabrique::residency
