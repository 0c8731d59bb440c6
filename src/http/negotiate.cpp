#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "core/text.hpp"
#include "http/http.hpp"

namespace fabrique::http {

namespace {

// q of a preference list for the values `matches` accepts; -1 when absent,
// together with its position.
template <class Match>
std::pair<double, std::size_t> best(const std::vector<Preference>& prefs, Match matches) {
  double q = -1;
  std::size_t position = prefs.size();
  for (std::size_t i = 0; i < prefs.size(); ++i)
    if (matches(prefs[i].value) && prefs[i].q > q) {
      q = prefs[i].q;
      position = i;
    }
  return {q, position};
}

bool is_lang(std::string_view value, std::string_view lang) {
  return value == lang || (value.size() > lang.size() && value.substr(0, lang.size()) == lang &&
                           value[lang.size()] == '-');
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return std::string_view(value);
  return std::nullopt;
}

std::string Request::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Response Response::html(int status, std::string body) {
  return Response{status, "text/html; charset=utf-8", std::move(body), {}};
}

Response Response::json(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

Response& Response::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::vector<Preference> parse_preferences(std::string_view header) {
  std::vector<Preference> prefs;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    std::size_t semi = item.find(';');
    std::string_view value = trim(item.substr(0, semi), kHttpSpace);
    if (value.empty()) continue;
    Preference pref;
    for (char c : value) pref.value += ascii_lower(c);
    while (semi != std::string_view::npos) {
      item = item.substr(semi + 1);
      semi = item.find(';');
      std::string_view param = trim(item.substr(0, semi), kHttpSpace);
      if (param.size() >= 2 && ascii_lower(param[0]) == 'q' && param[1] == '=') {
        std::string_view number = trim(param.substr(2), kHttpSpace);
        double q = 0;
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), q);
        pref.q =
            (ec == std::errc() && end == number.data() + number.size() && q >= 0 && q <= 1) ? q : 0;
      }
    }
    prefs.push_back(std::move(pref));
  }
  return prefs;
}

Format negotiate_format(const Request& request) {
  if (request.path.rfind("/api/", 0) == 0) return Format::Json;
  auto accept = request.header("Accept");
  if (!accept) return Format::Html;
  auto prefs = parse_preferences(*accept);
  auto [json_q, json_pos] =
      best(prefs, [](const std::string& v) { return v == "application/json"; });
  auto [html_q, html_pos] = best(
      prefs, [](const std::string& v) { return v == "text/html" || v == "application/xhtml+xml"; });
  if (json_q <= 0) return Format::Html;
  return json_q > html_q || (json_q == html_q && json_pos < html_pos) ? Format::Json : Format::Html;
}

Lang negotiate_lang(const Request& request) {
  auto accept = request.header("Accept-Language");
  if (!accept) return Lang::Fr;
  auto prefs = parse_preferences(*accept);
  auto [en_q, en_pos] = best(prefs, [](const std::string& v) { return is_lang(v, "en"); });
  auto [fr_q, fr_pos] = best(prefs, [](const std::string& v) { return is_lang(v, "fr"); });
  if (en_q <= 0) return Lang::Fr;
  return en_q > fr_q || (en_q == fr_q && en_pos < fr_pos) ? Lang::En : Lang::Fr;
}

}  // namespace fabrique::http
