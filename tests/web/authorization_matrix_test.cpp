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

#include "core/time.hpp"
#include "web/web_support.hpp"

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
  }

  // The pattern with each `{param}` segment replaced by a real id of its
  // kind, known by the pattern up to that segment.
  std::string concrete(const std::string& pattern) {
    const std::map<std::string, std::int64_t> ids{
        {"/admin/accounts/{id}", target_account_},
        {"/admin/census/imports/{id}", census_import_},
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
      path += "/" + std::to_string(found == ids.end() ? 1 : found->second);
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

  WebPlatform web_;
  std::map<Role, std::int64_t> account_;
  std::int64_t target_account_ = 0;
  std::int64_t census_import_ = 0;
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
