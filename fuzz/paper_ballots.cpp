// libFuzzer target for the pure readers of ballots (src/budgets/ballot_rules.cpp,
// src/budgets/paper_ballots.cpp):
// the file of paper ballots, the "Projects" cell of a paper ballot, and the
// ballot form (online and at the counter).
//
// The first byte chooses what the rest is and the ballot's rules:
//   bits 0-1  the ballot type (approval, knapsack, cumulative, ranked)
//   bits 2-3  0, 3: a file of paper ballots; 1: form fields, one "name=value"
//             a line; 2: the text of a "Projects" cell
//   bits 4-7  the limits: min/max choices and points to share
//
// What must hold, whatever the input:
//   - a paper file is refused as a whole (one message, no line) or read
//     line by line, each good or with one message; messages on one line,
//     in both languages, valid UTF-8;
//   - every good line has a normalized identity, a district and 1 to
//     kMaxBallotEntries choices with positive ids and points; sets in id
//     order; written back as CSV another way (BOM, the other separator,
//     every field quoted, columns reordered, an extra column, CRLF, blank
//     lines) it reads back the same, with no error;
//   - a "Projects" cell read without error, written back, reads the same;
//   - a ballot form without error holds choices that check_choices()
//     accepts, all on the ballot, within the rules; the form rebuilt from
//     those choices (what the page shows again) reads back the same; every
//     error points at the ballot or at one of its inputs.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "budgets/ballot_rules.hpp"
#include "budgets/paper_ballots.hpp"
#include "residency/rules.hpp"

namespace {

using namespace fabrique;
using namespace fabrique::budgets;
namespace chr = std::chrono;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{6}, chr::day{1}};

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "paper_ballots fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_message(const Text& message) {
  for (const std::string* text : {&message.en, &message.fr}) {
    if (text->empty()) die("empty message", message.en);
    if (text->find_first_of("\r\n") != std::string::npos) die("message on several lines", *text);
    if (!residency::valid_utf8(*text)) die("message is not UTF-8", *text);
  }
}

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string written_choices(const std::vector<Choice>& choices, BallotType type) {
  std::string out;
  for (const Choice& choice : choices) {
    if (!out.empty()) out += ' ';
    out += std::to_string(choice.project_id);
    if (type == BallotType::Cumulative) out += ':' + std::to_string(choice.points);
  }
  return out;
}

bool in_id_order(BallotType type) { return type != BallotType::Ranked; }

void check_choices_read(const std::vector<Choice>& choices, BallotType type) {
  if (choices.size() > kMaxBallotEntries) die("too many choices", std::to_string(choices.size()));
  for (const Choice& choice : choices) {
    if (choice.project_id <= 0) die("project id not positive", std::to_string(choice.project_id));
    if (choice.points < 1) die("points not positive", std::to_string(choice.points));
    if (type != BallotType::Cumulative && choice.points != 1)
      die("points on a ballot without points", std::to_string(choice.points));
  }
  if (in_id_order(type) &&
      !std::is_sorted(choices.begin(), choices.end(),
                      [](const Choice& a, const Choice& b) { return a.project_id < b.project_id; }))
    die("a set of choices is not in id order", written_choices(choices, type));
}

// ---------------------------------------------------------------------------
// "Projects" cells

void fuzz_cell(std::string_view text, BallotType type) {
  const ParsedChoices parsed = parse_paper_choices(text, type);
  if (parsed.error) {
    check_message(*parsed.error);
    return;
  }
  check_choices_read(parsed.choices, type);
  const std::string written = written_choices(parsed.choices, type);
  const ParsedChoices again = parse_paper_choices(written, type);
  if (again.error) die("written cell refused", again.error->en);
  if (again.choices != parsed.choices) die("cell changed on the way back", written);
}

// ---------------------------------------------------------------------------
// Files of paper ballots

Process process_of(BallotType type, unsigned limits);
ProjectIndex projects_of();

// What the counter's import does next with a good line: checks its choices
// against the rules of its budget (any number of points must be refused, not
// overflow).
void check_against_rules(const PaperBallotLine& line, BallotType type) {
  const Process process = process_of(type, 0);
  const Unit* unit = process.unit_by_slug(line.unit_slug);
  if (unit == nullptr) return;
  const ProjectIndex projects = projects_of();
  for (const BallotError& error : check_choices(process, *unit, projects, line.choices))
    check_message(error.message);
  const Meter meter = budget_meter(process, *unit, projects, line.choices);
  if (meter.points_used < 0 || meter.total < 0) die("the meter went negative", "");
}

void fuzz_paper_file(std::string_view csv, BallotType type) {
  const PaperBallotFile file = read_paper_ballots(csv, type, kToday);
  if (file.refusal) {
    check_message(*file.refusal);
    if (!file.lines.empty()) die("a refused file has lines", "");
    return;
  }
  std::size_t previous = 1;
  std::vector<const PaperBallotLine*> good;
  for (const PaperBallotLine& line : file.lines) {
    if (line.line <= previous) die("lines do not increase", std::to_string(line.line));
    previous = line.line;
    if (line.error) {
      check_message(*line.error);
      continue;
    }
    const residency::Identity& id = line.identity;
    if (residency::normalize_document_number(id.document_number).value != id.document_number)
      die("document number not normalized for good", id.document_number);
    if (residency::normalize_birth_date(id.birth_date, kToday).value != id.birth_date)
      die("birth date not normalized for good", id.birth_date);
    if (residency::normalize_postal_code(id.postal_code).value != id.postal_code)
      die("postal code not normalized for good", id.postal_code);
    if (line.unit_slug.empty()) die("a good line has no district", "");
    if (line.unit_slug.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
      die("district not lower-cased", line.unit_slug);
    if (line.choices.empty()) die("a good line has no choice", "");
    check_choices_read(line.choices, type);
    check_against_rules(line, type);
    good.push_back(&line);
  }

  // The good lines, written back another way, read back the same.
  const std::string sep = csv.size() % 2 == 0 ? ";" : ",";
  std::string written = "\xEF\xBB\xBF";
  written += "Projects" + sep + "DISTRICT" + sep + "note" + sep + "postal_code" + sep +
             "Birth_Date" + sep + "document_number\r\n";
  for (const PaperBallotLine* line : good) {
    const residency::Identity& id = line->identity;
    written += quoted(written_choices(line->choices, type)) + sep + quoted(line->unit_slug) + sep +
               quoted("a, b; \"c\"") + sep + quoted(id.postal_code) + sep + quoted(id.birth_date) +
               sep + quoted(id.document_number) + "\r\n\r\n";
  }
  const PaperBallotFile again = read_paper_ballots(written, type, kToday);
  if (again.refusal) die("written file refused", again.refusal->en);
  if (again.lines.size() != good.size()) die("written file has another number of lines", written);
  for (std::size_t i = 0; i < good.size(); ++i) {
    const PaperBallotLine& back = again.lines[i];
    const PaperBallotLine& first = *good[i];
    if (back.error) die("written line has an error", back.error->en);
    if (back.identity.document_number != first.identity.document_number ||
        back.identity.birth_date != first.identity.birth_date ||
        back.identity.postal_code != first.identity.postal_code ||
        back.unit_slug != first.unit_slug || back.choices != first.choices)
      die("line changed on the way back", written);
  }
}

// ---------------------------------------------------------------------------
// Ballot forms

constexpr std::int64_t kProcess = 1;
constexpr std::int64_t kDistrictUnit = 10;
constexpr std::int64_t kCityUnit = 11;

Process process_of(BallotType type, unsigned limits) {
  Process process;
  process.id = kProcess;
  process.ballot_type = type;
  process.min_choices = 1 + static_cast<int>(limits % 3);
  process.max_choices = process.min_choices + static_cast<int>((limits / 3) % 4);
  process.points_total = 1 + static_cast<int>(limits) * 3;
  process.units = {
      {kDistrictUnit, 1, "centre", "Centre", "Centre", 100'000},
      {kCityUnit, std::nullopt, std::string(kCityWideSlug), "Toute la ville", "City-wide", 50'000}};
  return process;
}

// Feasible projects 1-6 of the district (one whose cost exceeds the budget),
// 7 infeasible, 8 merged, 9 not reviewed, 10 city-wide, 11 of another process.
ProjectIndex projects_of() {
  ProjectIndex index;
  const auto add = [&](std::int64_t id, std::int64_t process, std::int64_t unit, Amount cost,
                       ReviewStatus status) {
    Project project;
    project.id = id;
    project.process_id = process;
    project.unit_id = unit;
    project.title = "Projet " + std::to_string(id);
    project.estimated_cost = cost;
    project.status = status;
    index[id] = project;
  };
  for (std::int64_t id = 1; id <= 5; ++id)
    add(id, kProcess, kDistrictUnit, 15'000 * id, ReviewStatus::Feasible);
  add(6, kProcess, kDistrictUnit, 250'000, ReviewStatus::Feasible);
  add(7, kProcess, kDistrictUnit, 1'000, ReviewStatus::Infeasible);
  add(8, kProcess, kDistrictUnit, 1'000, ReviewStatus::Merged);
  add(9, kProcess, kDistrictUnit, 1'000, ReviewStatus::Submitted);
  add(10, kProcess, kCityUnit, 1'000, ReviewStatus::Feasible);
  add(11, 2, kDistrictUnit, 1'000, ReviewStatus::Feasible);
  return index;
}

FormFields fields_of(std::string_view text) {
  FormFields fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    const std::size_t equal = line.find('=');
    if (equal == std::string_view::npos)
      fields.emplace_back(std::string(line), "");
    else
      fields.emplace_back(std::string(line.substr(0, equal)), std::string(line.substr(equal + 1)));
    start = end + 1;
  }
  return fields;
}

// The fields the ballot page sends for `entered` (as it shows a ballot again).
FormFields form_of(BallotType type, const std::map<std::int64_t, std::string>& entered,
                   std::string_view prefix) {
  FormFields fields;
  for (const auto& [id, value] : entered) {
    switch (type) {
      case BallotType::Approval:
      case BallotType::Knapsack:
        fields.emplace_back(project_field(prefix), std::to_string(id));
        break;
      case BallotType::Cumulative:
        fields.emplace_back(points_field(prefix, id), value);
        break;
      case BallotType::Ranked:
        fields.emplace_back(rank_field(prefix, id), value);
        break;
    }
  }
  return fields;
}

void fuzz_form(std::string_view text, BallotType type, unsigned limits) {
  // The web layer hands over clean UTF-8 only (fuzz/form_decoder.cpp).
  if (!residency::valid_utf8(text)) return;
  const Process process = process_of(type, limits);
  const Unit& unit = process.units[limits % 2 == 0 ? 0 : 1];
  const ProjectIndex projects = projects_of();
  const std::string prefix = limits & 8 ? "u" + std::to_string(unit.id) + "-" : "";
  const FormFields fields = fields_of(text);

  const BallotEntry entry = check_ballot(process, unit, projects, fields, prefix);
  const std::vector<std::int64_t> named = projects_named(fields, prefix);
  if (named.size() > kMaxBallotEntries) die("too many projects named", "");
  if (entry.entered.size() > kMaxBallotEntries) die("too many entered values", "");
  const std::set<std::int64_t> named_set(named.begin(), named.end());
  for (const BallotError& error : entry.errors) {
    check_message(error.message);
    if (error.field == choices_field(prefix)) continue;
    bool an_input = false;
    for (const auto& [id, value] : entry.entered) an_input |= error.field == input_id(prefix, id);
    if (!an_input) die("an error points at no input", error.field);
  }
  for (const Choice& choice : entry.choices) {
    const auto found = projects.find(choice.project_id);
    if (found == projects.end() || !on_ballot(found->second, unit))
      die("a choice is not on the ballot", std::to_string(choice.project_id));
    if (!named_set.contains(choice.project_id))
      die("a choice was not named", std::to_string(choice.project_id));
    if (!entry.entered.contains(choice.project_id))
      die("a choice was not entered", std::to_string(choice.project_id));
  }
  if (left_blank(entry) && !entry.choices.empty()) die("a blank ballot has choices", "");
  const Meter meter = budget_meter(process, unit, projects, entry.choices);
  if (meter.chosen != static_cast<std::int64_t>(entry.choices.size()))
    die("the meter counts another number of choices", std::to_string(meter.chosen));
  if (!entry.errors.empty()) return;

  // A ballot that can be cast.
  if (entry.choices.empty()) die("an empty ballot accepted", "");
  check_choices_read(entry.choices, type);
  const auto problems = check_choices(process, unit, projects, entry.choices);
  if (!problems.empty()) die("accepted choices refused by check_choices", problems[0].message.en);
  const auto n = static_cast<std::int64_t>(entry.choices.size());
  if ((type == BallotType::Approval || type == BallotType::Ranked) &&
      (n < process.min_choices || n > process.max_choices))
    die("number of choices out of the limits", std::to_string(n));
  if (type == BallotType::Knapsack && meter.over) die("over budget accepted", "");
  if (type == BallotType::Cumulative && meter.points_used > process.points_total)
    die("too many points accepted", std::to_string(meter.points_used));

  // Shown again (entered_of, as after a receipt), it reads back the same.
  const FormFields shown_again = form_of(type, entered_of(type, entry.choices), prefix);
  const BallotEntry back = check_ballot(process, unit, projects, shown_again, prefix);
  if (!back.errors.empty()) die("the ballot shown again is refused", back.errors[0].message.en);
  if (back.choices != entry.choices) die("the ballot shown again reads otherwise", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto type = static_cast<BallotType>(data[0] & 3);
  const unsigned mode = (data[0] >> 2) & 3;
  const unsigned limits = data[0] >> 4;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode) {
    case 1:
      fuzz_form(rest, type, limits);
      break;
    case 2:
      fuzz_cell(rest, type);
      break;
    default:
      fuzz_paper_file(rest, type);
      break;
  }
  return 0;
}
