// Accounts on both backends: sign-up rules, password hashes, sessions,
// reset tokens, the failed sign-in counter, and the one permission table.
#include <gtest/gtest.h>

#include <thread>

#include "accounts/actions.hpp"
#include "accounts/password.hpp"
#include "accounts/permissions.hpp"
#include "accounts/repository.hpp"
#include "support/databases.hpp"

namespace fabrique::accounts {
namespace {

class Accounts : public test::BackendTest {};

TEST(AccountRules, SignUpChecksEachField) {
  EXPECT_TRUE(check_sign_up({"Zoé", "zoe@example.org", "ten chars!", Lang::Fr}).empty());
  const auto errors = check_sign_up({"", "not-an-email", "short", Lang::Fr});
  EXPECT_EQ(errors.size(), 3u);
  EXPECT_TRUE(errors.contains("display_name"));
  EXPECT_TRUE(errors.contains("email"));
  EXPECT_TRUE(errors.contains("password"));
  EXPECT_NE(errors.at("password").fr.find("10 caractères"), std::string::npos);
  EXPECT_NE(errors.at("password").en.find("10 characters"), std::string::npos);
  // Length counts characters, not bytes: nine accented letters are too few.
  EXPECT_TRUE(
      check_sign_up({"Zoé", "zoe@example.org", "ééééééééé", Lang::Fr}).contains("password"));
  EXPECT_TRUE(check_sign_up({std::string(81, 'a'), "a@b.fr", "0123456789", Lang::Fr})
                  .contains("display_name"));
  EXPECT_TRUE(check_sign_up({"a\nb", "a@b.fr", "0123456789", Lang::Fr}).contains("display_name"));
}

TEST(AccountRules, EmailsArePlausibleAndNormalised) {
  EXPECT_TRUE(plausible_email("zoe@example.org"));
  EXPECT_FALSE(plausible_email("zoe@example"));
  EXPECT_FALSE(plausible_email("zoe@@example.org"));
  EXPECT_FALSE(plausible_email("zoe example@x.org"));
  EXPECT_FALSE(plausible_email("<zoe>@x.org"));
  EXPECT_EQ(normalize_email("  Zoe@Example.ORG \n"), "zoe@example.org");
}

TEST(AccountRules, PasswordHashesAreArgon2idAndSalted) {
  const std::string a = hash_password("correct horse battery");
  const std::string b = hash_password("correct horse battery");
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password("correct horse battery", a));
  EXPECT_FALSE(verify_password("correct horse batterY", a));
  EXPECT_FALSE(verify_password("anything", "not a hash"));
  EXPECT_FALSE(needs_rehash(a));
}

// The table every route relies on: spot-checks of the policy, and that a
// visitor can do nothing but browse.
TEST(AccountRules, PermissionPolicy) {
  for (Permission p : kAllPermissions)
    EXPECT_EQ(allows(Role::Visitor, p), p == Permission::Browse) << permission_name(p);
  EXPECT_TRUE(allows(Role::Administrator, Permission::ImportCensus));
  EXPECT_FALSE(allows(Role::Clerk, Permission::ImportCensus));
  EXPECT_TRUE(allows(Role::Clerk, Permission::VerifyAtCounter));
  EXPECT_FALSE(allows(Role::Reviewer, Permission::VerifyAtCounter));
  EXPECT_TRUE(allows(Role::Reviewer, Permission::ReviewProposals));
  EXPECT_FALSE(allows(Role::Resident, Permission::EnterAdminArea));
  EXPECT_FALSE(allows(Role::Organisation, Permission::VerifyOwnResidency));
  EXPECT_FALSE(allows(Role::Elected, Permission::EnterAdminArea));
  for (Role r : kAllRoles) EXPECT_EQ(parse_role(role_name(r)), r);
}

const MailSite kSite{"https://participer.example.org", "Exemple"};

TEST_P(Accounts, SignUpStoresAHashAndMailsALink) {
  auto db = fresh_database();
  auto c = db->connect();
  const SignUpResult first = sign_up(*c, {"Zoé", "Zoe@Example.org", "correct horse", Lang::En},
                                     hash_password("correct horse"), kSite);
  ASSERT_TRUE(first.errors.empty());
  EXPECT_EQ(first.outcome, SignUpOutcome::Created);
  const auto account = find_account_by_email(*c, "zoe@example.org");
  ASSERT_TRUE(account);
  EXPECT_EQ(account->id, first.account_id);
  EXPECT_EQ(account->role, Role::Resident);
  EXPECT_EQ(account->language, Lang::En);
  EXPECT_FALSE(account->verified());
  EXPECT_FALSE(account->email_confirmed());
  const auto hash = password_hash_of(*c, account->id);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse", *hash));
  // The link, in English, to the address as typed lower-cased.
  const auto mail = c->query("SELECT recipient, subject, body FROM outbox");
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0][0], store::Value(std::string("zoe@example.org")));
  EXPECT_EQ(mail[0][1], store::Value(std::string("Confirm your email address")));
  EXPECT_NE(std::get<std::string>(mail[0][2])
                .find("https://participer.example.org/sign-up/confirm?token="),
            std::string::npos);
  EXPECT_EQ(c->query("SELECT action FROM audit_log").at(0).at(0),
            store::Value(std::string("account.created")));
}

TEST_P(Accounts, AccountsMadeDirectlyAreConfirmed) {
  auto db = fresh_database();
  auto c = db->connect();
  const auto id = insert_account(*c, "a@b.fr", "x", "A", Role::Clerk, Lang::Fr);
  EXPECT_TRUE(find_account(*c, id)->email_confirmed());
  const auto pending = insert_unconfirmed_account(*c, "p@b.fr", "x", "P", Lang::Fr);
  EXPECT_FALSE(find_account(*c, pending)->email_confirmed());
  const std::string token = create_confirmation_token(*c, pending);
  EXPECT_EQ(confirmation_token_account(*c, token), pending);
  EXPECT_EQ(confirm_address(*c, token), pending);
  EXPECT_TRUE(find_account(*c, pending)->email_confirmed());
  EXPECT_FALSE(confirmation_token_account(*c, token));  // once
}

TEST_P(Accounts, SessionsOpenResolveAndClose) {
  auto db = fresh_database();
  auto c = db->connect();
  const auto id = insert_account(*c, "a@b.fr", "x", "A", Role::Clerk, Lang::Fr);
  const std::string token = open_session(*c, id);
  EXPECT_GE(token.size(), 43u);
  // Only a hash is stored.
  EXPECT_TRUE(c->query("SELECT 1 FROM sessions WHERE token_hash = $1", {token}).empty());
  const auto viewer = account_for_session(*c, token);
  ASSERT_TRUE(viewer);
  EXPECT_EQ(viewer->role, Role::Clerk);
  EXPECT_FALSE(account_for_session(*c, token + "x"));
  EXPECT_FALSE(account_for_session(*c, ""));
  // A session expired in the store is refused.
  const std::string old = open_session(*c, id);
  c->execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z' WHERE token_hash <> $1",
             {std::string("none")});
  EXPECT_FALSE(account_for_session(*c, old));
  const std::string fresh = open_session(*c, id);
  close_session(*c, fresh);
  EXPECT_FALSE(account_for_session(*c, fresh));
}

TEST_P(Accounts, ResetTokensWorkOnceAndExpire) {
  auto db = fresh_database();
  auto c = db->connect();
  const auto id = insert_account(*c, "a@b.fr", "x", "A", Role::Resident, Lang::Fr);
  const std::string token = create_reset_token(*c, id);
  EXPECT_EQ(reset_token_account(*c, token), id);
  use_reset_token(*c, token);
  EXPECT_FALSE(reset_token_account(*c, token));
  const std::string late = create_reset_token(*c, id);
  c->execute(
      "UPDATE password_resets SET expires_at = '2000-01-01T00:00:00Z' WHERE used_at IS NULL");
  EXPECT_FALSE(reset_token_account(*c, late));
}

TEST_P(Accounts, FailedSignInsAreCountedPerSubject) {
  auto db = fresh_database();
  auto c = db->connect();
  for (int i = 0; i < 3; ++i) record_login_failure(*c, "email:a@b.fr");
  record_login_failure(*c, "email:other@b.fr");
  EXPECT_EQ(recent_login_failures(*c, "email:a@b.fr", std::chrono::minutes(15)), 3);
  EXPECT_EQ(recent_login_failures(*c, "email:other@b.fr", std::chrono::minutes(15)), 1);
  // Subjects are stored hashed: no email in the table.
  EXPECT_TRUE(c->query("SELECT 1 FROM login_failures WHERE subject LIKE '%@%'").empty());
  clear_login_failures(*c, "email:a@b.fr");
  EXPECT_EQ(recent_login_failures(*c, "email:a@b.fr", std::chrono::minutes(15)), 0);
}

TEST_P(Accounts, TwoSimultaneousSignUpsWithOneEmailMakeOneAccount) {
  auto db = fresh_database();
  const std::string hash = hash_password("correct horse");
  std::vector<SignUpResult> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results)
    threads.emplace_back([&db, &result, &hash] {
      auto c = db->connect();
      result = sign_up(*c, {"Twin", "twin@example.org", "correct horse", Lang::Fr}, hash, kSite);
    });
  for (auto& t : threads) t.join();
  int created = 0;
  for (const auto& r : results) {
    EXPECT_TRUE(r.errors.empty());
    if (r.outcome == SignUpOutcome::Created) ++created;
  }
  EXPECT_EQ(created, 1);
  auto c = db->connect();
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM accounts").at(0).at(0), store::Value(std::int64_t{1}));
  // One mail: the others came moments after it.
  EXPECT_EQ(c->query("SELECT COUNT(*) FROM outbox").at(0).at(0), store::Value(std::int64_t{1}));
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(Accounts);

// The actions a request calls, without HTTP: each does its whole work
// (limits, hash with the connection released, change, audit), and a session
// of the account is what sign-in returns.
class AccountActions : public test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    database_ = fresh_database();
    db_ = database_->connect();
    id_ = insert_account(*db_, "zoe@example.org", hash_password("correct horse"), "Zoé",
                         Role::Resident, Lang::Fr);
  }
  Caller caller() {
    return {*db_, hashing_, [this] { ++released_; }, "192.0.2.1"};
  }
  std::int64_t audited(const std::string& action) {
    return std::get<std::int64_t>(
        db_->query("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject = $2",
                   {action, std::to_string(id_)})
            .at(0)
            .at(0));
  }
  const FormLimits kLimits{50, kSignInWindow, 600};

  std::unique_ptr<test::TestDatabase> database_;
  std::unique_ptr<store::Connection> db_;
  HashingQueue hashing_{1, 2, std::chrono::milliseconds(1000)};
  std::int64_t id_ = 0;
  int released_ = 0;
};

TEST_P(AccountActions, SignInOpensASessionOrFailsAlikeAndCountsFailures) {
  Caller who = caller();
  const SignInResult wrong = sign_in(who, "zoe@example.org", "wrong horse", kLimits, 2);
  EXPECT_FALSE(wrong.refusal);
  EXPECT_FALSE(wrong.signed_in);
  EXPECT_FALSE(sign_in(who, "nobody@example.org", "correct horse", kLimits, 2).signed_in);
  EXPECT_GE(released_, 2) << "no connection held while verifying";

  const SignInResult right = sign_in(who, " Zoe@Example.org", "correct horse", kLimits, 2);
  ASSERT_TRUE(right.signed_in);
  EXPECT_EQ(right.signed_in->account.id, id_);
  EXPECT_EQ(account_for_session(*db_, right.signed_in->session_token)->id, id_);

  // Two failures on the account from this address: the third attempt is refused unchecked.
  sign_in(who, "zoe@example.org", "wrong horse", kLimits, 2);
  sign_in(who, "zoe@example.org", "wrong horse", kLimits, 2);
  const SignInResult locked = sign_in(who, "zoe@example.org", "correct horse", kLimits, 2);
  EXPECT_EQ(locked.refusal, Refusal::TooManyFailures);
  EXPECT_FALSE(locked.signed_in);
}

TEST_P(AccountActions, PasswordChangeChecksTheCurrentOneClosesOtherSessionsAndIsAudited) {
  const Account zoe = *find_account(*db_, id_);
  const std::string kept = open_session(*db_, id_);
  const std::string other = open_session(*db_, id_);
  Caller who = caller();
  const PasswordChange refused = change_password(who, zoe, kept, "wrong horse", "short");
  EXPECT_TRUE(refused.errors.contains("current_password"));
  EXPECT_TRUE(refused.errors.contains("new_password"));
  EXPECT_EQ(audited("account.password_changed"), 0);

  const PasswordChange done =
      change_password(who, zoe, kept, "correct horse", "a new battery staple");
  EXPECT_TRUE(done.errors.empty());
  EXPECT_FALSE(done.refusal);
  EXPECT_TRUE(verify_password("a new battery staple", *password_hash_of(*db_, id_)));
  EXPECT_TRUE(account_for_session(*db_, kept));
  EXPECT_FALSE(account_for_session(*db_, other));
  EXPECT_EQ(audited("account.password_changed"), 1);
}

TEST_P(AccountActions, ResetThroughALinkConfirmsAndClosesEverySession) {
  const std::string session = open_session(*db_, id_);
  const std::string token = create_reset_token(*db_, id_);
  Caller who = caller();
  EXPECT_TRUE(reset_password(who, token, "short").problem);
  EXPECT_TRUE(reset_password(who, "not a token", "a new battery staple").link_invalid);
  const NewPasswordResult done = reset_password(who, token, "a new battery staple");
  EXPECT_FALSE(done.link_invalid);
  EXPECT_FALSE(done.problem);
  EXPECT_FALSE(account_for_session(*db_, session));
  EXPECT_EQ(audited("account.password_reset"), 1);
  EXPECT_TRUE(reset_password(who, token, "another staple 12").link_invalid) << "a link works once";
}

TEST_P(AccountActions, SignOutAndLanguageAskThePermission) {
  const Account zoe = *find_account(*db_, id_);
  const std::string session = open_session(*db_, id_);
  EXPECT_TRUE(choose_language(*db_, zoe, Lang::En));
  EXPECT_EQ(find_account(*db_, id_)->language, Lang::En);
  EXPECT_TRUE(sign_out(*db_, zoe, session));
  EXPECT_FALSE(account_for_session(*db_, session));

  Account visitor = zoe;
  visitor.role = Role::Visitor;  // never stored: allows() refuses it everything but browsing
  EXPECT_FALSE(choose_language(*db_, visitor, Lang::Fr));
  EXPECT_EQ(find_account(*db_, id_)->language, Lang::En);
  const std::string again = open_session(*db_, id_);
  EXPECT_FALSE(sign_out(*db_, visitor, again));
  EXPECT_TRUE(account_for_session(*db_, again));
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AccountActions);

}  // namespace
}  // namespace fabrique::accounts
