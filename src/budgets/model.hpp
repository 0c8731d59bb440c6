// Participatory budgeting: a process (the city's budget, its districts'
// shares, the phases, who takes part, how ballots look and how they are
// counted), the projects residents propose, and their review and
// implementation; the roll and the ballots as stored, and who votes. Types
// only: the decisions are in *_rules.hpp, the storage in *repository.hpp,
// what people do in *_actions.hpp, the count in count.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang.hpp"
#include "core/money.hpp"

namespace fabrique::budgets {

// Amounts are whole currency units (euros): what cities publish and vote on.
using Amount = std::int64_t;

// The phases follow each other by the process's dates, with no one to press
// a button: each starts at its date and ends when the next starts.
enum class Phase { Upcoming, Proposals, Review, Vote, Results, Implementation };

enum class BallotType {
  Approval,    // choose between min_choices and max_choices projects
  Knapsack,    // choose projects whose costs add up to at most the amount
  Cumulative,  // share points_total points among projects
  Ranked,      // rank up to max_choices projects, favourite first
};

// The counting rules a city may choose (pb/rules.hpp computes them).
enum class CountingRule {
  Greedy,       // most votes first, skipping what no longer fits
  EqualShares,  // Method of Equal Shares, completed by raising the shares (add1)
  Phragmen,     // sequential Phragmén
};

enum class Scope {
  OwnDistrict,             // a resident votes in their district
  OwnDistrictAndCityWide,  // ... and on the city-wide projects
};

enum class ReviewStatus { Submitted, Feasible, Infeasible, Merged };

enum class ImplementationStatus { Planned, InProgress, Done, Abandoned };

// The dates, as stored: ISO 8601 UTC ("2026-03-01T00:00:00Z"). Each phase
// opens at its date; the vote closes at vote_close, when the results phase
// begins, and implementation starts at implementation_open.
struct Schedule {
  std::string proposals_open;
  std::string review_open;
  std::string vote_open;
  std::string vote_close;
  std::string implementation_open;
};

// One budget of a process: a district's share, or the city-wide one.
struct Unit {
  std::int64_t id = 0;
  std::optional<std::int64_t> district_id;  // none: the city-wide budget
  std::string slug;                         // the district's slug, or kCityWideSlug
  std::string name_fr;
  std::string name_en;
  Amount amount = 0;

  bool city_wide() const { return !district_id.has_value(); }
  const std::string& name(Lang lang) const { return lang == Lang::Fr ? name_fr : name_en; }
};

inline constexpr std::string_view kCityWideSlug = "city-wide";

struct Process {
  std::int64_t id = 0;
  std::string slug;
  std::string title_fr;
  std::string title_en;
  std::string description_fr;
  std::string description_en;
  Amount total_amount = 0;  // the districts' amounts plus the city-wide one
  Schedule schedule;
  Scope scope = Scope::OwnDistrict;
  int minimum_age = 16;  // on the day the vote opens
  BallotType ballot_type = BallotType::Approval;
  int min_choices = 1;    // approval and ranked
  int max_choices = 5;    // approval and ranked
  int points_total = 10;  // cumulative
  CountingRule rule = CountingRule::Greedy;
  std::optional<std::string> counted_at;    // when the closed vote was counted
  std::optional<std::string> published_at;  // when the results were made public
  std::vector<Unit> units;                  // districts by slug, then the city-wide one

  const std::string& title(Lang lang) const { return lang == Lang::Fr ? title_fr : title_en; }
  const std::string& description(Lang lang) const {
    return lang == Lang::Fr ? description_fr : description_en;
  }
  const Unit* unit(std::int64_t unit_id) const;
  const Unit* unit_by_slug(std::string_view slug) const;
  const Unit* unit_of_district(std::int64_t district_id) const;
  const Unit* city_wide_unit() const;
};

struct Project {
  std::int64_t id = 0;
  std::int64_t process_id = 0;
  std::int64_t unit_id = 0;
  std::optional<std::int64_t> author_id;
  std::string author_name;  // the author's display name, as shown publicly
  // Written by the author in their own language.
  std::string title;
  std::string description;
  Amount estimated_cost = 0;
  std::string location;  // free text: an address or a place; may be empty
  std::optional<std::int64_t> image_id;
  ReviewStatus status = ReviewStatus::Submitted;
  std::string review_note;           // the public explanation of the review
  std::optional<Amount> final_cost;  // set by the review
  std::optional<std::int64_t> merged_into;
  std::string created_at;
  std::string updated_at;
  // Implementation, once funded.
  std::optional<ImplementationStatus> implementation;
  int progress = 0;             // percent
  std::optional<Amount> spent;  // the final cost of the work done

  // What the ballot and the count use: the reviewed cost when there is one.
  Amount cost() const { return final_cost.value_or(estimated_cost); }
};

// Projects by id: at least a ballot's candidates and whatever a ballot
// names (so that a refusal can say what the named project is).
using ProjectIndex = std::map<std::int64_t, Project>;

// An image of a project, as uploaded (its type sniffed from its bytes).
struct StoredImage {
  std::string content_type;
  std::string bytes;
};

// A feasibility review's decision, as validated and stored.
struct ReviewDecision {
  ReviewStatus status = ReviewStatus::Submitted;
  std::optional<Amount> final_cost;
  std::string note;  // the public explanation
  std::optional<std::int64_t> merged_into;
};

struct ProjectUpdate {
  std::int64_t id = 0;
  std::int64_t project_id = 0;
  std::string posted_on;  // YYYY-MM-DD
  std::string body_fr;
  std::string body_en;
  const std::string& body(Lang lang) const { return lang == Lang::Fr ? body_fr : body_en; }
};

// ---- Ballots and the roll (docs/ballot-secrecy.md)

enum class Channel { Online, Paper, Assisted };

// One choice of a ballot: a project, with the points given (cumulative
// ballots; 1 otherwise). Choices keep the voter's order (a ranking).
struct Choice {
  std::int64_t project_id = 0;
  std::int64_t points = 1;
  bool operator==(const Choice&) const = default;
};

// A ballot holds at most this many entries (a tampered form could send more).
inline constexpr std::size_t kMaxBallotEntries = 1000;

// A ballot as stored: its budget and choices, never who cast it.
struct StoredBallot {
  std::int64_t unit_id = 0;
  std::vector<Choice> choices;
};

// One ballot a person casts: for one budget (unit) of the process.
struct UnitBallot {
  std::int64_t unit_id = 0;
  std::vector<Choice> choices;
};

// A person who may take part: their census entry (the one-person key), where
// they live and when they were born. Never stored with a ballot.
struct Voter {
  std::int64_t census_entry_id = 0;
  std::int64_t district_id = 0;
  std::string birth_date;  // YYYY-MM-DD
  Text district_name;      // for messages
};

// Names as stored and used in URLs, forms and JSON.
std::string_view phase_name(Phase phase);  // "upcoming", "proposals", ...
Text phase_label(Phase phase);
std::string_view ballot_type_name(BallotType type);  // "approval", "knapsack", ...
std::optional<BallotType> parse_ballot_type(std::string_view name);
Text ballot_type_label(BallotType type);
std::string_view rule_name(CountingRule rule);  // "greedy", "mes", "phragmen"
std::optional<CountingRule> parse_rule(std::string_view name);
Text rule_label(CountingRule rule);
// The META `rule` value of the exported .pb, in pabulib's vocabulary
// ("greedy", "equalshares/add1"; "phragmen" is the engine's extension).
std::string_view pabulib_rule(CountingRule rule);
std::string_view scope_name(Scope scope);  // "district", "district-and-city"
std::optional<Scope> parse_scope(std::string_view name);
std::string_view review_status_name(ReviewStatus status);
std::optional<ReviewStatus> parse_review_status(std::string_view name);
Text review_status_label(ReviewStatus status);
std::string_view implementation_status_name(ImplementationStatus status);
std::optional<ImplementationStatus> parse_implementation_status(std::string_view name);
Text implementation_status_label(ImplementationStatus status);

std::string_view channel_name(Channel channel);  // "online", "paper", "assisted"
std::optional<Channel> parse_channel(std::string_view name);
// "12 15:3 7" ↔ choices (":points" written only on cumulative ballots).
std::string choices_to_text(const std::vector<Choice>& choices, bool with_points);
std::optional<std::vector<Choice>> choices_from_text(const std::string& text);

// A positive id as a URL or a form gives it ("12"); nullopt otherwise.
std::optional<std::int64_t> parse_id(const std::string& text);

// One line a resident understands, for each rule, phase and status (shown
// beside its label).
Text rule_explanation(CountingRule rule);
Text phase_explanation(Phase phase);
Text review_status_explanation(ReviewStatus status);
Text implementation_status_explanation(ImplementationStatus status);

// The phase at `now` (ISO 8601 UTC, compared as text).
Phase phase_at(const Schedule& schedule, std::string_view now);

// Amounts read as people read them: core/money.hpp's format_amount.
using fabrique::format_amount;

}  // namespace fabrique::budgets
