// The demo city `make run` serves: seeded once, complete, its logins real.
#include <gtest/gtest.h>

#include <set>

#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "cli/demo.hpp"
#include "support/databases.hpp"

namespace fabrique::cli {
namespace {

class Demo : public test::BackendTest {};

std::int64_t count(store::Connection& c, const std::string& table) {
  return std::get<std::int64_t>(c.query("SELECT COUNT(*) FROM " + table).at(0).at(0));
}

TEST_P(Demo, SeedsOnceWithEveryRoleACensusAndAVerifiedResident) {
  auto db = fresh_database();
  const Secrets secrets{crypto::random_key(), crypto::random_key(), crypto::random_key()};
  const DemoSeedReport first = seed_demo(*db, secrets);
  EXPECT_TRUE(first.seeded);
  EXPECT_EQ(first.census_people, static_cast<std::size_t>(kDemoCensusPeople));
  auto c = db->connect();
  EXPECT_EQ(count(*c, "districts"), static_cast<std::int64_t>(demo_districts().size()));
  EXPECT_EQ(count(*c, "census_entries"), kDemoCensusPeople);
  EXPECT_EQ(count(*c, "accounts"), static_cast<std::int64_t>(demo_accounts().size()));

  // Every role but the visitor has a demo login that works.
  std::set<accounts::Role> roles;
  for (const auto& demo : demo_accounts()) {
    const auto account = accounts::find_account_by_email(*c, demo.email);
    ASSERT_TRUE(account) << demo.email;
    roles.insert(account->role);
    EXPECT_TRUE(
        accounts::verify_password(kDemoPassword, *accounts::password_hash_of(*c, account->id)));
  }
  EXPECT_EQ(roles.size(), std::size(accounts::kAllRoles) - 1);
  EXPECT_TRUE(accounts::find_account_by_email(*c, "resident@demo.fabrique.example")->verified());
  EXPECT_FALSE(accounts::find_account_by_email(*c, "newcomer@demo.fabrique.example")->verified());

  // A second run changes nothing.
  EXPECT_FALSE(seed_demo(*db, secrets).seeded);
  EXPECT_EQ(count(*c, "accounts"), static_cast<std::int64_t>(demo_accounts().size()));
  EXPECT_EQ(count(*c, "census_entries"), kDemoCensusPeople);
}

TEST(DemoCensus, IdentitiesMatchTheCsv) {
  const auto person = demo_identity(1);
  EXPECT_EQ(person.document_number, "DEMO0001");
  EXPECT_NE(demo_census_csv(3).find(person.document_number + "," + person.birth_date + "," +
                                    person.postal_code),
            std::string::npos);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(Demo);

}  // namespace
}  // namespace fabrique::cli
