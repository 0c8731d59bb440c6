// Files of paper ballots, read: a clerk uploads the ballots of a day at the
// counter. Pure: no storage, no clock (callers pass `today`).
//
// The file: UTF-8 CSV, optional BOM, comma or semicolon
// separated (the header decides), "quoted" fields with "" for a quote, CRLF
// or LF. Columns (any order, case-insensitive, others ignored):
//   document_number, birth_date, postal_code   the person, as on the census
//   district     the budget of the ballot: a district's slug, or "city-wide"
//   projects     project ids separated by spaces (tabs, line breaks); "ID:POINTS" on cumulative
//                ballots; favourite first on ranked ballots
// Blank lines are skipped.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "budgets/model.hpp"
#include "residency/model.hpp"

namespace fabrique::budgets {

inline constexpr std::string_view kPaperBallotColumns[] = {"document_number", "birth_date",
                                                           "postal_code", "district", "projects"};

struct PaperBallotLine {
  std::size_t line = 0;  // where the record starts (line 1 is the header)
  residency::Identity identity;
  std::string unit_slug;  // lower-cased
  std::vector<Choice> choices;
  std::optional<Text> error;  // never repeats the document number
};

struct PaperBallotFile {
  std::optional<Text> refusal;  // the whole file: not UTF-8, empty, a column missing
  std::vector<PaperBallotLine> lines;
};

// Reads every line; identities are normalized as the census's are
// (residency/rules.hpp). Whether the person and the projects exist is the
// caller's business.
PaperBallotFile read_paper_ballots(std::string_view csv, BallotType type,
                                   std::chrono::year_month_day today);

// "12 15 7" (or "12:3 15:2" with points) → choices; nullopt with a message
// when a token is not a project number (with positive points).
struct ParsedChoices {
  std::vector<Choice> choices;
  std::optional<Text> error;
};
ParsedChoices parse_paper_choices(std::string_view text, BallotType type);

}  // namespace fabrique::budgets
