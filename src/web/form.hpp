// What a browser sends besides the URL: form fields (urlencoded or
// multipart), query parameters and cookies. Decoding of outside input lives
// here and nowhere else (fuzz/form_decoder.cpp exercises it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.hpp"
#include "http/http.hpp"

namespace fabrique::web {

struct UploadedFile {
  std::string field;
  std::string filename;
  std::string content_type;
  std::string content;
};

struct Form {
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<UploadedFile> files;

  // The first value of `name`, or "" when absent.
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  const UploadedFile* file(std::string_view name) const;
};

// `a=1&b=x+y%21` (application/x-www-form-urlencoded, also query strings);
// nullopt when the percent-encoding or the UTF-8 is invalid.
std::optional<Form> parse_urlencoded(std::string_view text);
// A multipart/form-data body with the boundary taken from `content_type`;
// nullopt when malformed.
std::optional<Form> parse_multipart(std::string_view content_type, std::string_view body);
// The body of a POST by its Content-Type (urlencoded, multipart; anything
// else gives an empty form); nullopt when malformed.
std::optional<Form> parse_form(const http::Request& request);

// `Cookie: a=1; b=2` → the value of `name`, if present.
std::optional<std::string> cookie(const http::Request& request, std::string_view name);

struct CookieOptions {
  bool secure = false;
  bool http_only = true;
  long max_age_seconds = -1;  // -1: a session cookie; 0: delete
};
// The value of a Set-Cookie header: Path=/, SameSite=Lax, and the options.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& options);

}  // namespace fabrique::web
