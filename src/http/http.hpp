// The HTTP vocabulary handlers see: a request and a response, independent of
// the server library, and the content negotiation helpers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lang.hpp"
#include "core/text.hpp"

namespace fabrique::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target without its query string: "/api/budgets/x"
  std::string query;   // what follows '?', raw (not decoded); empty when none
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP address, as text
  // The `{name}` segments the router matched, percent-decoded.
  std::map<std::string, std::string> params;

  // The first header of that name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  // The matched `{name}` segment, or empty.
  std::string param(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  Headers headers;  // extra headers (Vary, Allow, Location, ...)

  static Response html(int status, std::string body);
  static Response json(int status, std::string body);
  Response& with_header(std::string name, std::string value);
};

// One item of an Accept-like header: `value;q=0.8`.
struct Preference {
  std::string value;  // lower-cased, parameters removed
  double q = 1.0;
};
// Parses `Accept`, `Accept-Language`, ... in the order written; items with
// an unreadable q are taken as q=0.
std::vector<Preference> parse_preferences(std::string_view header);

enum class Format { Html, Json };
// JSON when the path is under /api/ or `Accept` prefers application/json to
// text/html; HTML otherwise.
Format negotiate_format(const Request& request);

// English when `Accept-Language` prefers en (en, en-GB, ...) to fr; French
// otherwise (and on a tie, the language listed first).
Lang negotiate_lang(const Request& request);

}  // namespace fabrique::http
