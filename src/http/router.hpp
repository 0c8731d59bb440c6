// Routes requests by method and path to handlers. Patterns are exact paths or
// have `{name}` segments (`/api/budgets/{slug}`). The router itself answers
// 404 (no route has that path) and 405 (some do, not for that method; with
// `Allow`), in JSON or HTML as negotiate_format() says. HEAD is served by the
// GET handler (the server drops the body).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/http.hpp"

namespace fabrique::http {

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Adds a route; later routes never shadow earlier ones with the same shape.
  Router& add(std::string method, std::string pattern, Handler handler);
  Router& get(std::string pattern, Handler handler) {
    return add("GET", std::move(pattern), std::move(handler));
  }
  Router& post(std::string pattern, Handler handler) {
    return add("POST", std::move(pattern), std::move(handler));
  }

  // Runs the matching handler with `request.params` filled in, or answers
  // 404/405. Exceptions from handlers propagate (the server answers 500).
  Response handle(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter
    Handler handler;
  };
  std::vector<Route> routes_;
};

// The error page for `status`, in the negotiated format and language.
Response error_response(const Request& request, int status);

}  // namespace fabrique::http
