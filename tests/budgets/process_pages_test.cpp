// Setting up a process over HTTP, and the public pages that show it.
#include <gtest/gtest.h>

#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

using accounts::Role;
using test::Client;
using test::Fields;
using test::WebPlatform;

using fabrique::test::contains;

Client in_english(Client client) {
  client.cookies += "; fabrique_lang=en";
  return client;
}

std::string day(int days_from_today) {
  return format_date(std::chrono::year_month_day{std::chrono::sys_days(today_utc()) +
                                                 std::chrono::days(days_from_today)});
}

Fields process_fields(const std::string& slug) {
  return {{"slug", slug},
          {"title_fr", "Budget participatif des quartiers"},
          {"title_en", "Neighbourhood participatory budget"},
          {"description_fr", "Proposez puis choisissez les projets de votre quartier."},
          {"description_en", "Propose, then choose, your district's projects."},
          {"amount_centre", "60000"},
          {"amount_port", "40000"},
          {"city_wide_amount", ""},
          {"total_amount", "100000"},
          {"proposals_open", day(-1)},
          {"review_open", day(10)},
          {"vote_open", day(20)},
          {"vote_close", day(30)},
          {"implementation_open", day(60)},
          {"scope", "district"},
          {"minimum_age", "16"},
          {"ballot_type", "knapsack"},
          {"min_choices", "1"},
          {"max_choices", "5"},
          {"points_total", "10"},
          {"rule", "greedy"}};
}

Fields with(Fields fields, const std::string& name, const std::string& value) {
  for (auto& [key, old] : fields)
    if (key == name) old = value;
  return fields;
}

class ProcessPages : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(residency::add_district(web.db(), {"centre", "Centre", "Centre"}).errors.empty());
    ASSERT_TRUE(
        residency::add_district(web.db(), {"port", "Le Port", "The Harbour"}).errors.empty());
    admin = in_english(web.signed_in(web.add_account("admin@example.org", Role::Administrator)));
  }
  WebPlatform web;
  Client admin;
};

TEST_F(ProcessPages, AnAdministratorSetsUpAProcessThatEveryoneSees) {
  const auto created = web.post("/admin/budgets/new", admin, process_fields("quartiers-2027"));
  ASSERT_EQ(created.status, 303) << created.body;
  EXPECT_EQ(test::header_of(created, "Location"), "/admin/budgets/quartiers-2027/edit");

  const auto process = budgets::find_process(web.db(), "quartiers-2027");
  ASSERT_TRUE(process);
  EXPECT_EQ(process->ballot_type, budgets::BallotType::Knapsack);
  ASSERT_EQ(process->units.size(), 2u);
  EXPECT_EQ(process->units[0].slug, "centre");
  EXPECT_EQ(process->units[0].amount, 60000);
  EXPECT_EQ(process->units[1].amount, 40000);

  const std::string page = web.get("/budgets/quartiers-2027", in_english(web.visitor())).body;
  EXPECT_TRUE(contains(page, "Neighbourhood participatory budget"));
  EXPECT_TRUE(contains(page, "€60,000"));
  EXPECT_TRUE(contains(page, "Propose a project"));  // proposals are open
  // The phase and the counting rule, each with what it means.
  EXPECT_TRUE(contains(page, "Residents submit their projects."));
  EXPECT_TRUE(contains(page, budgets::rule_explanation(process->rule).en));
  EXPECT_FALSE(contains(page, ">Vote</a>"));
  EXPECT_TRUE(
      contains(web.get("/budgets", web.visitor()).body, "Budget participatif des quartiers"));
  EXPECT_TRUE(contains(web.get("/", web.visitor()).body, "/budgets/quartiers-2027"));
  EXPECT_EQ(web.get("/budgets/no-such-budget", web.visitor()).status, 404);

  const auto audit =
      web.db().query("SELECT subject FROM audit_log WHERE action = 'budget.process.create'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(std::get<std::string>(audit[0][0]), "quartiers-2027");
}

TEST_F(ProcessPages, ABadFormSaysWhatIsWrongAndChangesNothing) {
  const auto answer = web.post(
      "/admin/budgets/new", admin,
      with(with(process_fields("quartiers-2027"), "total_amount", "99999"), "rule", "borda"));
  EXPECT_EQ(answer.status, 422);
  EXPECT_TRUE(contains(answer.body, "must equal the districts"));
  EXPECT_TRUE(contains(answer.body, "Choose the counting rule."));
  EXPECT_TRUE(contains(answer.body, "value=\"quartiers-2027\""));  // kept for the next try
  EXPECT_FALSE(budgets::find_process(web.db(), "quartiers-2027"));

  // Only the fields at fault are marked invalid: here the total, never the
  // districts' amounts, which are right.
  EXPECT_TRUE(contains(answer.body, "id=\"total_amount\""));
  EXPECT_FALSE(contains(answer.body, "aria-describedby=\"amount_centre-error\""));
  const auto amount_12_5 =
      web.post("/admin/budgets/new", admin,
               with(process_fields("quartiers-2027"), "amount_centre", "60000,5"));
  EXPECT_EQ(amount_12_5.status, 422);
  EXPECT_TRUE(contains(amount_12_5.body, "aria-describedby=\"amount_centre-error\""));
  EXPECT_TRUE(contains(amount_12_5.body, "Amounts are in whole euros: write 60000 or 60001."));
  EXPECT_FALSE(contains(amount_12_5.body, "aria-describedby=\"amount_port-error\""));
  EXPECT_FALSE(contains(web.get("/admin/budgets/new", admin).body, "aria-invalid"))
      << "a blank form has no field in error";

  ASSERT_EQ(web.post("/admin/budgets/new", admin, process_fields("quartiers-2027")).status, 303);
  const auto twice = web.post("/admin/budgets/new", admin, process_fields("quartiers-2027"));
  EXPECT_EQ(twice.status, 422);
  EXPECT_TRUE(contains(twice.body, "already uses this address name"));
}

const Fields kConfirmed{{"confirm", "yes"}};

TEST_F(ProcessPages, TheNextPhaseOpensOnlyOnceConfirmed) {
  ASSERT_EQ(web.post("/admin/budgets/new", admin, process_fields("quartiers-2027")).status, 303);
  // The settings page links to a page that says what will happen.
  EXPECT_TRUE(contains(web.get("/admin/budgets/quartiers-2027/edit", admin).body,
                       "href=\"/admin/budgets/quartiers-2027/next-phase\""));
  const auto page = web.get("/admin/budgets/quartiers-2027/next-phase", admin);
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Open the phase “Feasibility review” now?"));
  EXPECT_TRUE(contains(page.body, "Proposals will close: no project can be submitted or changed"));
  EXPECT_TRUE(contains(page.body, "This cannot be undone."));
  EXPECT_TRUE(contains(page.body, "name=\"confirm\" value=\"yes\""));
  // A POST without the confirmation changes nothing: it leads to that page.
  const auto unconfirmed = web.post("/admin/budgets/quartiers-2027/next-phase", admin);
  EXPECT_EQ(unconfirmed.status, 303);
  EXPECT_EQ(test::header_of(unconfirmed, "Location"), "/admin/budgets/quartiers-2027/next-phase");
  EXPECT_EQ(
      budgets::phase_at(budgets::find_process(web.db(), "quartiers-2027")->schedule, now_iso8601()),
      budgets::Phase::Proposals);
  // Confirmed: the next phase opens. Before the vote, the page says until when it will run.
  ASSERT_EQ(web.post("/admin/budgets/quartiers-2027/next-phase", admin, kConfirmed).status, 303);
  const auto process = budgets::find_process(web.db(), "quartiers-2027");
  EXPECT_EQ(budgets::phase_at(process->schedule, now_iso8601()), budgets::Phase::Review);
  EXPECT_TRUE(contains(web.get("/admin/budgets/quartiers-2027/next-phase", admin).body,
                       "residents will be able to vote until " +
                           display_deadline(process->schedule.vote_close, Lang::En) + "."));
}

TEST_F(ProcessPages, TheNextPhaseOpensOnRequestAndLocksTheBallot) {
  ASSERT_EQ(web.post("/admin/budgets/new", admin, process_fields("quartiers-2027")).status, 303);
  // Proposals → review → vote.
  ASSERT_EQ(web.post("/admin/budgets/quartiers-2027/next-phase", admin, kConfirmed).status, 303);
  ASSERT_EQ(web.post("/admin/budgets/quartiers-2027/next-phase", admin, kConfirmed).status, 303);
  auto process = budgets::find_process(web.db(), "quartiers-2027");
  ASSERT_TRUE(process);
  EXPECT_EQ(budgets::phase_at(process->schedule, now_iso8601()), budgets::Phase::Vote);
  EXPECT_TRUE(contains(web.get("/budgets/quartiers-2027", in_english(web.visitor())).body,
                       "/budgets/quartiers-2027/vote"));

  // The edit form now keeps what ballots were cast under.
  const std::string form = web.get("/admin/budgets/quartiers-2027/edit", admin).body;
  EXPECT_TRUE(contains(form, "Open the next phase now"));
  Fields edit = process_fields("ignored");
  for (const char* date : {"proposals_open", "review_open", "vote_open"})
    edit = with(edit, date, "");
  edit = with(edit, "proposals_open", process->schedule.proposals_open);
  edit = with(edit, "review_open", process->schedule.review_open);
  edit = with(edit, "vote_open", process->schedule.vote_open);
  const auto refused =
      web.post("/admin/budgets/quartiers-2027/edit", admin, with(edit, "rule", "mes"));
  EXPECT_EQ(refused.status, 422);
  EXPECT_TRUE(contains(refused.body, "The counting rule cannot change once the vote has opened."));
  const auto allowed = web.post("/admin/budgets/quartiers-2027/edit", admin,
                                with(edit, "title_en", "Neighbourhood budget, extended"));
  EXPECT_EQ(allowed.status, 303) << allowed.body;
  EXPECT_EQ(budgets::find_process(web.db(), "quartiers-2027")->title_en,
            "Neighbourhood budget, extended");
  EXPECT_EQ(budgets::find_process(web.db(), "quartiers-2027")->rule, budgets::CountingRule::Greedy);

  // Vote → results → implementation, and then there is no next phase.
  ASSERT_EQ(web.post("/admin/budgets/quartiers-2027/next-phase", admin, kConfirmed).status, 303);
  ASSERT_EQ(web.post("/admin/budgets/quartiers-2027/next-phase", admin, kConfirmed).status, 303);
  EXPECT_EQ(web.post("/admin/budgets/quartiers-2027/next-phase", admin, kConfirmed).status, 409);
  EXPECT_EQ(web.db()
                .query("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.process.phase'")
                .at(0)
                .at(0),
            store::Value(std::int64_t{4}));
}

TEST_F(ProcessPages, OnlyAdministratorsSetUpProcesses) {
  const Client reviewer = web.signed_in(web.add_account("r@example.org", Role::Reviewer));
  EXPECT_EQ(web.get("/admin/budgets", reviewer).status, 200);
  EXPECT_EQ(web.get("/admin/budgets/new", reviewer).status, 403);
  EXPECT_EQ(web.post("/admin/budgets/new", reviewer, process_fields("x-2027")).status, 403);
  EXPECT_FALSE(budgets::find_process(web.db(), "x-2027"));
}

}  // namespace
}  // namespace fabrique
