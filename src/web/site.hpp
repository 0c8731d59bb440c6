// The web site: routes that each declare the permission they need, and the
// request context their handlers get. Before any handler runs, Site
//   - finds the viewer from the session cookie,
//   - checks the route's permission with accounts::allows() (a visitor is sent
//     to sign in, anyone else gets 403), before the body is even parsed,
//   - decodes the form (400 when malformed),
//   - checks the CSRF token of every POST (403, nothing changes).
// A route cannot be registered without a permission, so none can forget it.
// A POST route's body is a form within the server's limit (1 MiB), unless it
// is declared an upload (Body::Upload): then a request whose session the
// permission allows may send up to kUploadLimit, decided when its head
// arrives, before any of the body is read.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/model.hpp"
#include "accounts/permissions.hpp"
#include "http/router.hpp"
#include "store/pool.hpp"
#include "web/app.hpp"
#include "web/form.hpp"

namespace fabrique::web {

struct Viewer {
  std::optional<accounts::Account> account;
  std::string session_token;  // empty for visitors

  accounts::Role role() const { return account ? account->role : accounts::Role::Visitor; }
  bool signed_in() const { return account.has_value(); }
  bool can(accounts::Permission permission) const { return accounts::allows(role(), permission); }
};

class Context {
 public:
  Context(App& app, const http::Request& request, store::LazyConnection& db);

  App& app;
  const http::Request& request;
  store::Connection& db;  // taken from the pool at its first use
  // Gives the connection back until db is used again: before a slow step
  // that needs no database (a password hash).
  void release_db() { lazy_db_.release(); }
  Viewer viewer;
  Lang lang = Lang::Fr;
  Form form;   // the POST body's fields
  Form query;  // the query string's parameters

  // The client's address (see Config::behind_proxy).
  std::string client_address() const;

  // The CSRF token for the forms of this page (sets the visitor cookie it
  // is bound to when needed).
  std::string csrf();
  bool csrf_valid(const std::string& token);

  // A message shown once on the next page (after a redirect).
  void flash(const Text& message);
  void add_cookie(std::string set_cookie_value);
  void set_session(const std::string& token);  // after sign-in
  void clear_session();                        // after sign-out
  void set_language_cookie(Lang language);

  // Records an action in the audit log, by the viewer.
  void audit(const std::string& action, const std::string& subject, const std::string& detail = "");

  // The page: `view` rendered with the template inside the layout, or `view`
  // itself as JSON when JSON was asked for.
  http::Response page(std::string_view template_name, boost::json::object view, const Text& title,
                      int status = 200);
  http::Response json(const boost::json::value& value, int status = 200);
  // 303 See Other to a local path.
  http::Response redirect(const std::string& location);
  // An error page (or JSON) with a message in both languages.
  http::Response error(int status, const Text& message);
  bool wants_json() const;

  // The headers the response must carry (cookies).
  http::Headers take_headers() { return std::move(headers_); }

 private:
  std::string binding();  // what the CSRF token is bound to
  store::LazyConnection& lazy_db_;
  std::optional<Text> take_flash();
  http::Headers headers_;
  std::string visitor_id_;
};

using PageHandler = std::function<http::Response(Context&)>;

// What a POST route receives: a form, or a file upload (census, paper ballots).
enum class Body { Form, Upload };
inline constexpr std::size_t kUploadLimit = 64 * 1024 * 1024;

struct RouteInfo {
  std::string method;
  std::string pattern;
  accounts::Permission permission;
  Body body = Body::Form;
};

// What a capability lists on the home page: items {url, title, phase}.
using HomeListing = std::function<void(Context&, boost::json::array&)>;

class Site {
 public:
  explicit Site(App& app) : app_(app) {}
  void add_home_listing(HomeListing listing) { home_listings_.push_back(std::move(listing)); }
  const std::vector<HomeListing>& home_listings() const { return home_listings_; }
  void get(std::string pattern, accounts::Permission permission, PageHandler handler);
  void post(std::string pattern, accounts::Permission permission, PageHandler handler,
            Body body = Body::Form);
  const std::vector<RouteInfo>& routes() const { return infos_; }
  // The router serving every route, the static assets and /health.
  http::Router router() const;
  App& app() const { return app_; }

 private:
  void add(std::string method, std::string pattern, accounts::Permission permission,
           PageHandler handler, Body body);
  App& app_;
  std::vector<RouteInfo> infos_;
  std::vector<PageHandler> handlers_;
  std::vector<HomeListing> home_listings_;
};

// The cookie names (a __Host- prefix when cookies are Secure).
std::string session_cookie_name(const Config& config);

// `next` when it is a local path ("/x", not "//host" or "http://"), else "/".
std::string safe_local_path(const std::string& next);

// The URL of a static asset with its content hash, cacheable for a year.
std::string asset_url(std::string_view file_name);

}  // namespace fabrique::web
