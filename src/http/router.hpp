// Routes requests by method and path to handlers. Patterns are exact paths or
// have `{name}` segments (`/api/budgets/{slug}`). The router itself answers
// 404 (no route has that path) and 405 (some do, not for that method; with
// `Allow`), in JSON or HTML as negotiate_format() says. HEAD is served by the
// GET handler (the server drops the body).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/http.hpp"

namespace fabrique::http {

using Handler = std::function<Response(const Request&)>;

// A route that takes bodies bigger than the server's limit (a file upload):
// up to `limit` bytes, for the requests `granted` accepts. The server asks
// when a request's head has arrived, before it reads any of the body, with
// the head only (method, path, query, headers, address, params; no body), on
// a worker thread (`granted` may read the database). Any other request keeps
// the server's limit.
struct LargeBody {
  std::size_t limit = 0;
  std::function<bool(const Request& head)> granted;
};

class Router {
 public:
  // Adds a route; later routes never shadow earlier ones with the same shape.
  Router& add(std::string method, std::string pattern, Handler handler,
              std::optional<LargeBody> large_body = std::nullopt);
  Router& get(std::string pattern, Handler handler) {
    return add("GET", std::move(pattern), std::move(handler));
  }
  Router& post(std::string pattern, Handler handler) {
    return add("POST", std::move(pattern), std::move(handler));
  }

  // Runs the matching handler with `request.params` filled in, or answers
  // 404/405. Exceptions from handlers propagate (the server answers 500).
  Response handle(Request& request) const;

  // The large body the route `head` goes to declares (with `head.params`
  // filled in), or null: no such route, or one without.
  const LargeBody* large_body(Request& head) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    Handler handler;
    std::optional<LargeBody> large_body;
  };
  // The route serving `request` (its params filled in), or null.
  const Route* find(Request& request, std::vector<std::string>* allowed) const;
  std::vector<Route> routes_;
};

// The error page for `status`, in the negotiated format and language.
Response error_response(const Request& request, int status);

}  // namespace fabrique::http
