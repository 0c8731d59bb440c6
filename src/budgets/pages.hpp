// What every budget page shares: finding the process (and project) a URL
// names, the process's header for the templates, and parsing ids and amounts
// typed in forms.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "budgets/model.hpp"
#include "web/site.hpp"

namespace fabrique::budgets {

// "12", "12 500", "12500 €" → 12500; nullopt when not a positive whole amount
// (at most 10^12). `allow_zero` accepts 0.
std::optional<Amount> parse_amount(const std::string& text, bool allow_zero = false);
std::optional<std::int64_t> parse_id(const std::string& text);

// The process of the URL's {slug}, or nullopt (the caller answers 404 with
// not_found()).
std::optional<Process> process_of(web::Context& ctx);
http::Response process_not_found(web::Context& ctx);
http::Response project_not_found(web::Context& ctx);

Phase current_phase(const Process& process);

// The view every process page starts from: "process" with slug, url, title,
// description, phase (name, label, and one flag per phase: "in_vote"...),
// amounts, units, dates, ballot type and rule labels.
boost::json::object process_view(const Process& process, Lang lang);
// A project as lists and pages show it: id, url, title, description, cost,
// cost_text, unit name, status flags and label, author, location, image url.
boost::json::object project_view(const Process& process, const Project& project, Lang lang);

}  // namespace fabrique::budgets
