// The count of one budget (unit) of a closed vote. Pure: no storage.
//
// The unit's feasible projects and its ballots become a pabulib election,
// shuffled and with voter ids 1..n (nothing stored about a ballot reaches the
// file). That election is written as .pb text, and the count is the engine's
// official rule (META `rule`) applied to the text read back: the published
// result is, by construction, what `fabrique pb count FILE --rule official`
// computes from the published file.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "budgets/model.hpp"
#include "pb/model.hpp"
#include "pb/rules.hpp"

namespace fabrique::budgets {

// A count that cannot be made (the rule does not apply to the ballots, a
// stored result is damaged...); text() in both languages.
class CountError : public std::runtime_error {
 public:
  explicit CountError(Text text) : std::runtime_error(text.en), text_(std::move(text)) {}
  const Text& text() const { return text_; }

 private:
  Text text_;
};

// How one project of a unit fared.
struct ProjectResult {
  std::string id;  // as in the .pb: the project's id in decimal
  std::int64_t project_id = 0;
  std::string title;
  Amount cost = 0;
  std::int64_t votes = 0;              // ballots that chose it
  std::optional<std::int64_t> points;  // points given to it (cumulative ballots)
  bool selected = false;
  std::string fate;  // "selected", "did-not-fit", ... ("no-ballot": nobody voted in the unit)
  int round = 0;     // 1-based selection order, 0 when not funded
  Text explanation;  // one sentence, why it was or was not funded
};

// The count of one unit.
struct UnitResult {
  std::int64_t unit_id = 0;
  std::string unit_slug;
  std::string rule;  // pabulib's name: "greedy", "equalshares/add1", "phragmen"
  Amount budget = 0;
  std::int64_t ballots = 0;
  std::vector<std::string> funded;  // project ids (as in the .pb) in selection order
  Amount total_cost = 0;
  Text summary;                         // how the rule worked, what it spent
  std::vector<ProjectResult> projects;  // in the .pb's order (by id)

  const ProjectResult* project(const std::string& id) const;
};

// The same election counted under each rule a city may choose, for staff to
// compare before publishing.
struct RuleOutcome {
  CountingRule rule = CountingRule::Greedy;
  bool applies = true;
  Text error;                       // why the rule does not apply (when !applies)
  std::vector<std::string> funded;  // project ids in selection order
  Amount total_cost = 0;
};

struct CountedUnit {
  std::string pabulib;  // the .pb text the result was counted from
  UnitResult result;
  // Greedy, equal shares, Phragmén in that order; the process's own rule is
  // the official count itself, not counted twice.
  std::vector<RuleOutcome> comparison;
};

// The election of `unit`: its feasible projects among `projects` (any unit,
// any status: filtered here) and `ballots` (the unit's), shuffled. An election
// with no ballot lists no project: with nothing chosen there is nothing to
// count, and every rule then funds nothing, in the file as on the site.
pb::Election build_election(const Process& process, const Unit& unit,
                            const std::vector<Project>& projects,
                            std::vector<StoredBallot> ballots);

// Builds, writes and counts the election of `unit` under the process's rule
// (the result) and under the others (the comparison), reading the written
// text once. Throws CountError when the process's rule does not apply to its
// ballots.
CountedUnit count_unit(const Process& process, const Unit& unit,
                       const std::vector<Project>& projects, std::vector<StoredBallot> ballots);

// The result the engine's official rule gives for a .pb text of `unit`
// (what count_unit does after writing it). `unit_projects` are the unit's
// feasible projects: those absent from the text (a unit nobody voted in) are
// listed as not funded, for want of ballots.
UnitResult result_of_text(const std::string& pabulib, const Unit& unit,
                          const std::vector<Project>& unit_projects);

// Serialisation of a result, as exported as JSON and stored in
// budget_results.outcome (there with the comparison beside it). from_json
// throws CountError on a damaged value.
boost::json::value to_json(const UnitResult& result);
UnitResult unit_result_from_json(const boost::json::value& value);

// The comparison of a .pb text, every rule counted: what count_unit stores
// with a result, for a result stored before it did. Throws CountError when
// the text cannot be read.
std::vector<RuleOutcome> compare(const std::string& pabulib);

// Serialisation of a comparison, stored beside the result in
// budget_results.outcome (member "comparison"), never exported.
// comparison_from_json throws CountError on a damaged value.
boost::json::value to_json(const std::vector<RuleOutcome>& comparison);
std::vector<RuleOutcome> comparison_from_json(const boost::json::value& value);

// The names of the engine's fates ("selected", "did-not-fit"...), and the
// fate of a project in a unit nobody voted in.
std::string_view fate_name(pb::Fate fate);
inline constexpr std::string_view kNoBallotFate = "no-ballot";

}  // namespace fabrique::budgets
