#include "budgets/paper_ballots.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "budgets/ballot_rules.hpp"
#include "core/csv.hpp"
#include "core/text.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {}  // namespace

ParsedChoices parse_paper_choices(std::string_view text, BallotType type) {
  ParsedChoices out;
  const bool with_points = type == BallotType::Cumulative;
  std::size_t at = 0;
  // Spaces, tabs or line breaks (a cell typed on several lines) separate entries.
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (at < text.size()) {
    while (at < text.size() && blank(text[at])) ++at;
    if (at == text.size()) break;
    std::size_t end = at;
    while (end < text.size() && !blank(text[end])) ++end;
    const std::string_view token = text.substr(at, end - at);
    at = end;
    const std::size_t colon = token.find(':');
    Choice choice;
    const auto id = parse_project_id(token.substr(0, colon));
    // Without a points column an entry is a bare id; with one, ID:POINTS.
    std::optional<std::int64_t> points;
    if (!with_points && colon == std::string_view::npos)
      points = 1;
    else if (with_points && colon != std::string_view::npos)
      points = parse_project_id(token.substr(colon + 1));
    if (!id || !points.has_value()) {
      out.error =
          with_points
              ? Text{fmt::format("Projects: “{}” is not PROJECT:POINTS (for example 12:3).",
                                 quotable(token)),
                     fmt::format(
                         "Projets\u202f: «\u202f{}\u202f» n'est pas de la forme PROJET:POINTS (par "
                         "exemple 12:3).",
                         quotable(token))}
              : Text{fmt::format("Projects: “{}” is not a project number.", quotable(token)),
                     fmt::format("Projets\u202f: «\u202f{}\u202f» n'est pas un numéro de projet.",
                                 quotable(token))};
      return out;
    }
    if (out.choices.size() == kMaxBallotEntries) {
      out.error = Text{"Projects: too many.", "Projets\u202f: trop nombreux."};
      return out;
    }
    choice.project_id = *id;
    choice.points = *points;
    out.choices.push_back(choice);
  }
  // Approval, knapsack and cumulative ballots are sets: kept in id order, as
  // online. Stable: a project written twice (refused later) keeps its order.
  if (type != BallotType::Ranked)
    std::stable_sort(out.choices.begin(), out.choices.end(),
                     [](const Choice& a, const Choice& b) { return a.project_id < b.project_id; });
  return out;
}

namespace {}  // namespace

PaperBallotFile read_paper_ballots(std::string_view text, BallotType type,
                                   std::chrono::year_month_day today) {
  PaperBallotFile file;
  if (!valid_utf8(text)) {
    file.refusal =
        Text{"The file is not UTF-8 text: save it as “CSV UTF-8” and send it again.",
             "Le fichier n'est pas du texte UTF-8\u202f: enregistrez-le en «\u202fCSV UTF-8\u202f» "
             "et renvoyez-le."};
    return file;
  }
  text = csv::without_bom(text);
  const std::string_view first_line = text.substr(0, text.find_first_of("\r\n"));
  const char separator = first_line.find(';') != std::string_view::npos &&
                                 first_line.find(',') == std::string_view::npos
                             ? ';'
                             : ',';
  csv::Reader reader(text, separator);
  csv::Record header;
  if (!reader.next(header) || trim(first_line).empty()) {
    file.refusal = Text{"The file is empty: the first line names the columns.",
                        "Le fichier est vide\u202f: la première ligne nomme les colonnes."};
    return file;
  }
  const std::vector<std::string>& fields = header.fields;
  std::size_t columns[5] = {0, 0, 0, 0, 0};
  std::vector<std::string> missing;
  for (std::size_t c = 0; c < 5; ++c) {
    const auto found = std::find_if(fields.begin(), fields.end(), [&](const std::string& f) {
      return ascii_lower(trim(f)) == kPaperBallotColumns[c];
    });
    if (found == fields.end())
      missing.emplace_back(kPaperBallotColumns[c]);
    else
      columns[c] = static_cast<std::size_t>(found - fields.begin());
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
    file.refusal =
        Text{fmt::format("The first line must name the columns document_number, birth_date, "
                         "postal_code, district and projects; missing: {}.",
                         list),
             fmt::format("La première ligne doit nommer les colonnes document_number, birth_date, "
                         "postal_code, district et projects\u202f; manquantes\u202f: {}.",
                         list)};
    return file;
  }
  const std::size_t width = fields.size();
  csv::Record row;
  while (reader.next(row)) {
    if (row.blank()) continue;
    const std::vector<std::string>& fields = row.fields;
    PaperBallotLine record;
    record.line = row.line;
    if (row.error) {
      record.error = row.error;
    } else if (fields.size() != width) {
      record.error = Text{
          fmt::format("This line has {} fields; the header has {}.", fields.size(), width),
          fmt::format("Cette ligne a {} champs\u202f; l'en-tête en a {}.", fields.size(), width)};
    } else {
      std::vector<Text> problems;
      residency::Checked document = residency::normalize_document_number(fields[columns[0]]);
      residency::Checked birth = residency::normalize_birth_date(fields[columns[1]], today);
      residency::Checked postal = residency::normalize_postal_code(fields[columns[2]]);
      for (const auto* checked : {&document, &birth, &postal})
        if (checked->error) problems.push_back(*checked->error);
      record.unit_slug = ascii_lower(trim(fields[columns[3]]));
      if (record.unit_slug.empty())
        problems.push_back(
            {"District: missing (a district's identifier, or city-wide).",
             "Quartier\u202f: manquant (l'identifiant d'un quartier, ou city-wide)."});
      ParsedChoices parsed = parse_paper_choices(fields[columns[4]], type);
      if (parsed.error)
        problems.push_back(*parsed.error);
      else if (parsed.choices.empty())
        problems.push_back(
            {"Projects: the ballot is empty.", "Projets\u202f: le bulletin est vide."});
      record.choices = std::move(parsed.choices);
      if (!problems.empty())
        record.error = join(problems);
      else
        record.identity = {std::move(document.value), std::move(birth.value),
                           std::move(postal.value)};
    }
    file.lines.push_back(std::move(record));
  }
  return file;
}

}  // namespace fabrique::budgets
