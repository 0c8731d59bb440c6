// The demo's participatory budgets: one process in each phase, realistic
// figures, and for the published one the promise of the issue: the exported
// .pb of every district, recounted by `fabrique pb count --rule official`,
// funds exactly what GET /api/budgets/{slug}/results says.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "budgets/pages.hpp"
#include "budgets/repository.hpp"
#include "cli/demo.hpp"
#include "cli/demo_budgets.hpp"
#include "support/cli_run.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

namespace json = boost::json;

std::int64_t count(store::Connection& db, const std::string& sql) {
  return std::get<std::int64_t>(db.query(sql).at(0).at(0));
}

class DemoBudgets : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cli::seed_demo(web.platform().database(), web.platform().app().secrets).seeded);
  }
  test::WebPlatform web;
};

TEST_F(DemoBudgets, OneProcessInEachPhaseWithRealisticFigures) {
  std::set<budgets::Phase> phases;
  for (const auto& process : budgets::list_processes(web.db()))
    phases.insert(budgets::current_phase(process));
  EXPECT_EQ(phases, (std::set<budgets::Phase>{budgets::Phase::Proposals, budgets::Phase::Review,
                                              budgets::Phase::Vote, budgets::Phase::Results,
                                              budgets::Phase::Implementation}));

  const auto published = budgets::find_process(web.db(), cli::kDemoPublishedBudget);
  ASSERT_TRUE(published && published->published_at);
  EXPECT_EQ(published->units.size(), 5u);  // four districts and the city-wide budget
  EXPECT_EQ(published->total_amount, 700000);
  const auto projects = budgets::list_projects(web.db(), published->id);
  EXPECT_GE(projects.size(), 30u);
  EXPECT_LE(projects.size(), 40u);
  const std::string id = std::to_string(published->id);
  EXPECT_GE(count(web.db(), "SELECT COUNT(*) FROM budget_ballots WHERE process_id = " + id), 200);
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM budget_projects WHERE process_id = " + id +
                                " AND status = 'infeasible'"),
            1);
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM budget_projects WHERE process_id = " + id +
                                " AND status = 'merged' AND merged_into IS NOT NULL"),
            1);
  // Its funded projects are being carried out, with dated public updates.
  EXPECT_GE(count(web.db(), "SELECT COUNT(*) FROM budget_projects WHERE process_id = " + id +
                                " AND implementation = 'done' AND spent IS NOT NULL"),
            1);
  EXPECT_GE(count(web.db(), "SELECT COUNT(*) FROM budget_projects WHERE process_id = " + id +
                                " AND implementation = 'in-progress' AND progress > 0"),
            1);
  EXPECT_GE(count(web.db(),
                  "SELECT COUNT(*) FROM budget_project_updates u JOIN budget_projects "
                  "p ON p.id = u.project_id WHERE p.process_id = " +
                      id),
            10);
  // The vote in progress leaves the demo resident free to vote.
  const auto voting = budgets::find_process(web.db(), cli::kDemoVoteBudget);
  ASSERT_TRUE(voting);
  EXPECT_GT(count(web.db(), "SELECT COUNT(*) FROM budget_ballots WHERE process_id = " +
                                std::to_string(voting->id)),
            20);
  EXPECT_FALSE(voting->counted_at);

  // Seeding again adds nothing.
  const auto ballots = count(web.db(), "SELECT COUNT(*) FROM budget_ballots");
  EXPECT_FALSE(cli::seed_demo(web.platform().database(), web.platform().app().secrets).seeded);
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM budget_processes"), 5);
  EXPECT_EQ(count(web.db(), "SELECT COUNT(*) FROM budget_ballots"), ballots);
}

TEST_F(DemoBudgets, ThePublishedExportsRecountToTheFundedSetsOfTheApi) {
  const auto api =
      json::parse(
          web.get(std::string("/api/budgets/") + cli::kDemoPublishedBudget + "/results").body)
          .as_object();
  const auto& districts = api.at("districts").as_array();
  ASSERT_EQ(districts.size(), 5u);
  const std::string url = "sqlite:" + (web.dir() / "db.sqlite").string();
  for (const auto& district : districts) {
    const std::string slug(district.at("district").as_string());
    const test::CliRun recount = test::run_shell(
        test::fabrique_command({"budgets", "export", "--database", url, "--process",
                                cli::kDemoPublishedBudget, "--district", slug, "--format", "pb"}) +
        " | " +
        test::fabrique_command(
            {"pb", "count", "/dev/stdin", "--rule", "official", "--format", "json"}));
    ASSERT_EQ(recount.status, 0) << slug << ": " << recount.out << recount.err;
    EXPECT_EQ(json::serialize(json::parse(recount.out).at("selected")),
              json::serialize(district.at("funded")))
        << slug;
    EXPECT_FALSE(district.at("funded").as_array().empty()) << slug;
  }
}

}  // namespace
}  // namespace fabrique
