// Issue 9, item 6: at the counter, only the census identity read from an
// identity document identifies a person who votes or whose residency is
// verified. An e-mail address yields no voter; a clerk cannot name an
// account by its id; every census lookup a clerk makes is on record.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "residency/census_import.hpp"
#include "residency/repository.hpp"
#include "store/values.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique::budgets {
namespace {

namespace chr = std::chrono;
using accounts::Role;
using store::integer;
using test::Client;

using fabrique::test::contains;

std::string day(int from_today) {
  return format_date(chr::year_month_day{chr::sys_days(today_utc()) + chr::days(from_today)}) +
         "T00:00:00Z";
}

class AbuseCounterIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Connection& db = web_.db();
    centre_ = residency::add_district(db, {"centre", "Centre-ville", "Town centre"}).id;
    ASSERT_EQ(residency::import_census(db, web_.platform().app().secrets.census,
                                       "document_number,birth_date,postal_code,district\n"
                                       "AB123456,1990-12-31,75011,centre\n"
                                       "EF111111,1985-05-05,75011,centre\n")
                  .imported,
              2);
    alice_ = web_.add_account("alice@example.org", Role::Resident, "Alice Martin");
    ASSERT_EQ(residency::verify_residency(db, web_.platform().app().secrets.census, alice_,
                                          {"AB123456", "1990-12-31", "75011"}, {})
                  .outcome,
              residency::VerificationOutcome::Verified);
    newcomer_ = web_.add_account("newcomer@example.org", Role::Resident, "Nina Nouvelle");
    clerk_ = web_.add_account("clerk@example.org", Role::Clerk, "Claire Guichet");

    Process p;
    p.slug = "bp";
    p.title_fr = "Budget participatif";
    p.title_en = "Participatory budget";
    p.description_fr = "Les projets.";
    p.description_en = "The projects.";
    p.total_amount = 100'000;
    p.schedule = {day(-60), day(-30), day(-5), day(20), day(50)};
    p.scope = Scope::OwnDistrict;
    p.ballot_type = BallotType::Approval;
    p.min_choices = 1;
    p.max_choices = 3;
    p.units = {Unit{0, centre_, "centre", "", "", 100'000}};
    insert_process(db, p);
  }

  std::int64_t count(const std::string& sql) { return integer(web_.db().query(sql).at(0).at(0)); }

  test::WebPlatform web_;
  std::int64_t centre_ = 0, alice_ = 0, newcomer_ = 0, clerk_ = 0;
};

TEST_F(AbuseCounterIdentity, AnEmailAddressYieldsNoVoterAtTheBallotCounter) {
  const Client clerk = web_.signed_in(clerk_);
  const http::Response page =
      web_.get("/admin/budgets/bp/counter?email=alice%40example.org", clerk);
  EXPECT_EQ(page.status, 200);
  EXPECT_FALSE(contains(page.body, "name=\"voter\""));
  EXPECT_FALSE(contains(page.body, "Alice Martin"));
  // The identity document is the way, and it is on record.
  const http::Response found = web_.post("/admin/budgets/bp/counter", clerk,
                                         {{"action", "identify"},
                                          {"document_number", "AB123456"},
                                          {"birth_date", "1990-12-31"},
                                          {"postal_code", "75011"}});
  EXPECT_EQ(found.status, 200);
  EXPECT_TRUE(contains(found.body, "name=\"voter\""));
  const http::Response unknown = web_.post("/admin/budgets/bp/counter", clerk,
                                           {{"action", "identify"},
                                            {"document_number", "ZZ000000"},
                                            {"birth_date", "1990-12-31"},
                                            {"postal_code", "75011"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.counter.lookup' AND "
                  "detail LIKE '%found=census entry%'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.counter.lookup' AND "
                  "detail LIKE '%found=none%'"),
            1);
}

TEST_F(AbuseCounterIdentity, AClerkCannotEnumerateAccountsById) {
  const Client clerk = web_.signed_in(clerk_);
  for (std::int64_t id : {alice_, newcomer_}) {
    const http::Response page = web_.get("/admin/counter?account=" + std::to_string(id), clerk);
    EXPECT_FALSE(contains(page.body, "@example.org")) << id;
    EXPECT_FALSE(contains(page.body, "Nina Nouvelle"));
  }
  // Nor verify an account named by its id, or by a token made up.
  for (const test::Fields& naming :
       {test::Fields{{"account_id", std::to_string(newcomer_)}},
        test::Fields{{"account", std::to_string(newcomer_) + ".0123456789abcdef"}}}) {
    test::Fields fields = naming;
    fields.insert(
        fields.end(),
        {{"document_number", "EF111111"}, {"birth_date", "1985-05-05"}, {"postal_code", "75011"}});
    const http::Response answer = web_.post("/admin/counter", clerk, fields);
    EXPECT_EQ(answer.status, 400);
    EXPECT_FALSE(contains(answer.body, "Nina Nouvelle"));
  }
  EXPECT_FALSE(web_.account(newcomer_)->verified());
  // A token signed for another clerk does not work either.
  const std::int64_t other = web_.add_account("other@example.org", Role::Clerk, "Autre Agent");
  const http::Response found = web_.get("/admin/counter?email=newcomer%40example.org", clerk);
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(found.body, match, std::regex("name=\"account\" value=\"([^\"]+)\"")));
  EXPECT_EQ(web_.post("/admin/counter", web_.signed_in(other),
                      {{"account", match[1].str()},
                       {"document_number", "EF111111"},
                       {"birth_date", "1985-05-05"},
                       {"postal_code", "75011"}})
                .status,
            400);
  EXPECT_FALSE(web_.account(newcomer_)->verified());
}

TEST_F(AbuseCounterIdentity, EveryAccountLookupAtTheResidencyCounterIsOnRecord) {
  const Client clerk = web_.signed_in(clerk_);
  EXPECT_EQ(web_.get("/admin/counter?email=newcomer%40example.org", clerk).status, 200);
  EXPECT_EQ(web_.get("/admin/counter?email=nobody%40example.org", clerk).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'residency.counter_lookup'"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'residency.counter_lookup' AND "
                  "actor_account_id = " +
                  std::to_string(clerk_) + " AND detail = 'found=none'"),
            1);
}

}  // namespace
}  // namespace fabrique::budgets
