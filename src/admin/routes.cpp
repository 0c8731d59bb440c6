#include "admin/routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "accounts/repository.hpp"
#include "admin/actions.hpp"
#include "admin/repository.hpp"
#include "core/url.hpp"
#include "web/view.hpp"

namespace fabrique::admin {

namespace json = boost::json;
using accounts::Permission;
using accounts::Role;
using web::Context;

namespace {

constexpr std::int64_t kPageSize = 50;
// Far enough for any real log, near enough that offsets cannot overflow.
constexpr std::int64_t kLastPage = 1'000'000;

using Parameters = std::vector<std::pair<std::string, std::string>>;

// `?page=N`; anything unreadable is the first page.
std::int64_t page_number(const std::string& text) {
  if (text.empty() || text.size() > 7) return 1;
  std::int64_t page = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 1;
    page = page * 10 + (c - '0');
  }
  return std::clamp<std::int64_t>(page, 1, kLastPage);
}

// `path?a=1&b=2` with the non-empty parameters, percent-encoded.
std::string url_with(const std::string& path, const Parameters& parameters) {
  std::string url = path;
  char separator = '?';
  for (const auto& [name, value] : parameters) {
    if (value.empty()) continue;
    url += separator + name + "=" + percent_encode(value);
    separator = '&';
  }
  return url;
}

// Previous and next links of a listing that read one row more than a page.
json::object pagination(const std::string& path, Parameters parameters, std::int64_t page,
                        bool has_next) {
  auto link = [&](std::int64_t number) -> json::value {
    Parameters with_page = parameters;
    if (number > 1) with_page.emplace_back("page", std::to_string(number));
    return json::value(url_with(path, with_page));
  };
  return json::object{{"page", page},
                      {"previous_url", page > 1 ? link(page - 1) : json::value(nullptr)},
                      {"next_url", has_next ? link(page + 1) : json::value(nullptr)}};
}

// "2026-11-22T01:53:52Z" → "2026-11-22 01:53:52" (the column says UTC).
std::string readable_time(std::string at) {
  if (at.size() == 20 && at[10] == 'T' && at.back() == 'Z') {
    at[10] = ' ';
    at.pop_back();
  }
  return at;
}

http::Response home(Context& ctx) {
  json::object sections{{"audit_log", ctx.viewer.can(Permission::ViewAuditLog)},
                        {"accounts", ctx.viewer.can(Permission::ManageAccounts)},
                        {"census", ctx.viewer.can(Permission::ImportCensus)},
                        {"districts", ctx.viewer.can(Permission::ImportCensus)},
                        {"counter", ctx.viewer.can(Permission::VerifyAtCounter)},
                        {"moderation", ctx.viewer.can(Permission::ModerateContent)},
                        {"budgets", ctx.viewer.can(Permission::ReviewProposals) ||
                                        ctx.viewer.can(Permission::ManageBudgets) ||
                                        ctx.viewer.can(Permission::EnterCounterBallots)}};
  return ctx.page("admin/home", json::object{{"sections", std::move(sections)}},
                  {"Administration", "Administration"});
}

http::Response audit_log(Context& ctx) {
  AuditFilter filter{ctx.query.get("action"), ctx.query.get("actor")};
  const std::int64_t page = page_number(ctx.query.get("page"));
  auto entries = audit_entries(ctx.db, filter, kPageSize + 1, (page - 1) * kPageSize);
  const bool has_next = static_cast<std::int64_t>(entries.size()) > kPageSize;
  if (has_next) entries.pop_back();

  json::array list;
  for (const AuditEntry& entry : entries) {
    json::value actor = nullptr;  // the platform itself
    if (entry.actor_id)
      actor = json::object{{"id", *entry.actor_id},
                           {"email", entry.actor_email},
                           {"display_name", entry.actor_name}};
    list.push_back(json::object{{"id", entry.id},
                                {"at", entry.at},
                                {"at_text", readable_time(entry.at)},
                                {"actor", std::move(actor)},
                                {"action", entry.action},
                                {"subject", entry.subject},
                                {"detail", entry.detail}});
  }
  const bool filtered = !filter.action.empty() || !filter.actor_email.empty();
  json::object view{
      {"filter",
       json::object{
           {"action", filter.action}, {"actor", filter.actor_email}, {"active", filtered}}},
      {"has_entries", !list.empty()},
      {"entries", std::move(list)},
      {"pagination",
       pagination("/admin/audit", {{"action", filter.action}, {"actor", filter.actor_email}}, page,
                  has_next)}};
  return ctx.page("admin/audit", std::move(view), {"Audit log", "Journal d'audit"});
}

// The accounts page, with `problem` about the account `problem_account`
// when a change was refused.
http::Response accounts_page(Context& ctx, const std::string& search, std::int64_t page,
                             const std::optional<Text>& problem = std::nullopt,
                             std::int64_t problem_account = 0, int status = 200) {
  auto found = search_accounts(ctx.db, search, kPageSize + 1, (page - 1) * kPageSize);
  const bool has_next = static_cast<std::int64_t>(found.size()) > kPageSize;
  if (has_next) found.pop_back();

  const std::int64_t self = ctx.viewer.account ? ctx.viewer.account->id : 0;
  json::array list;
  for (const AccountSummary& summary : found) {
    const accounts::Account& account = summary.account;
    json::array roles;
    for (Role role : accounts::kAllRoles) {
      if (role == Role::Visitor) continue;  // never stored
      roles.push_back(json::object{{"value", std::string(accounts::role_name(role))},
                                   {"label", accounts::role_label(role).in(ctx.lang)},
                                   {"selected", role == account.role}});
    }
    const std::string& district = ctx.lang == Lang::Fr ? summary.district_fr : summary.district_en;
    json::object item{{"id", account.id},
                      {"email", account.email},
                      {"display_name", account.display_name},
                      {"role", std::string(accounts::role_name(account.role))},
                      {"role_label", accounts::role_label(account.role).in(ctx.lang)},
                      {"is_self", account.id == self},
                      {"verified", account.verified()},
                      {"verified_online", account.verification_method == "online"},
                      {"verified_at_counter", account.verification_method == "counter"},
                      {"district", district.empty() ? json::value(nullptr) : json::value(district)},
                      {"roles", std::move(roles)},
                      {"role_url", "/admin/accounts/" + std::to_string(account.id) + "/role"}};
    if (account.verified_at)
      web::add_time(item, "verified_on", *account.verified_at, ctx.lang, web::TimeReading::Date);
    list.push_back(std::move(item));
  }
  json::array errors;
  if (problem)
    errors.push_back(json::object{{"field", "account-" + std::to_string(problem_account)},
                                  {"message", problem->in(ctx.lang)}});
  json::object view{{"q", search},
                    {"searching", !search.empty()},
                    {"has_errors", !errors.empty()},
                    {"errors", std::move(errors)},
                    {"has_accounts", !list.empty()},
                    {"accounts", std::move(list)},
                    {"pagination", pagination("/admin/accounts", {{"q", search}}, page, has_next)}};
  return ctx.page("admin/accounts", std::move(view), {"Accounts", "Comptes"}, status);
}

// "/admin/accounts/12/role" gives 12; nullopt for anything but digits.
std::optional<std::int64_t> account_id(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

http::Response change_role_route(Context& ctx) {
  const std::string search = ctx.form.get("q");
  const std::int64_t page = page_number(ctx.form.get("page"));
  const Text no_account{"This account does not exist.", "Ce compte n'existe pas."};
  const auto target_id = account_id(ctx.request.param("id"));
  if (!target_id) return ctx.error(404, no_account);
  const auto new_role = accounts::parse_role(ctx.form.get("role"));
  if (!new_role || *new_role == Role::Visitor)
    return accounts_page(ctx, search, page, explain(RoleChangeRefusal::NotAStoredRole), *target_id,
                         422);

  const RoleChange change = change_role(ctx.db, ctx.viewer.account->id, *target_id, *new_role);
  using Outcome = RoleChange::Outcome;
  switch (change.outcome) {
    case Outcome::NotAllowed:
      return ctx.error(403, {"Your account does not give access to this page.",
                             "Votre compte ne donne pas accès à cette page."});
    case Outcome::NoSuchAccount:
      return ctx.error(404, no_account);
    case Outcome::Refused:
      return accounts_page(ctx, search, page, explain(*change.refusal), *target_id,
                           *change.refusal == RoleChangeRefusal::NotAStoredRole ? 422 : 409);
    case Outcome::Unchanged: {
      const std::string& name = change.target.display_name;
      const Text label = accounts::role_label(*new_role);
      ctx.flash({name + " already has the role " + label.en + ".",
                 name + " a déjà le rôle " + label.fr + "."});
      break;
    }
    case Outcome::Changed: {
      const std::string& name = change.target.display_name;
      const Text before = accounts::role_label(change.target.role);
      const Text after = accounts::role_label(*new_role);
      ctx.flash({"Role of " + name + " changed: " + before.en + " → " + after.en + ".",
                 "Rôle de " + name + " changé\u202f: " + before.fr + " → " + after.fr + "."});
      break;
    }
  }
  return ctx.redirect(
      url_with("/admin/accounts", {{"q", search}, {"page", page > 1 ? std::to_string(page) : ""}}));
}

}  // namespace

void register_routes(web::Site& site) {
  site.get("/admin", Permission::EnterAdminArea, home);
  site.get("/admin/audit", Permission::ViewAuditLog, audit_log);
  site.get("/admin/accounts", Permission::ManageAccounts, [](Context& ctx) {
    return accounts_page(ctx, ctx.query.get("q"), page_number(ctx.query.get("page")));
  });
  site.post("/admin/accounts/{id}/role", Permission::ManageAccounts, change_role_route);
}

}  // namespace fabrique::admin
