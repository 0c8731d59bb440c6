// What the abuse tests of participatory budgets share: the whole web
// platform on each storage backend (SQLite and PostgreSQL), a vote open
// today with a verified resident, and the helpers to vote, close and count.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "budgets/repository.hpp"
#include "budgets/results_actions.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "store/values.hpp"
#include "support/databases.hpp"
#include "web/web_support.hpp"

namespace fabrique::test {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Midnight UTC `days` from today, as the schedule stores it.
inline std::string day_from_today(int days) {
  return format_date(std::chrono::year_month_day{std::chrono::sys_days(today_utc()) +
                                                 std::chrono::days(days)}) +
         "T00:00:00Z";
}

// The web platform on a database of the test's own, on the test's backend.
class WebOnBackend : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    database_ = fresh_database();
    web_ = std::make_unique<WebPlatform>(web::Config{}, database_->url());
  }
  void TearDown() override {
    web_.reset();  // before the database is dropped
    database_.reset();
  }

  WebPlatform& web() { return *web_; }
  store::Connection& db() { return web_->db(); }
  std::int64_t count(const std::string& sql) { return store::integer(db().query(sql).at(0).at(0)); }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<WebPlatform> web_;
};

// A knapsack vote open today (closing in 20 days) in one district, two
// feasible projects, and a resident verified on the census.
struct OpenVote {
  budgets::Process process;
  std::int64_t garden = 0, benches = 0;  // project ids
  std::int64_t resident = 0;             // account id
};

inline OpenVote open_vote(WebPlatform& web, const std::string& slug) {
  store::Connection& db = web.db();
  OpenVote v;
  const auto centre = residency::add_district(db, {"centre", "Centre-ville", "Town centre"}).id;
  EXPECT_EQ(residency::import_census(db, web.platform().app().secrets.census,
                                     "document_number,birth_date,postal_code,district\n"
                                     "AB123456,1990-12-31,75011,centre\n")
                .imported,
            1);
  v.resident = web.add_account("alice@example.org", accounts::Role::Resident, "Alice");
  EXPECT_EQ(residency::verify_residency(db, web.platform().app().secrets.census, v.resident,
                                        {"AB123456", "1990-12-31", "75011"}, {})
                .outcome,
            residency::VerificationOutcome::Verified);
  budgets::Process p;
  p.slug = slug;
  p.title_fr = "Budget participatif";
  p.title_en = "Participatory budget";
  p.description_fr = "Les projets.";
  p.description_en = "The projects.";
  p.total_amount = 100'000;
  p.schedule = {day_from_today(-60), day_from_today(-30), day_from_today(-5), day_from_today(20),
                day_from_today(50)};
  p.ballot_type = budgets::BallotType::Knapsack;
  p.units = {budgets::Unit{0, centre, "centre", "", "", 100'000}};
  budgets::insert_process(db, p);
  v.process = *budgets::find_process(db, slug);
  for (auto [id, title] : {std::pair{&v.garden, "Jardin partagé"}, {&v.benches, "Bancs"}}) {
    budgets::Project project;
    project.process_id = v.process.id;
    project.unit_id = v.process.units.at(0).id;
    project.title = title;
    project.description = "Description";
    project.estimated_cost = 40'000;
    project.id = budgets::insert_project(db, project);
    project.status = budgets::ReviewStatus::Feasible;
    budgets::update_project(db, project);
    *id = project.id;
  }
  return v;
}

// The receipt code a confirmation page shows ("" when none).
inline std::string receipt_shown(const std::string& page) {
  const std::string marker = "<p class=\"receipt\"><strong>";
  const std::size_t at = page.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t start = at + marker.size();
  return page.substr(start, page.find('<', start) - start);
}

// The resident's ballot for `project`, confirmed: its receipt code.
inline std::string vote_for(WebPlatform& web, const OpenVote& v, const Client& voter,
                            std::int64_t project) {
  const http::Response page = web.post(
      "/budgets/" + v.process.slug + "/vote", voter,
      {{"district", "centre"}, {"project", std::to_string(project)}, {"action", "confirm"}});
  EXPECT_EQ(page.status, 200) << page.body;
  return receipt_shown(page.body);
}

// Closes the vote (yesterday) and counts it, as the server does at the close.
inline void close_and_count(WebPlatform& web, const std::string& slug) {
  web.db().execute("UPDATE budget_processes SET vote_close = $1 WHERE slug = $2",
                   {day_from_today(-1), slug});
  budgets::count_process(web.db(), *budgets::find_process(web.db(), slug));
}

}  // namespace fabrique::test
