#include "budgets/paper_ballots.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "budgets/ballot_rules.hpp"
#include "core/text.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

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
                                 shown_value(token)),
                     fmt::format("Projets : « {} » n'est pas de la forme PROJET:POINTS (par "
                                 "exemple 12:3).",
                                 shown_value(token))}
              : Text{fmt::format("Projects: “{}” is not a project number.", shown_value(token)),
                     fmt::format("Projets : « {} » n'est pas un numéro de projet.",
                                 shown_value(token))};
      return out;
    }
    if (out.choices.size() == kMaxBallotEntries) {
      out.error = Text{"Projects: too many.", "Projets : trop nombreux."};
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

namespace {

// Splits CSV text into records of fields. `separator` is decided by the caller.
class CsvSplitter {
 public:
  CsvSplitter(std::string_view text, char separator) : text_(text), separator_(separator) {}

  // The next record (blank ones included); false at the end. `line` is
  // where it starts; `error` says what is wrong with its quoting.
  bool next(std::vector<std::string>& fields, std::size_t& line, std::optional<Text>& error) {
    fields.clear();
    error.reset();
    if (pos_ >= text_.size()) return false;
    line = line_;
    std::string field;
    bool quoted = false;
    bool after_quote = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (quoted) {
        ++pos_;
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
            after_quote = true;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
        continue;
      }
      if (c == '\r' || c == '\n') {
        pos_ += (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ? 2 : 1;
        ++line_;
        break;
      }
      ++pos_;
      if (c == separator_) {
        fields.push_back(std::move(field));
        field.clear();
        after_quote = false;
        continue;
      }
      if (c == '"' && trim(field).empty() && !after_quote) {
        field.clear();
        quoted = true;
        continue;
      }
      if (after_quote && c != ' ' && c != '\t' && !error)
        error = Text{
            "Unexpected character after a closing quote (a quote inside a quoted field "
            "is written \"\").",
            "Caractère inattendu après un guillemet fermant (un guillemet dans un champ "
            "entre guillemets s'écrit \"\")."};
      if (!after_quote) field += c;
    }
    if (quoted && !error)
      error =
          Text{fmt::format("A quoted field opened on line {} is never closed.", line),
               fmt::format("Un champ entre guillemets ouvert ligne {} n'est jamais fermé.", line)};
    fields.push_back(std::move(field));
    return true;
  }

 private:
  std::string_view text_;
  char separator_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

PaperBallotFile read_paper_ballots(std::string_view csv, BallotType type,
                                   std::chrono::year_month_day today) {
  PaperBallotFile file;
  if (!residency::valid_utf8(csv)) {
    file.refusal = Text{"The file is not UTF-8 text: save it as “CSV UTF-8” and send it again.",
                        "Le fichier n'est pas du texte UTF-8 : enregistrez-le en « CSV UTF-8 » "
                        "et renvoyez-le."};
    return file;
  }
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  const std::string_view first_line = csv.substr(0, csv.find_first_of("\r\n"));
  const char separator = first_line.find(';') != std::string_view::npos &&
                                 first_line.find(',') == std::string_view::npos
                             ? ';'
                             : ',';
  CsvSplitter splitter(csv, separator);
  std::vector<std::string> fields;
  std::size_t line = 0;
  std::optional<Text> syntax;
  if (!splitter.next(fields, line, syntax) || trim(first_line).empty()) {
    file.refusal = Text{"The file is empty: the first line names the columns.",
                        "Le fichier est vide : la première ligne nomme les colonnes."};
    return file;
  }
  std::size_t columns[5] = {0, 0, 0, 0, 0};
  std::vector<std::string> missing;
  for (std::size_t c = 0; c < 5; ++c) {
    const auto found = std::find_if(fields.begin(), fields.end(), [&](const std::string& f) {
      return lower(trim(f)) == kPaperBallotColumns[c];
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
                         "postal_code, district et projects ; manquantes : {}.",
                         list)};
    return file;
  }
  const std::size_t width = fields.size();
  while (splitter.next(fields, line, syntax)) {
    if (std::all_of(fields.begin(), fields.end(),
                    [](const std::string& f) { return trim(f).empty(); }))
      continue;
    PaperBallotLine record;
    record.line = line;
    if (syntax) {
      record.error = syntax;
    } else if (fields.size() != width) {
      record.error =
          Text{fmt::format("This line has {} fields; the header has {}.", fields.size(), width),
               fmt::format("Cette ligne a {} champs ; l'en-tête en a {}.", fields.size(), width)};
    } else {
      std::vector<Text> problems;
      residency::Checked document = residency::normalize_document_number(fields[columns[0]]);
      residency::Checked birth = residency::normalize_birth_date(fields[columns[1]], today);
      residency::Checked postal = residency::normalize_postal_code(fields[columns[2]]);
      for (const auto* checked : {&document, &birth, &postal})
        if (checked->error) problems.push_back(*checked->error);
      record.unit_slug = lower(trim(fields[columns[3]]));
      if (record.unit_slug.empty())
        problems.push_back({"District: missing (a district's identifier, or city-wide).",
                            "Quartier : manquant (l'identifiant d'un quartier, ou city-wide)."});
      ParsedChoices parsed = parse_paper_choices(fields[columns[4]], type);
      if (parsed.error)
        problems.push_back(*parsed.error);
      else if (parsed.choices.empty())
        problems.push_back({"Projects: the ballot is empty.", "Projets : le bulletin est vide."});
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
