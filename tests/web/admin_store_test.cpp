// The staff area's queries and its role change on every storage backend:
// the SQL (LIKE with an escape character, LOWER, LIMIT/OFFSET parameters,
// the row locks of a role change) must mean the same on SQLite and
// PostgreSQL.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "accounts/repository.hpp"
#include "admin/actions.hpp"
#include "admin/repository.hpp"
#include "store/values.hpp"
#include "support/databases.hpp"

namespace fabrique {
namespace {

using accounts::Role;

class AdminStore : public test::DatabaseTest {
 protected:
  std::int64_t account(const std::string& email, Role role, const std::string& name) {
    // Any string will do for the hash: no one signs in here.
    return accounts::insert_account(*db_, email, "not-a-hash", name, role, Lang::Fr);
  }

  void audit(const std::string& at, std::optional<std::int64_t> actor, const std::string& action) {
    store::Value who = nullptr;
    if (actor) who = *actor;
    db_->execute(
        "INSERT INTO audit_log (at, actor_account_id, action, subject, detail) "
        "VALUES ($1, $2, $3, $4, '')",
        {at, who, action, action + "@" + at});
  }
};

TEST_P(AdminStore, AuditEntriesNewestFirstFilteredAndPaged) {
  const auto ada = account("ada@example.org", Role::Administrator, "Ada");
  const auto bob = account("bob@example.org", Role::Resident, "Bob");
  audit("2026-01-01T00:00:01Z", ada, "a.one");
  audit("2026-01-01T00:00:03Z", bob, "a.two");
  audit("2026-01-01T00:00:02Z", std::nullopt, "a.one");
  audit("2026-01-01T00:00:03Z", ada, "a.one");  // same second: the later row first

  const auto all = admin::audit_entries(*db_, {}, 10, 0);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].action, "a.one");
  EXPECT_EQ(all[0].actor_email, "ada@example.org");
  EXPECT_EQ(all[1].action, "a.two");
  EXPECT_EQ(all[1].actor_name, "Bob");
  EXPECT_FALSE(all[2].actor_id.has_value());
  EXPECT_EQ(all[3].at, "2026-01-01T00:00:01Z");

  const auto page = admin::audit_entries(*db_, {}, 2, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, all[2].id);

  EXPECT_EQ(admin::audit_entries(*db_, {"a.one", ""}, 10, 0).size(), 3u);
  EXPECT_EQ(admin::audit_entries(*db_, {"a", ""}, 10, 0).size(), 0u);
  EXPECT_EQ(admin::audit_entries(*db_, {"", "ADA@example.org"}, 10, 0).size(), 2u);
  EXPECT_EQ(admin::audit_entries(*db_, {"a.two", "ada@example.org"}, 10, 0).size(), 0u);
}

TEST_P(AdminStore, SearchAccountsIsCaseInsensitiveAndLiteral) {
  account("alice@example.org", Role::Resident, "Alice Martin");
  account("bob@example.org", Role::Elected, "Bob_Durand");
  account("percent@example.org", Role::Resident, "100% sure");
  account("bang@example.org", Role::Resident, "Wow!");

  EXPECT_EQ(admin::search_accounts(*db_, "", 10, 0).size(), 4u);
  EXPECT_EQ(admin::search_accounts(*db_, "", 2, 2).size(), 2u);
  const auto alice = admin::search_accounts(*db_, "MARTIN", 10, 0);
  ASSERT_EQ(alice.size(), 1u);
  EXPECT_EQ(alice[0].account.email, "alice@example.org");
  EXPECT_EQ(admin::search_accounts(*db_, "ALICE@", 10, 0).size(), 1u);
  EXPECT_EQ(admin::search_accounts(*db_, "_", 10, 0).size(), 1u);  // Bob_Durand only
  EXPECT_EQ(admin::search_accounts(*db_, "%", 10, 0).size(), 1u);
  EXPECT_EQ(admin::search_accounts(*db_, "!", 10, 0).size(), 1u);
  EXPECT_EQ(admin::search_accounts(*db_, "100% SURE", 10, 0).size(), 1u);
  EXPECT_EQ(admin::search_accounts(*db_, "al_ce", 10, 0).size(), 0u);
  EXPECT_EQ(admin::search_accounts(*db_, "nobody", 10, 0).size(), 0u);
}

TEST_P(AdminStore, ChangeRoleLogsAndClosesSessions) {
  const auto ada = account("ada@example.org", Role::Administrator, "Ada");
  const auto bea = account("bea@example.org", Role::Administrator, "Bea");
  const auto res = account("res@example.org", Role::Resident, "Res");
  EXPECT_EQ(admin::count_administrators(*db_), 2);
  const std::string token = accounts::open_session(*db_, res);

  const auto changed = admin::change_role(*db_, ada, res, Role::Clerk);
  EXPECT_EQ(changed.outcome, admin::RoleChange::Outcome::Changed);
  EXPECT_EQ(changed.target.role, Role::Resident);
  EXPECT_EQ(accounts::find_account(*db_, res)->role, Role::Clerk);
  EXPECT_FALSE(accounts::account_for_session(*db_, token).has_value());
  const auto log = admin::audit_entries(*db_, {"account.role_changed", ""}, 10, 0);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].detail, "resident → clerk");
  EXPECT_EQ(log[0].subject, "res@example.org");

  EXPECT_EQ(admin::change_role(*db_, ada, ada, Role::Resident).refusal,
            admin::RoleChangeRefusal::OwnRole);
  EXPECT_EQ(admin::change_role(*db_, ada, 999999, Role::Resident).outcome,
            admin::RoleChange::Outcome::NoSuchAccount);
  EXPECT_EQ(admin::change_role(*db_, res, ada, Role::Resident).outcome,
            admin::RoleChange::Outcome::NotAllowed);
  EXPECT_EQ(admin::change_role(*db_, ada, bea, Role::Resident).outcome,
            admin::RoleChange::Outcome::Changed);
  EXPECT_EQ(admin::count_administrators(*db_), 1);
  EXPECT_EQ(accounts::find_account(*db_, ada)->role, Role::Administrator);
}

// Two administrators demoting each other at the same moment: one of them
// must still be an administrator afterwards, on either backend.
TEST_P(AdminStore, ConcurrentDemotionsLeaveAnAdministrator) {
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto ada =
        account("ada" + std::to_string(round) + "@example.org", Role::Administrator, "Ada");
    const auto bea =
        account("bea" + std::to_string(round) + "@example.org", Role::Administrator, "Bea");
    // What each demotion did: its outcome, or the store's refusal (a lock not
    // granted in time on SQLite, a deadlock broken by PostgreSQL).
    struct Attempt {
      std::optional<admin::RoleChange::Outcome> outcome;
      std::string refused;
    };
    auto demote = [&](std::int64_t actor, std::int64_t target, Attempt& attempt) {
      auto connection = database_->connect();
      try {
        attempt.outcome = admin::change_role(*connection, actor, target, Role::Resident).outcome;
      } catch (const store::StoreError& e) {
        attempt.refused = e.what();
      }
    };
    Attempt by_ada, by_bea;
    std::thread first(demote, ada, bea, std::ref(by_ada));
    std::thread second(demote, bea, ada, std::ref(by_bea));
    first.join();
    second.join();
    const bool ada_left = accounts::find_account(*db_, ada)->role == Role::Administrator;
    const bool bea_left = accounts::find_account(*db_, bea)->role == Role::Administrator;
    EXPECT_GE(ada_left + bea_left, 1);
    // A refused demotion changed nothing: its target is still an administrator.
    if (!by_ada.outcome) {
      EXPECT_TRUE(bea_left) << by_ada.refused;
    }
    if (!by_bea.outcome) {
      EXPECT_TRUE(ada_left) << by_bea.refused;
    }
    // Each demotion that took effect said so, and only those are in the audit
    // log; the other was told its actor may no longer change roles.
    using Outcome = admin::RoleChange::Outcome;
    EXPECT_EQ(by_ada.outcome == Outcome::Changed, !bea_left);
    EXPECT_EQ(by_bea.outcome == Outcome::Changed, !ada_left);
    for (const Attempt* attempt : {&by_ada, &by_bea}) {
      if (attempt->outcome && *attempt->outcome != Outcome::Changed) {
        EXPECT_EQ(*attempt->outcome, Outcome::NotAllowed);
      }
    }
    EXPECT_EQ(store::integer(db_->query("SELECT COUNT(*) FROM audit_log WHERE action = "
                                        "'account.role_changed' AND subject IN ($1, $2)",
                                        {"ada" + std::to_string(round) + "@example.org",
                                         "bea" + std::to_string(round) + "@example.org"})
                                 .at(0)
                                 .at(0)),
              2 - ada_left - bea_left);
    // Back to none for the next round.
    db_->execute("UPDATE accounts SET role = 'resident' WHERE id IN ($1, $2)", {ada, bea});
  }
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AdminStore);

}  // namespace
}  // namespace fabrique
