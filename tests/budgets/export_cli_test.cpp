// `fabrique budgets export` as staff and scripts run it: the exported .pb
// recounts with `fabrique pb count --rule official` to exactly the funded
// set the JSON API publishes, for every district; errors are one line.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "support/cli_run.hpp"
#include "support/results_scenario.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

namespace json = boost::json;

using test::CliRun;

CliRun fabrique(const std::vector<std::string>& args) { return test::run_fabrique(args); }

class BudgetsExportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    scenario = test::closed_vote(web.db(), "quartiers", budgets::CountingRule::EqualShares);
    url = "sqlite:" + (web.dir() / "db.sqlite").string();
  }
  void publish() {
    const auto admin =
        web.signed_in(web.add_account("admin@example.org", accounts::Role::Administrator));
    ASSERT_EQ(web.get("/admin/budgets/quartiers/results", admin).status, 200);
    ASSERT_EQ(
        web.post("/admin/budgets/quartiers/results/publish", admin, {{"confirm", "yes"}}).status,
        303);
  }
  std::vector<std::string> export_args(const std::string& district, const std::string& format) {
    return {"budgets",   "export",     "--database", url,        "--process",
            "quartiers", "--district", district,     "--format", format};
  }

  test::WebPlatform web;
  test::ResultsScenario scenario;
  std::string url;
};

TEST_F(BudgetsExportCli, TheExportedFileRecountsToThePublishedFundedSet) {
  publish();
  const auto api = json::parse(web.get("/api/budgets/quartiers/results").body).as_object();
  const auto& districts = api.at("districts").as_array();
  ASSERT_EQ(districts.size(), 2u);
  for (const auto& district : districts) {
    const std::string slug(district.at("district").as_string());
    const auto file = web.dir() / (slug + ".pb");
    auto args = export_args(slug, "pb");
    args.insert(args.end(), {"--output", file.string()});
    const CliRun exported = fabrique(args);
    ASSERT_EQ(exported.status, 0) << exported.err;
    const CliRun counted =
        fabrique({"pb", "count", file.string(), "--rule", "official", "--format", "json"});
    ASSERT_EQ(counted.status, 0) << counted.err;
    const auto recount = json::parse(counted.out).as_object();
    EXPECT_EQ(json::serialize(recount.at("selected")), json::serialize(district.at("funded")))
        << slug;
    EXPECT_FALSE(district.at("funded").as_array().empty());
  }

  // The same CSV and JSON as the web site's.
  for (const std::string format : {"csv", "json"}) {
    const CliRun run = fabrique(export_args("centre", format));
    ASSERT_EQ(run.status, 0) << run.err;
    const auto web_export =
        web.get("/budgets/quartiers/export?district=centre&format=" + format).body;
    EXPECT_EQ(run.out, web_export) << format;
  }
}

TEST_F(BudgetsExportCli, ErrorsAreOneClearLine) {
  const CliRun uncounted = fabrique(export_args("centre", "pb"));
  EXPECT_EQ(uncounted.status, 1);
  EXPECT_EQ(uncounted.err, "fabrique: le vote de 'quartiers' n'a pas encore été dépouillé\n");

  auto args = export_args("mars", "pb");
  args.insert(args.end(), {"--lang", "en"});
  const CliRun district = fabrique(args);
  EXPECT_EQ(district.status, 1);
  EXPECT_EQ(district.err,
            "fabrique: the budget 'quartiers' has no district 'mars' (its districts: centre, "
            "port)\n");

  args = export_args("centre", "pb");
  args[5] = "nowhere";
  args.insert(args.end(), {"--lang", "en"});
  const CliRun process = fabrique(args);
  EXPECT_EQ(process.status, 1);
  EXPECT_EQ(process.err, "fabrique: no participatory budget 'nowhere' in this database\n");
  EXPECT_TRUE(process.out.empty());
}

}  // namespace
}  // namespace fabrique
