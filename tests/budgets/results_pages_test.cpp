// The results over HTTP: hidden until publication (but counted as soon as
// the vote has closed), the staff's comparison, count and publication, the
// exports and the JSON API.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "budgets/repository.hpp"
#include "budgets/results_actions.hpp"
#include "budgets/results_repository.hpp"
#include "pb/pabulib.hpp"
#include "store/values.hpp"
#include "support/results_scenario.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

namespace json = boost::json;
using accounts::Role;
using test::Client;
using test::WebPlatform;

using fabrique::test::contains;
using fabrique::test::nb;

Client in_english(Client client) {
  client.cookies += "; fabrique_lang=en";
  return client;
}

class ResultsPages : public ::testing::Test {
 protected:
  void SetUp() override {
    scenario = test::closed_vote(web.db(), "quartiers");
    admin = in_english(web.signed_in(web.add_account("admin@example.org", Role::Administrator)));
    resident = web.signed_in(web.add_account("resident@example.org", Role::Resident));
  }
  budgets::Process process() { return *budgets::find_process(web.db(), "quartiers"); }
  std::int64_t audits(const std::string& action) {
    return std::get<std::int64_t>(
        web.db().query("SELECT COUNT(*) FROM audit_log WHERE action = $1", {action}).at(0).at(0));
  }
  // The stored outcome of a district's result (0: centre, 1: port), and its replacement.
  json::object outcome_of(std::size_t unit) {
    return json::parse(
               store::text(web.db()
                               .query("SELECT outcome FROM budget_results WHERE unit_id = $1",
                                      {scenario.process.units.at(unit).id})
                               .at(0)
                               .at(0)))
        .as_object();
  }
  void store_outcome(std::size_t unit, const json::object& outcome) {
    web.db().execute("UPDATE budget_results SET outcome = $1 WHERE unit_id = $2",
                     {json::serialize(outcome), scenario.process.units.at(unit).id});
  }
  void publish() {
    ASSERT_EQ(web.get("/admin/budgets/quartiers/results", admin).status, 200);  // counts it
    ASSERT_EQ(
        web.post("/admin/budgets/quartiers/results/publish", admin, {{"confirm", "yes"}}).status,
        303);
  }

  WebPlatform web;
  test::ResultsScenario scenario;
  Client admin, resident;
};

TEST_F(ResultsPages, ResultsStayHiddenUntilPublishedThoughTheVoteIsCounted) {
  const auto page = web.get("/budgets/quartiers/results", in_english(web.visitor()));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "once the city has checked the count")) << page.body;
  EXPECT_FALSE(contains(page.body, "Jardin partagé"));
  EXPECT_FALSE(contains(page.body, "See the count before publication"));
  EXPECT_TRUE(process().counted_at);  // counted as soon as someone asked

  EXPECT_TRUE(contains(web.get("/budgets/quartiers/results", admin).body,
                       "/admin/budgets/quartiers/results"));
  const auto api = web.get("/api/budgets/quartiers/results");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(json::parse(api.body).at("status").as_int64(), 404);
  EXPECT_EQ(web.get("/budgets/quartiers/export?district=centre&format=pb", web.visitor()).status,
            404);
  EXPECT_EQ(web.get("/budgets/quartiers/export?district=centre&format=csv", resident).status, 404);
  // Staff may look before publishing.
  const auto early = web.get("/budgets/quartiers/export?district=centre&format=pb", admin);
  EXPECT_EQ(early.status, 200);
  EXPECT_TRUE(contains(early.body, "rule;greedy"));
  EXPECT_EQ(web.get("/budgets/nowhere/results").status, 404);
}

TEST_F(ResultsPages, StaffCompareTheRulesThenPublish) {
  EXPECT_EQ(web.get("/admin/budgets/quartiers/results", web.visitor()).status, 303);
  EXPECT_EQ(web.get("/admin/budgets/quartiers/results", resident).status, 403);
  EXPECT_EQ(
      web.post("/admin/budgets/quartiers/results/publish", resident, {{"confirm", "yes"}}).status,
      403);

  const auto page = web.get("/admin/budgets/quartiers/results", admin);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "The same vote under each rule"));
  EXPECT_TRUE(contains(page.body, "Method of Equal Shares"));
  EXPECT_TRUE(contains(page.body, "Sequential Phragmén"));
  EXPECT_TRUE(contains(page.body, "(this budget&#39;s rule)") ||
              contains(page.body, "(this budget's rule)"));
  EXPECT_TRUE(contains(page.body, "Recount"));
  EXPECT_TRUE(contains(page.body, "Publish the results"));

  ASSERT_EQ(web.post("/admin/budgets/quartiers/results/count", admin).status, 303);
  EXPECT_EQ(audits("budget.count"), 1);
  // Publishing asks first, and says what it does.
  EXPECT_TRUE(contains(page.body, "href=\"/admin/budgets/quartiers/results/publish\""));
  const auto ask = web.get("/admin/budgets/quartiers/results/publish", admin);
  EXPECT_EQ(ask.status, 200);
  EXPECT_TRUE(contains(ask.body, "the vote can no longer be recounted"));
  EXPECT_TRUE(contains(ask.body, "This cannot be undone."));
  const auto unconfirmed = web.post("/admin/budgets/quartiers/results/publish", admin);
  EXPECT_EQ(unconfirmed.status, 303);
  EXPECT_EQ(test::header_of(unconfirmed, "Location"), "/admin/budgets/quartiers/results/publish");
  EXPECT_FALSE(process().published_at) << "nothing is published without the confirmation";
  ASSERT_EQ(
      web.post("/admin/budgets/quartiers/results/publish", admin, {{"confirm", "yes"}}).status,
      303);
  EXPECT_EQ(audits("budget.publish"), 1);
  EXPECT_TRUE(process().published_at);

  // Once published: no recount, no second publication.
  EXPECT_EQ(web.post("/admin/budgets/quartiers/results/count", admin).status, 409);
  EXPECT_EQ(
      web.post("/admin/budgets/quartiers/results/publish", admin, {{"confirm", "yes"}}).status,
      409);
  EXPECT_EQ(audits("budget.count"), 1);
  const std::string after = web.get("/admin/budgets/quartiers/results", admin).body;
  EXPECT_FALSE(contains(after, "Publish the results"));
  EXPECT_TRUE(contains(after, "They can no longer be recounted"));
}

TEST_F(ResultsPages, TheStaffPageShowsTheComparisonStoredAtTheCountWithoutCountingAgain) {
  ASSERT_EQ(web.get("/admin/budgets/quartiers/results", admin).status, 200);  // counts it
  // Were the page to count the rules again, it would need the ballots or the
  // stored file: take both away, and mark the stored comparison.
  web.db().execute("DELETE FROM budget_ballots");
  web.db().execute("UPDATE budget_results SET pabulib = 'not a pabulib file'");
  json::object outcome = outcome_of(0);
  json::array& rules = outcome.at("comparison").as_array();
  ASSERT_EQ(rules.size(), 3u);
  ASSERT_EQ(rules[2].at("rule").as_string(), "phragmen");
  rules[2] = json::object{{"rule", "phragmen"},
                          {"applies", false},
                          {"funded", json::array{}},
                          {"total_cost", 0},
                          {"error", json::object{{"en", "as stored at the count"},
                                                 {"fr", "tel qu'enregistré au dépouillement"}}}};
  store_outcome(0, outcome);

  const std::string page = web.get("/admin/budgets/quartiers/results", admin).body;
  EXPECT_TRUE(contains(page, "does not apply to these ballots: as stored at the count")) << page;
  EXPECT_TRUE(contains(page, "The same vote under each rule"));
  EXPECT_TRUE(contains(page, "Same funded projects as this budget&#39;s rule") ||
              contains(page, "Same funded projects as this budget's rule"));
  EXPECT_FALSE(contains(page, "cannot be read"));

  // A result counted before the comparison was stored: compared on the fly,
  // from the stored file (here unreadable, and the page says so).
  outcome.erase("comparison");
  store_outcome(0, outcome);
  const std::string older = web.get("/admin/budgets/quartiers/results", admin).body;
  EXPECT_TRUE(contains(older, "The stored file cannot be read")) << older;
  EXPECT_FALSE(contains(older, "as stored at the count"));
}

TEST_F(ResultsPages, AResultCountedWithoutItsComparisonIsComparedOnTheFly) {
  ASSERT_EQ(web.get("/admin/budgets/quartiers/results", admin).status, 200);  // counts it
  const std::string stored = web.get("/admin/budgets/quartiers/results", admin).body;
  for (std::size_t unit : {0u, 1u}) {  // as counted by a version that did not store it
    json::object outcome = outcome_of(unit);
    ASSERT_TRUE(outcome.erase("comparison"));
    store_outcome(unit, outcome);
  }
  const std::string page = web.get("/admin/budgets/quartiers/results", admin).body;
  EXPECT_TRUE(contains(page, "The same vote under each rule"));
  EXPECT_TRUE(contains(page, "Sequential Phragmén"));
  EXPECT_TRUE(contains(page, "funded (no. 1)"));
  EXPECT_FALSE(contains(page, "cannot be read"));
  EXPECT_EQ(page, stored);  // the same comparison, counted again from the stored files
}

TEST_F(ResultsPages, NoCountBeforeTheVoteCloses) {
  budgets::Process open = process();
  open.slug = "ouvert";
  open.schedule.vote_close = "2098-01-01T00:00:00Z";
  open.id = budgets::insert_process(web.db(), open);
  EXPECT_EQ(web.post("/admin/budgets/ouvert/results/count", admin).status, 409);
  const auto page = web.get("/admin/budgets/ouvert/results", admin);
  EXPECT_EQ(page.status, 200);
  // 2098-01-01T00:00:00Z is 01:00 in Paris.
  EXPECT_TRUE(contains(page.body, nb("The vote ends on 1·January 2098 at 1·am.")));
  EXPECT_FALSE(contains(page.body, "results/count"));
  EXPECT_FALSE(budgets::find_process(web.db(), "ouvert")->counted_at);
  EXPECT_EQ(web.get("/budgets/ouvert/export?district=centre&format=pb", admin).status, 404);
}

TEST_F(ResultsPages, ThePublishedPageShowsFundingChartTurnoutAndExplanations) {
  publish();
  const auto page = web.get("/budgets/quartiers/results", in_english(web.visitor()));
  ASSERT_EQ(page.status, 200);
  const std::string& body = page.body;
  EXPECT_TRUE(contains(body, "Funded projects"));
  EXPECT_TRUE(contains(body, "Jardin partagé"));
  EXPECT_TRUE(contains(body, "<svg role=\"img\""));
  EXPECT_TRUE(contains(body, "<title id=\"chart-centre-title\">Votes per project</title>"));
  EXPECT_TRUE(contains(body, "5 votes — funded"));
  EXPECT_TRUE(contains(body, "3 votes</text>"));  // the benches: not funded, said in text
  EXPECT_TRUE(contains(body, "url(#funded-centre)"));
  // Centre: 10 people voted of 12 on its census.
  EXPECT_TRUE(contains(body, "10 people voted out of the 12 on the census of the district"))
      << body;
  EXPECT_TRUE(contains(body, "83.3%"));
  EXPECT_TRUE(contains(body, "Greedy rule"));
  EXPECT_TRUE(contains(body, "not funded: it costs 50 EUR, but only 0 EUR was left"));
  EXPECT_TRUE(contains(body, "/budgets/quartiers/export?district=port&amp;format=pb"));

  const std::string french = web.get("/budgets/quartiers/results", web.visitor()).body;
  EXPECT_TRUE(contains(french, "Projets financés"));
  EXPECT_TRUE(contains(french, "5 votes — financé"));
  EXPECT_TRUE(contains(french, "83,3"));
}

TEST_F(ResultsPages, ExportsInEachFormat) {
  publish();
  const auto pb = web.get("/budgets/quartiers/export?district=centre&format=pb");
  ASSERT_EQ(pb.status, 200);
  EXPECT_EQ(pb.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(test::header_of(pb, "Content-Disposition"),
            "attachment; filename=\"quartiers-centre.pb\"");
  const auto election = pb::read_pabulib(pb.body, "centre.pb").election;
  EXPECT_EQ(election.ballots.size(), 10u);
  EXPECT_EQ(*election.meta_value("rule"), "greedy");

  const auto csv = web.get("/budgets/quartiers/export?district=centre&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_TRUE(csv.body.starts_with("id,title,district,cost,votes,points,selected,round\r\n"));
  EXPECT_TRUE(
      contains(csv.body, std::to_string(scenario.jardin) + ",Jardin partagé,centre,60,5,,1,1\r\n"));
  EXPECT_TRUE(contains(csv.body, std::to_string(scenario.bancs) + ",Bancs,centre,50,3,,0,0\r\n"));

  const auto js = web.get("/budgets/quartiers/export?district=port&format=json");
  ASSERT_EQ(js.status, 200);
  const auto value = json::parse(js.body).as_object();
  EXPECT_EQ(value.at("district").as_string(), "port");
  EXPECT_EQ(value.at("process").as_string(), "quartiers");
  EXPECT_EQ(value.at("funded").as_array().at(0).as_string(), std::to_string(scenario.ponton));
  // The rules compared are stored with the result, for staff only.
  EXPECT_TRUE(outcome_of(1).contains("comparison"));
  EXPECT_FALSE(value.contains("comparison"));
  EXPECT_FALSE(contains(js.body, "comparison"));

  EXPECT_EQ(web.get("/budgets/quartiers/export?district=centre&format=xls").status, 400);
  EXPECT_EQ(web.get("/budgets/quartiers/export?district=mars&format=pb").status, 404);
}

TEST_F(ResultsPages, TheApiDescribesProcessesProjectsAndResults) {
  const auto list = json::parse(web.get("/api/budgets").body).as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("slug").as_string(), "quartiers");
  EXPECT_EQ(list[0].at("phase").as_string(), "results");
  EXPECT_EQ(list[0].at("total_amount").as_int64(), 180);
  EXPECT_EQ(json::serialize(list[0].at("districts")), "[\"centre\",\"port\"]");

  const auto one = json::parse(web.get("/api/budgets/quartiers").body).as_object();
  EXPECT_EQ(one.at("process").at("rule").as_string(), "greedy");
  EXPECT_EQ(one.at("process").at("ballot_type").as_string(), "approval");
  EXPECT_EQ(one.at("districts").as_array().size(), 2u);
  EXPECT_EQ(one.at("districts").at(0).at("amount").as_int64(), 100);
  const auto& projects = one.at("projects").as_array();
  EXPECT_EQ(projects.size(), 5u);
  bool saw_infeasible = false;
  for (const auto& p : projects) {
    if (p.at("status").as_string() != "infeasible") continue;
    saw_infeasible = true;
    EXPECT_EQ(p.at("review_note").as_string(), "Hors compétence.");
    EXPECT_TRUE(p.at("final_cost").is_null());
    EXPECT_TRUE(p.at("implementation").is_null());
  }
  EXPECT_TRUE(saw_infeasible);
  EXPECT_EQ(web.get("/api/budgets/nowhere").status, 404);

  publish();
  const auto results = json::parse(web.get("/api/budgets/quartiers/results").body).as_object();
  const auto& districts = results.at("districts").as_array();
  ASSERT_EQ(districts.size(), 2u);
  EXPECT_EQ(districts[0].at("district").as_string(), "centre");
  EXPECT_EQ(districts[0].at("rule").as_string(), "greedy");
  EXPECT_EQ(districts[0].at("budget").as_int64(), 100);
  EXPECT_EQ(districts[0].at("ballots").as_int64(), 10);
  EXPECT_EQ(json::serialize(districts[0].at("funded")),
            "[\"" + std::to_string(scenario.jardin) + "\",\"" + std::to_string(scenario.fontaine) +
                "\"]");
  const auto& first = districts[0].at("projects").at(0).as_object();
  EXPECT_TRUE(first.contains("votes"));
  EXPECT_TRUE(first.contains("cost"));
  EXPECT_TRUE(first.contains("selected"));
  EXPECT_FALSE(districts[0].as_object().contains("comparison"));
  EXPECT_FALSE(contains(web.get("/api/budgets/quartiers/results").body, "comparison"));
  // Published: the funded projects are now tracked.
  const auto after = json::parse(web.get("/api/budgets/quartiers").body).as_object();
  for (const auto& p : after.at("projects").as_array()) {
    if (p.at("id").as_int64() == scenario.jardin) {
      EXPECT_EQ(p.at("implementation").as_string(), "planned");
    }
  }
}

}  // namespace
}  // namespace fabrique
