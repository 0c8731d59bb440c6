// What every budget page shares: finding the process (and project) a URL
// names, and the process's and projects' views for the templates. (Ids:
// parse_id in model.hpp; amounts: core/money.hpp.)
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "budgets/ballot_rules.hpp"
#include "budgets/model.hpp"
#include "web/site.hpp"

namespace fabrique::budgets {

// The process of the URL's {slug}, or nullopt (the caller answers 404 with
// not_found()).
std::optional<Process> process_of(web::Context& ctx);
http::Response process_not_found(web::Context& ctx);
http::Response project_not_found(web::Context& ctx);
// 403: an action refused the viewer's account (the route's permission let
// them in; the action asks again).
http::Response not_allowed(web::Context& ctx);

Phase current_phase(const Process& process);

// The view every process page starts from: "process" with slug, url, title,
// description, phase (name, label, and one flag per phase: "in_vote"...),
// amounts, units, dates, ballot type and rule labels.
boost::json::object process_view(const Process& process, Lang lang);
// A project as lists and pages show it: id, url, title, description, cost,
// cost_text, unit name, status flags and label, author, location, image url.
boost::json::object project_view(const Process& process, const Project& project, Lang lang);

// ---- The ballot form, shared by the resident's ballot and the counter

// What a ballot form shows: the candidates (filtered), what the voter
// entered, the errors next to their inputs, the meter.
struct BallotState {
  const Process* process = nullptr;
  const Unit* unit = nullptr;
  const ProjectIndex* projects = nullptr;
  std::vector<Choice> choices;
  std::map<std::int64_t, std::string> entered;
  std::vector<BallotError> errors;
  std::string prefix;
  std::string search;
  std::optional<Amount> max_cost;
};

// One ballot's fieldset: the candidates (filtered), what was entered, the
// errors beside their inputs, the meter.
boost::json::object ballot_fields_view(const BallotState& state, Lang lang);
// The running budget meter as the templates show it.
boost::json::object meter_view(const Process& process, const Meter& meter, Lang lang);
// Errors for the summary at the top of a page, each linking to its input.
boost::json::array ballot_errors_summary(const std::vector<BallotError>& errors, Lang lang);

}  // namespace fabrique::budgets
