// A vote over the whole web platform on each storage backend (SQLite and
// PostgreSQL): a vote open today with a verified resident, and the steps to
// vote, close and count.
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
#include "support/budget_process.hpp"
#include "support/databases.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique::test {

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
  budgets::Process p = named_process(slug);
  p.total_amount = 100'000;
  p.schedule = {day_from_today(-60), day_from_today(-30), day_from_today(-5), day_from_today(20),
                day_from_today(50)};
  p.ballot_type = budgets::BallotType::Knapsack;
  p.units = {budgets::Unit{0, centre, "centre", "", "", 100'000}};
  v.process = insert_and_find(db, p);
  const std::int64_t unit = v.process.units.at(0).id;
  v.garden = reviewed_project(db, v.process, unit, "Jardin partagé", 40'000,
                              budgets::ReviewStatus::Feasible, "Description");
  v.benches = reviewed_project(db, v.process, unit, "Bancs", 40'000,
                               budgets::ReviewStatus::Feasible, "Description");
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
