// The staff area: its home per role, the audit log (order, pages, filters,
// JSON), the accounts list and role changes with their refusals.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "accounts/permissions.hpp"
#include "admin/actions.hpp"
#include "admin/rules.hpp"
#include "core/time.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

using accounts::Role;
using test::Client;
using test::WebPlatform;

using fabrique::test::contains;

std::size_t occurrences(const std::string& text, std::string_view part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++count;
  return count;
}

const http::Headers kJson{{"Accept", "application/json"}};

// The cookies of `client` with the English language cookie.
Client in_english(Client client) {
  client.cookies += "; fabrique_lang=en";
  return client;
}

void add_audit(store::Connection& db, const std::string& at, std::optional<std::int64_t> actor,
               const std::string& action, const std::string& subject,
               const std::string& detail = "") {
  store::Value who = nullptr;
  if (actor) who = *actor;
  db.execute(
      "INSERT INTO audit_log (at, actor_account_id, action, subject, detail) "
      "VALUES ($1, $2, $3, $4, $5)",
      {at, who, action, subject, detail});
}

// "2026-01-01T00:MM:SSZ" for the n-th second of the day (n < 3600).
std::string moment(int n) {
  char text[32];
  std::snprintf(text, sizeof text, "2026-01-01T00:%02d:%02dZ", n / 60, n % 60);
  return text;
}

TEST(AdminArea, HomeLinksOnlyWhatTheRoleMayUse) {
  WebPlatform web;
  const Client admin =
      in_english(web.signed_in(web.add_account("a@example.org", Role::Administrator)));
  const Client clerk = in_english(web.signed_in(web.add_account("c@example.org", Role::Clerk)));
  const Client moderator =
      in_english(web.signed_in(web.add_account("m@example.org", Role::Moderator)));
  const Client reviewer =
      in_english(web.signed_in(web.add_account("r@example.org", Role::Reviewer)));

  const std::string everything = web.get("/admin", admin).body;
  for (const char* link :
       {"href=\"/admin/audit\"", "href=\"/admin/accounts\"", "href=\"/admin/census\"",
        "href=\"/admin/districts\"", "href=\"/admin/counter\""})
    EXPECT_TRUE(contains(everything, link)) << link;
  EXPECT_TRUE(contains(everything, "Moderation"));
  EXPECT_TRUE(contains(everything, "href=\"/admin/budgets\""));
  EXPECT_TRUE(contains(everything, "Arrives with debates and comments"));

  const std::string counter = web.get("/admin", clerk).body;
  EXPECT_TRUE(contains(counter, "href=\"/admin/counter\""));
  EXPECT_TRUE(contains(counter, "href=\"/admin/budgets\""));  // paper ballots
  for (const char* link : {"href=\"/admin/audit\"", "href=\"/admin/accounts\"",
                           "href=\"/admin/census\"", "href=\"/admin/districts\""})
    EXPECT_FALSE(contains(counter, link)) << link;
  EXPECT_FALSE(contains(counter, "Moderation"));

  const std::string moderation = web.get("/admin", moderator).body;
  EXPECT_TRUE(contains(moderation, "Moderation"));
  EXPECT_FALSE(contains(moderation, "href=\"/admin/budgets\""));
  EXPECT_FALSE(contains(moderation, "href=\"/admin/counter\""));

  const std::string review = web.get("/admin", reviewer).body;
  EXPECT_TRUE(contains(review, "href=\"/admin/budgets\""));
  EXPECT_FALSE(contains(review, "Moderation"));

  // In French by default (the accounts' language).
  const Client french = web.signed_in(web.add_account("f@example.org", Role::Administrator));
  EXPECT_TRUE(contains(web.get("/admin", french).body, "Journal d'audit"));

  // The layout links the area for staff only.
  const Client resident = web.signed_in(web.add_account("p@example.org", Role::Resident));
  EXPECT_FALSE(contains(web.get("/account", resident).body, "href=\"/admin\""));
  EXPECT_TRUE(contains(web.get("/account", clerk).body, "href=\"/admin\""));
}

TEST(AdminAudit, NewestFirstFiftyPerPage) {
  WebPlatform web;
  const auto admin_id = web.add_account("admin@example.org", Role::Administrator, "Ada Admin");
  const Client admin = in_english(web.signed_in(admin_id));
  for (int i = 1; i <= 120; ++i)
    add_audit(web.db(), moment(i), admin_id, "test.entry", "entry-" + std::to_string(i) + ".");

  const http::Response first = web.get("/admin/audit", admin);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(occurrences(first.body, "<time datetime="), 50u);
  EXPECT_LT(first.body.find("entry-120."), first.body.find("entry-119."));
  EXPECT_TRUE(contains(first.body, "entry-71."));
  EXPECT_FALSE(contains(first.body, "entry-70."));
  EXPECT_TRUE(contains(first.body, "href=\"/admin/audit?page=2\" rel=\"next\""));
  EXPECT_FALSE(contains(first.body, "rel=\"prev\""));
  EXPECT_TRUE(
      contains(first.body, "<time datetime=\"2026-01-01T00:02:00Z\">2026-01-01 00:02:00</time>"));
  EXPECT_TRUE(contains(first.body, "Ada Admin<br>admin@example.org"));
  EXPECT_TRUE(contains(first.body, "<th scope=\"col\">Time (UTC)</th>"));
  EXPECT_TRUE(contains(first.body, "<caption id=\"audit-caption\">"));

  const http::Response last = web.get("/admin/audit?page=3", admin);
  EXPECT_EQ(occurrences(last.body, "<time datetime="), 20u);
  EXPECT_TRUE(contains(last.body, "entry-20."));
  EXPECT_TRUE(contains(last.body, "entry-1."));
  EXPECT_TRUE(contains(last.body, "href=\"/admin/audit?page=2\" rel=\"prev\""));
  EXPECT_FALSE(contains(last.body, "rel=\"next\""));

  const http::Response second = web.get("/admin/audit?page=2", admin);
  EXPECT_TRUE(contains(second.body, "href=\"/admin/audit\" rel=\"prev\""));
  EXPECT_TRUE(contains(second.body, "href=\"/admin/audit?page=3\" rel=\"next\""));

  // Past the end, and unreadable page numbers (the first page).
  EXPECT_EQ(occurrences(web.get("/admin/audit?page=9", admin).body, "<time datetime="), 0u);
  for (const char* odd : {"0", "-1", "x", "99999999999999999999"})
    EXPECT_EQ(occurrences(web.get(std::string("/admin/audit?page=") + odd, admin).body,
                          "<time datetime="),
              50u)
        << odd;

  // The same as JSON.
  const http::Response json = web.get("/admin/audit?page=3", admin, kJson);
  ASSERT_EQ(json.status, 200);
  EXPECT_EQ(json.content_type, "application/json");
  const auto view = boost::json::parse(json.body).as_object();
  const auto& entries = view.at("entries").as_array();
  ASSERT_EQ(entries.size(), 20u);
  EXPECT_EQ(entries[0].at("subject"), "entry-20.");
  EXPECT_EQ(entries[0].at("at").as_string(), moment(20));
  EXPECT_EQ(entries[0].at("actor").at("email"), "admin@example.org");
  EXPECT_EQ(view.at("pagination").at("previous_url"), "/admin/audit?page=2");
  EXPECT_TRUE(view.at("pagination").at("next_url").is_null());
}

TEST(AdminAudit, FiltersByActionAndActor) {
  WebPlatform web;
  const auto admin_id = web.add_account("admin@example.org", Role::Administrator, "Ada");
  const auto other_id = web.add_account("Other@Example.org", Role::Resident, "Otto");
  const Client admin = in_english(web.signed_in(admin_id));
  for (int i = 1; i <= 60; ++i)
    add_audit(web.db(), moment(i), admin_id, i % 2 == 0 ? "test.even" : "test.odd",
              "n" + std::to_string(i) + ".");
  for (int i = 61; i <= 70; ++i)
    add_audit(web.db(), moment(i), other_id, "test.other", "n" + std::to_string(i) + ".");
  add_audit(web.db(), moment(71), std::nullopt, "mail.sent", "by-the-platform.");

  const http::Response even = web.get("/admin/audit?action=test.even", admin);
  EXPECT_EQ(occurrences(even.body, "<time datetime="), 30u);
  EXPECT_FALSE(contains(even.body, "test.odd"));
  EXPECT_TRUE(contains(even.body, "value=\"test.even\""));
  EXPECT_TRUE(contains(even.body, "href=\"/admin/audit\">Show everything"));
  // Exact, not a prefix.
  EXPECT_EQ(occurrences(web.get("/admin/audit?action=test", admin).body, "<time datetime="), 0u);

  // Both filters at once.
  const auto none = web.get("/admin/audit?action=test.other&actor=admin%40example.org", admin);
  EXPECT_EQ(occurrences(none.body, "<time datetime="), 0u);
  EXPECT_TRUE(contains(none.body, "No action matches this filter"));

  const http::Response by_admin = web.get("/admin/audit?actor=ADMIN%40example.org", admin);
  EXPECT_EQ(occurrences(by_admin.body, "<time datetime="), 50u);
  // The filters stay in the page links.
  EXPECT_TRUE(contains(by_admin.body,
                       "href=\"/admin/audit?actor=ADMIN%40example.org&amp;page=2\" rel=\"next\""));
  EXPECT_FALSE(contains(by_admin.body, "Otto"));

  const http::Response by_other = web.get("/admin/audit?actor=other%40example.org", admin);
  EXPECT_EQ(occurrences(by_other.body, "<time datetime="), 10u);
  EXPECT_TRUE(contains(by_other.body, "Otto<br>other@example.org"));

  const http::Response both =
      web.get("/admin/audit?action=test.even&actor=admin%40example.org&page=1", admin);
  EXPECT_EQ(occurrences(both.body, "<time datetime="), 30u);

  // Actions with no account: the platform's own.
  const http::Response everything = web.get("/admin/audit", admin);
  EXPECT_TRUE(contains(everything.body, "<td>system</td>"));
  EXPECT_TRUE(contains(web.get("/admin/audit", web.signed_in(admin_id)).body, "<td>système</td>"));
  const auto json = boost::json::parse(web.get("/admin/audit?action=mail.sent", admin, kJson).body);
  EXPECT_TRUE(json.at("entries").at(0).at("actor").is_null());
}

TEST(AdminAccounts, SearchesAndPages) {
  WebPlatform web;
  const Client admin =
      in_english(web.signed_in(web.add_account("admin@example.org", Role::Administrator, "Ada")));
  web.add_account("alice@example.org", Role::Resident, "Alice Martin");
  web.add_account("bob@example.org", Role::Elected, "Bob Durand");
  web.add_account("percent@example.org", Role::Resident, "100% sure");

  const http::Response all = web.get("/admin/accounts", admin);
  ASSERT_EQ(all.status, 200);
  EXPECT_TRUE(contains(all.body, "Alice Martin"));
  EXPECT_TRUE(contains(all.body, "<th scope=\"row\" id=\"account-"));
  EXPECT_TRUE(contains(all.body, "elected official"));
  EXPECT_TRUE(contains(all.body, "Not verified"));

  const http::Response alice = web.get("/admin/accounts?q=ALICE", admin);
  EXPECT_TRUE(contains(alice.body, "alice@example.org"));
  EXPECT_FALSE(contains(alice.body, "bob@example.org"));
  EXPECT_TRUE(contains(alice.body, "value=\"ALICE\""));

  const http::Response durand = web.get("/admin/accounts?q=durand", admin);
  EXPECT_TRUE(contains(durand.body, "bob@example.org"));
  EXPECT_FALSE(contains(durand.body, "alice@example.org"));

  // % and _ are searched for, not wildcards.
  const http::Response percent = web.get("/admin/accounts?q=%25", admin);
  EXPECT_TRUE(contains(percent.body, "100% sure"));
  EXPECT_FALSE(contains(percent.body, "alice@example.org"));
  EXPECT_TRUE(
      contains(web.get("/admin/accounts?q=_", admin).body, "No account matches this search"));

  // A verified account shows how and where.
  web.db().execute("INSERT INTO districts (slug, name_fr, name_en) VALUES ('n', 'Nord', 'North')");
  web.db().execute(
      "UPDATE accounts SET district_id = 1, verified_at = '2026-02-03T10:00:00Z', "
      "verification_method = 'counter' WHERE email = 'alice@example.org'");
  const std::string verified = web.get("/admin/accounts?q=alice", admin).body;
  EXPECT_TRUE(contains(verified, "Verified"));
  EXPECT_TRUE(contains(verified, "at the counter"));
  EXPECT_TRUE(contains(verified, "2026-02-03"));
  EXPECT_TRUE(contains(verified, "North"));

  for (int i = 0; i < 60; ++i)
    web.add_account("many" + std::to_string(i) + "@example.org", Role::Resident, "Many");
  const http::Response first = web.get("/admin/accounts?q=many", admin);
  EXPECT_EQ(occurrences(first.body, "<th scope=\"row\""), 50u);
  EXPECT_TRUE(contains(first.body, "href=\"/admin/accounts?q=many&amp;page=2\" rel=\"next\""));
  const http::Response second = web.get("/admin/accounts?q=many&page=2", admin);
  EXPECT_EQ(occurrences(second.body, "<th scope=\"row\""), 10u);
  EXPECT_TRUE(contains(second.body, "href=\"/admin/accounts?q=many\" rel=\"prev\""));

  const auto json = boost::json::parse(web.get("/admin/accounts?q=durand", admin, kJson).body);
  ASSERT_EQ(json.at("accounts").as_array().size(), 1u);
  EXPECT_EQ(json.at("accounts").at(0).at("role"), "elected");
}

TEST(AdminAccounts, ChangesARoleAndClosesThatAccountsSessions) {
  WebPlatform web;
  const auto admin_id = web.add_account("admin@example.org", Role::Administrator, "Ada");
  const auto resident_id = web.add_account("res@example.org", Role::Resident, "Rémi");
  const Client admin = in_english(web.signed_in(admin_id));
  const Client resident = web.signed_in(resident_id);
  ASSERT_EQ(web.get("/account", resident).status, 200);

  // The form offers every stored role, labelled, the current one selected.
  const std::string page = web.get("/admin/accounts", admin).body;
  const std::string form_action =
      "action=\"/admin/accounts/" + std::to_string(resident_id) + "/role\"";
  EXPECT_TRUE(contains(page, form_action));
  EXPECT_TRUE(
      contains(page, "<label for=\"role-" + std::to_string(resident_id) + "\">Role</label>"));
  EXPECT_TRUE(contains(page, "<option value=\"resident\" selected>resident</option>"));
  EXPECT_TRUE(contains(page, "<option value=\"clerk\">counter clerk</option>"));
  EXPECT_FALSE(contains(page, "value=\"visitor\""));
  // One's own account has no form.
  EXPECT_FALSE(contains(page, "action=\"/admin/accounts/" + std::to_string(admin_id) + "/role\""));
  EXPECT_TRUE(contains(page, "your account: another administrator can change its role"));

  const http::Response changed =
      web.post("/admin/accounts/" + std::to_string(resident_id) + "/role", admin,
               {{"role", "moderator"}, {"q", "res"}, {"page", "1"}});
  ASSERT_EQ(changed.status, 303) << changed.body;
  EXPECT_EQ(test::header_of(changed, "Location"), "/admin/accounts?q=res");
  EXPECT_EQ(web.account(resident_id)->role, Role::Moderator);

  const auto rows = web.db().query(
      "SELECT actor_account_id, subject, detail FROM audit_log WHERE action = "
      "'account.role_changed'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(rows[0][0]), admin_id);
  EXPECT_EQ(std::get<std::string>(rows[0][1]), "res@example.org");
  EXPECT_EQ(std::get<std::string>(rows[0][2]), "resident → moderator");

  // The changed account signs in again to get its new rights; the
  // administrator's session goes on.
  const http::Response closed = web.get("/account", resident);
  EXPECT_EQ(closed.status, 303);
  EXPECT_EQ(test::header_of(closed, "Location"), "/sign-in?next=%2Faccount");
  EXPECT_EQ(web.get("/admin/accounts", admin).status, 200);

  // The confirmation on the next page.
  const std::string flash = test::cookie_value(test::set_cookie_for(changed, "fabrique_flash"));
  Client with_flash = admin;
  with_flash.cookies += "; fabrique_flash=" + flash;
  EXPECT_TRUE(contains(web.get("/admin/accounts", with_flash).body,
                       "Role of Rémi changed: resident → moderator."));

  // The same role again changes nothing and logs nothing.
  const http::Response same = web.post("/admin/accounts/" + std::to_string(resident_id) + "/role",
                                       admin, {{"role", "moderator"}});
  EXPECT_EQ(same.status, 303);
  EXPECT_EQ(web.db().query("SELECT id FROM audit_log").size(), 1u);
}

TEST(AdminAccounts, RefusesOwnRoleUnknownRolesAndAccounts) {
  WebPlatform web;
  const auto admin_id = web.add_account("admin@example.org", Role::Administrator, "Ada");
  const auto resident_id = web.add_account("res@example.org", Role::Resident);
  const Client admin_fr = web.signed_in(admin_id);
  const Client admin_en = in_english(web.signed_in(admin_id));
  const std::string own = "/admin/accounts/" + std::to_string(admin_id) + "/role";

  const http::Response fr = web.post(own, admin_fr, {{"role", "resident"}});
  EXPECT_EQ(fr.status, 409);
  EXPECT_TRUE(contains(fr.body, "Vous ne pouvez pas changer votre propre rôle"));
  EXPECT_TRUE(contains(fr.body, "role=\"alert\""));
  EXPECT_TRUE(contains(fr.body, "href=\"#account-" + std::to_string(admin_id) + "\""));
  const http::Response en = web.post(own, admin_en, {{"role", "resident"}});
  EXPECT_EQ(en.status, 409);
  EXPECT_TRUE(contains(en.body, "You cannot change your own role"));
  EXPECT_EQ(web.account(admin_id)->role, Role::Administrator);

  const std::string other = "/admin/accounts/" + std::to_string(resident_id) + "/role";
  for (const char* role : {"visitor", "superuser", ""}) {
    const http::Response refused = web.post(other, admin_en, {{"role", role}});
    EXPECT_EQ(refused.status, 422) << role;
    EXPECT_TRUE(contains(refused.body, "Choose one of the roles in the list.")) << role;
  }
  EXPECT_EQ(web.account(resident_id)->role, Role::Resident);

  EXPECT_EQ(web.post("/admin/accounts/999999/role", admin_en, {{"role", "clerk"}}).status, 404);
  EXPECT_EQ(web.post("/admin/accounts/abc/role", admin_en, {{"role", "clerk"}}).status, 404);
  EXPECT_TRUE(web.db().query("SELECT id FROM audit_log").empty());
}

TEST(AdminAccounts, NeverLeavesNoAdministrator) {
  // The rule itself: the last administrator keeps the role.
  accounts::Account only;
  only.id = 2;
  only.role = Role::Administrator;
  EXPECT_EQ(admin::refuse_role_change(1, only, Role::Resident, 1),
            admin::RoleChangeRefusal::LastAdministrator);
  EXPECT_EQ(admin::refuse_role_change(1, only, Role::Administrator, 1), std::nullopt);
  EXPECT_EQ(admin::refuse_role_change(1, only, Role::Resident, 2), std::nullopt);
  EXPECT_EQ(admin::refuse_role_change(2, only, Role::Resident, 2),
            admin::RoleChangeRefusal::OwnRole);
  EXPECT_FALSE(admin::explain(admin::RoleChangeRefusal::LastAdministrator).fr.empty());

  // Two administrators demoting each other: the second one no longer may.
  WebPlatform web;
  const auto ada = web.add_account("ada@example.org", Role::Administrator);
  const auto bea = web.add_account("bea@example.org", Role::Administrator);
  EXPECT_EQ(admin::change_role(web.db(), ada, bea, Role::Resident).outcome,
            admin::RoleChange::Outcome::Changed);
  EXPECT_EQ(admin::change_role(web.db(), bea, ada, Role::Resident).outcome,
            admin::RoleChange::Outcome::NotAllowed);
  EXPECT_EQ(web.account(ada)->role, Role::Administrator);
  EXPECT_EQ(web.account(bea)->role, Role::Resident);
}

}  // namespace
}  // namespace fabrique
