// Participatory budgets set up straight in the store: dates around today,
// the three-unit process most budget tests vote in, reviewed projects.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace fabrique::test {

// Midnight UTC `days` from today, as a process's schedule stores it.
inline std::string day_from_today(int days) {
  return iso8601(installation_time_zone().start_of(
      std::chrono::year_month_day{std::chrono::sys_days(today_local()) + std::chrono::days(days)}));
}

// "Budget participatif", "Les projets.": the units, the amounts, the
// schedule and the ballot are the caller's to set.
inline budgets::Process named_process(const std::string& slug) {
  budgets::Process p;
  p.slug = slug;
  p.title_fr = "Budget participatif";
  p.title_en = "Participatory budget";
  p.description_fr = "Les projets.";
  p.description_en = "The projects.";
  return p;
}

// A process over the centre (100,000), the harbour (50,000) and the
// city-wide budget (300,000), 450,000 in all, each resident voting in their
// own district and city-wide. The schedule and the ballot are the caller's.
inline budgets::Process centre_port_and_city_wide(const std::string& slug, std::int64_t centre,
                                                  std::int64_t port) {
  budgets::Process p = named_process(slug);
  p.total_amount = 450'000;
  p.scope = budgets::Scope::OwnDistrictAndCityWide;
  p.units = {budgets::Unit{0, centre, "centre", "", "", 100'000},
             budgets::Unit{0, port, "port", "", "", 50'000},
             budgets::Unit{0, std::nullopt, std::string(budgets::kCityWideSlug), "", "", 300'000}};
  return p;
}

// "Budget participatif 2026" (bp-2026) over the centre, the harbour and the
// city: an approval ballot of one to three projects, for residents 16 or
// older on the day the vote opens (2026-03-01; it closes on 2026-04-01).
inline budgets::Process approval_vote_2026(std::int64_t centre, std::int64_t port) {
  budgets::Process p = centre_port_and_city_wide("bp-2026", centre, port);
  p.title_fr = "Budget participatif 2026";
  p.title_en = "Participatory budget 2026";
  p.schedule = {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z",
                "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"};
  p.minimum_age = 16;
  p.ballot_type = budgets::BallotType::Approval;
  p.min_choices = 1;
  p.max_choices = 3;
  return p;
}

// Inserts `process`: the process as stored (its id, its units' ids).
inline budgets::Process insert_and_find(store::Connection& db, const budgets::Process& process) {
  budgets::insert_process(db, process);
  return *budgets::find_process(db, process.slug);
}

// A project of `unit_id`, proposed and reviewed as `status`: its id. Its
// description is "Description de TITLE" unless given.
inline std::int64_t reviewed_project(store::Connection& db, const budgets::Process& process,
                                     std::int64_t unit_id, const std::string& title,
                                     budgets::Amount cost,
                                     budgets::ReviewStatus status = budgets::ReviewStatus::Feasible,
                                     const std::string& description = "") {
  budgets::Project p;
  p.process_id = process.id;
  p.unit_id = unit_id;
  p.title = title;
  p.description = description.empty() ? "Description de " + title : description;
  p.estimated_cost = cost;
  p.id = budgets::insert_project(db, p);
  p.status = status;
  budgets::update_project(db, p);
  return p.id;
}

}  // namespace fabrique::test
