// The counting rules. Each is a pure function of an election: no I/O, exact
// arithmetic wherever a comparison decides the outcome, explicit tie-breaking.
// Their meaning is that of pabutools 1.2.3 (see docs/counting-rules.md).
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/lang.hpp"
#include "pb/model.hpp"

namespace fabrique::pb {

// How much a voter gains from a funded project they voted for.
enum class Utility {
  Cost,         // the project's cost (pabutools Cost_Sat); ballots count as approvals
  Cardinality,  // one per project (Cardinality_Sat); ballots count as approvals
  Points,       // the points the voter gave (Additive_Cardinal_Sat)
};

// Order used to break exact ties; the first in this order wins.
enum class TieBreak {
  IdString,   // project id compared as a string, ascending (pabutools)
  IdNatural,  // numeric ids compared as numbers, then as strings
  Cheapest,   // lower cost first, then id as a string
};

enum class RuleName {
  Greedy,       // utilitarian greedy, skip what does not fit
  EqualShares,  // Method of Equal Shares, no completion
  EqualSharesAdd1,
  EqualSharesAdd1Greedy,
  Phragmen,
  MaxWelfare,
  Official,  // the rule named in META `rule`, as the city applied it
};

// When mes-add1 stops raising the voters' budget.
enum class Add1Stop {
  Exhaustive,  // pabutools: first exhaustive outcome, else the last that fits
  Overspend,   // the last outcome that fits, even past exhaustive ones
};

struct RuleOptions {
  RuleName rule = RuleName::Greedy;
  Utility utility = Utility::Cost;
  TieBreak tie_break = TieBreak::IdString;
  Add1Stop add1_stop = Add1Stop::Exhaustive;
  // MES prices and money left in the reports computed in exact rationals
  // (slower); otherwise they are long double approximations. The selection is
  // exact either way.
  bool exact_reports = false;
};

// Why a project ended where it did; rendered for the public by explain.hpp.
enum class Fate {
  Selected,
  NoSupport,          // nobody voted for it (MES, Phragmén)
  DidNotFit,          // its cost exceeded what was left when its turn came
  RanOutOfMoney,      // MES: its supporters' remaining shares could not pay for it
  StoppedBeforeTurn,  // Phragmén stopped, or MES ended, before it was reached
  BelowThreshold,     // official: under the file's min_project_score_threshold
  NotInOptimum,       // max-welfare: not part of the best set
  NotFeasible,        // cost marks a project the city could not carry out
};

struct ProjectReport {
  ProjectIndex project = 0;
  Fate fate = Fate::StoppedBeforeTurn;
  int round = 0;                          // 1-based selection round (0 when not selected)
  std::int64_t supporters = 0;            // ballots containing the project
  mpq_class score;                        // the rule's ranking key: votes, points, density...
  mpq_class price;                        // MES: what each supporter paid (per unit of utility x
                                          // utility); Phragmén: the supporters' load after it
  Money remaining = 0;                    // budget left when it was considered (greedy/official)
  mpq_class supporters_money;             // MES: the supporters' money left when it was dropped
  std::int64_t exhausted_supporters = 0;  // MES: supporters who gave all they had
};

struct Outcome {
  std::vector<ProjectIndex> selected;  // in selection order
  Money total_cost = 0;
  bool exhaustive = false;             // no unselected project fits in what is left
  std::vector<ProjectReport> reports;  // one per project, in instance order
  // Rule-level facts for the explanation.
  std::string rule_label;          // e.g. "mes-add1", "greedy-threshold"
  std::string utility_label;       // "cost", "cardinality", "points"
  mpq_class voter_budget;          // MES: the per-voter share the outcome used
  std::int64_t budget_steps = 0;   // mes-add1: MES runs actually computed
  std::vector<std::string> notes;  // e.g. official rule fallbacks
};

// A rule that does not apply to an election; what() is the English text.
class RuleError : public std::runtime_error {
 public:
  explicit RuleError(Text text) : std::runtime_error(text.en), text_(std::move(text)) {}
  const Text& text() const { return text_; }

 private:
  Text text_;
};

// Runs a rule. Throws RuleError when it does not apply to the election (e.g.
// Phragmén on cumulative ballots with --utility points).
Outcome count(const Election& election, const RuleOptions& options);

// The individual rules, for callers that compose them.
Outcome greedy(const Election& election, Utility utility, TieBreak tie_break,
               const std::vector<ProjectIndex>& already_selected = {});
Outcome equal_shares(const Election& election, Utility utility, TieBreak tie_break,
                     bool exact_reports = false);
Outcome equal_shares_add1(const Election& election, Utility utility, TieBreak tie_break,
                          Add1Stop stop, bool exact_reports = false);
// One plain MES run with every voter's share raised by `extra_units` cost
// units above budget/voters: the building block of add1, exposed for tests.
std::vector<ProjectIndex> equal_shares_selection(const Election& election, Utility utility,
                                                 TieBreak tie_break, std::int64_t extra_units);
Outcome equal_shares_add1_greedy(const Election& election, Utility utility, TieBreak tie_break,
                                 bool exact_reports = false);
Outcome sequential_phragmen(const Election& election, TieBreak tie_break);
Outcome max_welfare(const Election& election, Utility utility, TieBreak tie_break);
Outcome official(const Election& election, TieBreak tie_break, bool exact_reports = false);

// The utility a rule uses for an election's ballots: points only where they exist.
bool utility_applies(const Election& election, Utility utility);

// Welfare of a set of projects under a utility (sum over ballots).
mpz_class welfare(const Election& election, Utility utility,
                  const std::vector<ProjectIndex>& projects);

// Names as used on the command line and in JSON.
std::optional<RuleName> parse_rule(const std::string& name);
std::string to_string(RuleName rule);
std::optional<Utility> parse_utility(const std::string& name);
std::string to_string(Utility utility);
std::optional<TieBreak> parse_tie_break(const std::string& name);

}  // namespace fabrique::pb
