// THE authorization matrix: who may use each route, written here by hand
// from the intended policy, not read from the routes' declared permissions
// (that would only check the code against itself). Every route the site
// registers must have a row, and every row must be a registered route: a
// new route cannot ship without someone deciding, here, who may use it.
//
// For every route and every role (the visitor has no session; each other
// role is a fresh account of that role with a fresh session), the request is
// sent as a browser would (GET, or POST with a valid CSRF token and an
// almost empty form) and the answer must say:
//   allowed → neither 401, 403 nor a 303 to /sign-in;
//   denied  → 403 for a signed-in role; for the visitor, 303 to
//             /sign-in?next=… (HTML) and 401 (JSON).
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "budgets/repository.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "support/budget_process.hpp"
#include "support/web_platform.hpp"

namespace fabrique {
namespace {

using accounts::Role;
using enum accounts::Role;
using test::Client;
using test::Fields;
using test::WebPlatform;

using Roles = std::set<Role>;

// The groups the policy speaks of, spelled out.
const Roles kEveryone{Visitor,   Resident, Organisation, Administrator,
                      Moderator, Reviewer, Clerk,        Elected};
const Roles kSignedIn{Resident, Organisation, Administrator, Moderator, Reviewer, Clerk, Elected};
const Roles kStaff{Administrator, Moderator, Reviewer, Clerk};
const Roles kAdministrators{Administrator};
const Roles kCounterStaff{Administrator, Clerk};
// People who prove they live here (not organisations, not work accounts).
const Roles kPeople{Resident, Elected};
// Who may propose a budget project: people, and organisations.
const Roles kProposers{Resident, Elected, Organisation};
const Roles kReviewers{Administrator, Reviewer};

struct Row {
  std::string method;
  std::string pattern;
  Roles allowed;
  // Sent besides the CSRF token; empty for most routes.
  Fields form = {};
};

// The sign-in form of the account the matrix signs in with: a failed
// sign-in answers 422 by design, which would hide a permission error.
const Fields kGoodSignIn{{"email", "matrix-sign-in@example.org"}, {"password", test::kPassword}};

const std::vector<Row>& matrix() {
  static const std::vector<Row> rows{
      // Public pages and the way in.
      {"GET", "/", kEveryone},
      {"GET", "/language", kEveryone},
      {"GET", "/sign-up", kEveryone},
      {"POST", "/sign-up", kEveryone},
      {"GET", "/sign-up/confirm", kEveryone},
      {"POST", "/sign-up/confirm", kEveryone},
      {"GET", "/sign-in", kEveryone},
      {"POST", "/sign-in", kEveryone, kGoodSignIn},
      {"GET", "/password/forgot", kEveryone},
      {"POST", "/password/forgot", kEveryone},
      {"GET", "/password/reset", kEveryone},
      {"POST", "/password/reset", kEveryone},
      // One's own account.
      {"POST", "/sign-out", kSignedIn},
      {"GET", "/account", kSignedIn},
      {"POST", "/account/language", kSignedIn},
      {"POST", "/account/password", kSignedIn},
      {"GET", "/account/residency", kPeople},
      {"POST", "/account/residency", kPeople},
      // The staff area.
      {"GET", "/admin", kStaff},
      {"GET", "/admin/audit", kAdministrators},
      {"GET", "/admin/accounts", kAdministrators},
      {"POST", "/admin/accounts/{id}/role", kAdministrators},
      {"GET", "/admin/census", kAdministrators},
      {"POST", "/admin/census", kAdministrators},
      {"GET", "/admin/census/imports/{id}", kAdministrators},
      {"GET", "/admin/districts", kAdministrators},
      {"POST", "/admin/districts", kAdministrators},
      {"GET", "/admin/counter", kCounterStaff},
      {"POST", "/admin/counter", kCounterStaff},
      // Participatory budgets: public pages, residents' own actions, staff tools.
      // The matrix's process is in its review phase (see SetUp): phase rules
      // answer 409 or a page, never 403, for those allowed.
      {"GET", "/budgets", kEveryone},
      {"GET", "/budgets/{slug}", kEveryone},
      {"GET", "/budgets/{slug}/projects/{id}", kEveryone},
      {"GET", "/budgets/images/{id}", kEveryone},
      {"GET", "/budgets/{slug}/propose", kProposers},
      {"POST", "/budgets/{slug}/propose", kProposers},
      {"GET", "/budgets/{slug}/projects/{id}/edit", kProposers},
      {"POST", "/budgets/{slug}/projects/{id}/edit", kProposers},
      {"POST", "/budgets/{slug}/projects/{id}/follow", kSignedIn},
      {"GET", "/admin/budgets", kStaff},
      {"GET", "/admin/budgets/new", kAdministrators},
      {"POST", "/admin/budgets/new", kAdministrators},
      {"GET", "/admin/budgets/{slug}/edit", kAdministrators},
      {"POST", "/admin/budgets/{slug}/edit", kAdministrators},
      {"GET", "/admin/budgets/{slug}/next-phase", kAdministrators},
      {"POST", "/admin/budgets/{slug}/next-phase", kAdministrators},
      {"GET", "/admin/budgets/{slug}/review", kReviewers},
      {"GET", "/admin/budgets/{slug}/projects/{id}/review", kReviewers},
      {"POST", "/admin/budgets/{slug}/projects/{id}/review", kReviewers},
      {"GET", "/admin/budgets/{slug}/projects/{id}/tracking", kAdministrators},
      {"POST", "/admin/budgets/{slug}/projects/{id}/tracking", kAdministrators},
      {"GET", "/budgets/{slug}/vote", kPeople},
      {"POST", "/budgets/{slug}/vote", kPeople},
      {"GET", "/budgets/{slug}/receipt", kEveryone},
      {"POST", "/budgets/{slug}/receipt", kEveryone},
      {"GET", "/admin/budgets/{slug}/counter", kCounterStaff},
      {"POST", "/admin/budgets/{slug}/counter", kCounterStaff},
      {"GET", "/admin/budgets/{slug}/counter/import", kCounterStaff},
      {"POST", "/admin/budgets/{slug}/counter/import", kCounterStaff},
      {"GET", "/budgets/{slug}/results", kEveryone},
      {"GET", "/budgets/{slug}/export", kEveryone},
      {"GET", "/admin/budgets/{slug}/results", kAdministrators},
      {"POST", "/admin/budgets/{slug}/results/count", kAdministrators},
      {"GET", "/admin/budgets/{slug}/results/publish", kAdministrators},
      {"POST", "/admin/budgets/{slug}/results/publish", kAdministrators},
      // The open-data API.
      {"GET", "/api/budgets", kEveryone},
      {"GET", "/api/budgets/{slug}", kEveryone},
      {"GET", "/api/budgets/{slug}/results", kEveryone},
  };
  return rows;
}

std::string key(const std::string& method, const std::string& pattern) {
  return method + " " + pattern;
}

std::string role_text(Role role) { return std::string(accounts::role_name(role)); }

class AuthorizationMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    for (Role role : accounts::kAllRoles) {
      if (role == Visitor) continue;
      account_[role] = web_.add_account("matrix-" + role_text(role) + "@example.org", role,
                                        "Matrix " + role_text(role));
    }
    web_.add_account("matrix-sign-in@example.org", Resident, "Matrix sign-in");
    target_account_ = web_.add_account("matrix-target@example.org", Resident, "Matrix target");
    census_import_ = std::get<std::int64_t>(
        web_.db()
            .query("INSERT INTO census_imports (started_at, finished_at, file_name, status) "
                   "VALUES ($1, $1, 'matrix.csv', 'done') RETURNING id",
                   {now_iso8601()})
            .at(0)
            .at(0));
    add_budget();
  }

  // The pattern with each `{param}` segment replaced by a real id (or
  // slug) of its kind, known by the pattern up to that segment.
  std::string concrete(const std::string& pattern) {
    const std::map<std::string, std::string> ids{
        {"/admin/accounts/{id}", std::to_string(target_account_)},
        {"/admin/census/imports/{id}", std::to_string(census_import_)},
        {"/budgets/{slug}", kProcessSlug},
        {"/admin/budgets/{slug}", kProcessSlug},
        {"/api/budgets/{slug}", kProcessSlug},
        {"/budgets/{slug}/projects/{id}", std::to_string(project_)},
        {"/admin/budgets/{slug}/projects/{id}", std::to_string(project_)},
        {"/budgets/images/{id}", std::to_string(image_)},
    };
    std::string path, prefix;
    std::istringstream segments(pattern.substr(1));
    for (std::string segment; std::getline(segments, segment, '/');) {
      prefix += "/" + segment;
      if (!segment.starts_with("{")) {
        path += "/" + segment;
        continue;
      }
      const auto found = ids.find(prefix);
      if (found == ids.end())
        ADD_FAILURE() << "no id known for " << prefix
                      << ": add one to AuthorizationMatrix::concrete()";
      path += "/" + (found == ids.end() ? std::string("1") : found->second);
    }
    return pattern.ends_with("/") ? path + "/" : path;
  }

  // A client of `role`: a new session each time, since some routes (sign-out)
  // end the one they are sent with.
  Client client_of(Role role) {
    if (role == Visitor) return web_.visitor();
    return web_.signed_in(account_.at(role));
  }

  http::Response request(const Row& row, const std::string& path, const Client& client,
                         http::Headers extra = {}) {
    if (row.method == "GET") return web_.get(path, client, std::move(extra));
    return web_.post(path, client, row.form, std::move(extra));
  }

  // A process in its review phase, with one district, a funded-looking
  // project (tracked) and an image.
  void add_budget() {
    const std::int64_t district =
        residency::add_district(web_.db(), {"matrix", "Matrice", "Matrix"}).id;
    budgets::Process process;
    process.slug = kProcessSlug;
    process.title_fr = process.title_en = "Matrix budget";
    process.description_fr = process.description_en = "A budget for the matrix.";
    process.total_amount = 1000;
    process.schedule = {test::day_from_today(-20), test::day_from_today(-1),
                        test::day_from_today(10), test::day_from_today(20),
                        test::day_from_today(40)};
    budgets::Unit unit;
    unit.district_id = district;
    unit.amount = 1000;
    process.units.push_back(unit);
    budgets::insert_process(web_.db(), process);
    const auto saved = budgets::find_process(web_.db(), kProcessSlug);
    image_ = std::get<std::int64_t>(
        web_.db()
            .query("INSERT INTO budget_images (content_type, data_base64) VALUES ('image/png', "
                   "'iVBORw0KGgo=') RETURNING id")
            .at(0)
            .at(0));
    budgets::Project project;
    project.process_id = saved->id;
    project.unit_id = saved->units.at(0).id;
    project.author_id = target_account_;
    project.title = "Matrix project";
    project.description = "A project for the matrix.";
    project.estimated_cost = 500;
    project.image_id = image_;
    project_ = budgets::insert_project(web_.db(), project);
    web_.db().execute("UPDATE budget_projects SET implementation = 'planned' WHERE id = $1",
                      {project_});
  }

  static constexpr const char* kProcessSlug = "matrix-budget";
  WebPlatform web_;
  std::map<Role, std::int64_t> account_;
  std::int64_t target_account_ = 0;
  std::int64_t census_import_ = 0;
  std::int64_t project_ = 0;
  std::int64_t image_ = 0;
};

TEST_F(AuthorizationMatrix, EveryRouteHasARowAndEveryRowARoute) {
  std::set<std::string> registered, listed;
  for (const web::RouteInfo& route : web_.site().routes()) {
    EXPECT_TRUE(registered.insert(key(route.method, route.pattern)).second)
        << "registered twice: " << key(route.method, route.pattern);
  }
  for (const Row& row : matrix())
    EXPECT_TRUE(listed.insert(key(row.method, row.pattern)).second)
        << "two matrix rows for " << key(row.method, row.pattern);

  for (const std::string& route : registered)
    EXPECT_TRUE(listed.contains(route))
        << route << " has no row in the authorization matrix: decide who may use it and add it";
  for (const std::string& row : listed)
    EXPECT_TRUE(registered.contains(row))
        << row << " is in the authorization matrix but no such route exists";
}

TEST_F(AuthorizationMatrix, EachRoleGetsExactlyWhatTheMatrixSays) {
  std::set<std::string> registered;
  for (const web::RouteInfo& route : web_.site().routes())
    registered.insert(key(route.method, route.pattern));

  for (const Row& row : matrix()) {
    if (!registered.contains(key(row.method, row.pattern))) continue;  // reported above
    const std::string path = concrete(row.pattern);
    for (Role role : accounts::kAllRoles) {
      SCOPED_TRACE(row.method + " " + path + " as " + role_text(role));
      const bool allowed = row.allowed.contains(role);
      http::Response response;
      try {
        response = request(row, path, client_of(role));
      } catch (const std::exception& e) {
        ADD_FAILURE() << "the handler threw: " << e.what();
        continue;
      }
      const std::string location = test::header_of(response, "Location");
      if (allowed) {
        EXPECT_NE(response.status, 401) << response.body;
        EXPECT_NE(response.status, 403) << response.body;
        EXPECT_LT(response.status, 500) << response.body;
        EXPECT_FALSE(response.status == 303 && location.starts_with("/sign-in"))
            << "sent to sign in: " << location;
        continue;
      }
      if (role == Visitor) {
        EXPECT_EQ(response.status, 303);
        const std::string next = row.method == "GET" ? test::url_encode(path) : "%2F";
        EXPECT_EQ(location, "/sign-in?next=" + next);
      } else {
        EXPECT_EQ(response.status, 403);
      }
      // A program asking for JSON is told the same without a redirect.
      const http::Response json =
          request(row, path, client_of(role), {{"Accept", "application/json"}});
      EXPECT_EQ(json.status, role == Visitor ? 401 : 403);
      EXPECT_EQ(json.content_type, "application/json");
    }
  }
}

// The matrix as a table, for reading and for reports (printed with
// --gtest_also_run_disabled_tests).
TEST_F(AuthorizationMatrix, DISABLED_Print) {
  std::ostringstream out;
  out << "| route |";
  for (Role role : accounts::kAllRoles) out << " " << role_text(role) << " |";
  out << "\n|---|";
  for ([[maybe_unused]] Role role : accounts::kAllRoles) out << "---|";
  out << "\n";
  for (const Row& row : matrix()) {
    out << "| " << row.method << " " << row.pattern << " |";
    for (Role role : accounts::kAllRoles) out << (row.allowed.contains(role) ? " yes |" : " — |");
    out << "\n";
  }
  std::cout << out.str();
}

}  // namespace
}  // namespace fabrique
