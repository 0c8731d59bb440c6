#include "http/router.hpp"

#include <algorithm>
#include <map>

#include "core/url.hpp"

namespace fabrique::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (path[i].empty()) return false;
      if (params)
        (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = percent_decode_lenient(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

struct ErrorText {
  const char* code;
  const char* fr;
  const char* en;
};

ErrorText error_text(int status) {
  switch (status) {
    case 400:
      return {"bad_request", "Requête invalide", "Bad request"};
    case 401:
      return {"unauthorized", "Connexion requise", "Sign-in required"};
    case 403:
      return {"forbidden", "Accès refusé", "Forbidden"};
    case 404:
      return {"not_found", "Page introuvable", "Page not found"};
    case 405:
      return {"method_not_allowed", "Méthode non autorisée", "Method not allowed"};
    case 413:
      return {"payload_too_large", "Requête trop volumineuse", "Payload too large"};
    case 429:
      return {"too_many_requests", "Trop de tentatives, réessayez plus tard",
              "Too many attempts, try again later"};
    case 431:
      return {"headers_too_large", "En-têtes de requête trop volumineux",
              "Request headers too large"};
    case 503:
      return {"unavailable", "Service indisponible", "Service unavailable"};
    default:
      return {"internal_error", "Erreur interne", "Internal error"};
  }
}

}  // namespace

Router& Router::add(std::string method, std::string pattern, Handler handler,
                    std::optional<LargeBody> large_body) {
  routes_.push_back(
      Route{std::move(method), split_path(pattern), std::move(handler), std::move(large_body)});
  return *this;
}

const Router::Route* Router::find(Request& request, std::vector<std::string>* allowed) const {
  const std::vector<std::string> path = split_path(request.path);
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  for (const Route& route : routes_) {
    if (!match(route.segments, path, nullptr)) continue;
    if (route.method == method) {
      request.params.clear();
      match(route.segments, path, &request.params);
      return &route;
    }
    if (allowed) {
      allowed->push_back(route.method);
      if (route.method == "GET") allowed->push_back("HEAD");
    }
  }
  return nullptr;
}

Response Router::handle(Request& request) const {
  std::vector<std::string> allowed;
  if (const Route* route = find(request, &allowed)) return route->handler(request);
  if (allowed.empty()) return error_response(request, 404);
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  std::string allow;
  for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  Response response = error_response(request, 405);
  response.with_header("Allow", allow);
  return response;
}

const LargeBody* Router::large_body(Request& head) const {
  const Route* route = find(head, nullptr);
  return route && route->large_body ? &*route->large_body : nullptr;
}

Response error_response(const Request& request, int status) {
  const ErrorText text = error_text(status);
  if (negotiate_format(request) == Format::Json) {
    return Response::json(status, std::string(R"({"error":")") + text.code + R"(","status":)" +
                                      std::to_string(status) + "}");
  }
  const Lang lang = negotiate_lang(request);
  const char* message = tr(lang, En{text.en}, Fr{text.fr});
  std::string body = std::string("<!doctype html>\n<html lang=\"") + tr(lang, En{"en"}, Fr{"fr"}) +
                     "\">\n<head><meta charset=\"utf-8\"><title>" + message +
                     " — Fabrique</title></head>\n<body><main><h1>" + message +
                     "</h1></main></body>\n</html>\n";
  Response response = Response::html(status, std::move(body));
  response.with_header("Vary", "Accept, Accept-Language");
  return response;
}

}  // namespace fabrique::http
