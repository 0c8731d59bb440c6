#include "web/site.hpp"

#include <algorithm>

#include <zlib.h>
#include <boost/json.hpp>
#include <map>
#include <mutex>

#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/url.hpp"
#include "web/templates.hpp"

namespace fabrique::web {

namespace json = boost::json;
using accounts::Permission;

namespace {

constexpr std::string_view kVisitorCookie = "fabrique_visitor";
constexpr std::string_view kFlashCookie = "fabrique_flash";
constexpr std::string_view kLangCookie = "fabrique_lang";

std::string lang_code(Lang lang) { return lang == Lang::Fr ? "fr" : "en"; }

std::string hex_of(std::string_view text) {
  return crypto::to_hex(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::optional<std::string> text_of_hex(std::string_view hex) {
  if (hex.size() % 2 != 0 || hex.size() > 4000) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  if (!crypto::from_hex(hex, reinterpret_cast<unsigned char*>(out.data()), out.size()))
    return std::nullopt;
  return out;
}

std::string content_type_of(std::string_view file) {
  if (file.ends_with(".css")) return "text/css; charset=utf-8";
  if (file.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (file.ends_with(".svg")) return "image/svg+xml";
  if (file.ends_with(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

// gzip of a static asset (stylesheet, script, SVG compress 3-5x), made once.
std::string gzip(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return result == Z_STREAM_END ? out : std::string();
}

const std::string& gzipped_asset(const std::string& file, std::string_view content) {
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;
  std::lock_guard lock(mutex);
  auto found = cache.find(file);
  if (found == cache.end()) found = cache.emplace(file, gzip(content)).first;
  return found->second;
}

bool accepts_gzip(const http::Request& request) {
  for (const auto& item : http::parse_preferences(request.header("Accept-Encoding").value_or("")))
    if ((item.value == "gzip" || item.value == "*") && item.q > 0) return true;
  return false;
}

std::string asset_version(std::string_view content) {
  return crypto::hash_hex(content).substr(0, 16);
}

}  // namespace

std::string session_cookie_name(const Config& config) {
  return config.secure_cookies() ? "__Host-fabrique_session" : "fabrique_session";
}

std::string safe_local_path(const std::string& next) {
  if (next.empty() || next.front() != '/' || next.starts_with("//") || next.starts_with("/\\"))
    return "/";
  for (char c : next)
    if (static_cast<unsigned char>(c) < 0x20) return "/";
  return next;
}

std::string asset_url(std::string_view file_name) {
  // Hashed once per process: every page links three assets.
  static const auto urls = [] {
    std::map<std::string, std::string, std::less<>> all;
    for (const char* name : {"fabrique.css", "fabrique.js", "favicon.svg"})
      if (const std::string_view* content = static_asset(name))
        all.emplace(name, "/static/" + std::string(name) + "?v=" + asset_version(*content));
    return all;
  }();
  const auto found = urls.find(file_name);
  if (found != urls.end()) return found->second;
  const std::string_view* content = static_asset(file_name);
  if (!content) return "/static/" + std::string(file_name);
  return "/static/" + std::string(file_name) + "?v=" + asset_version(*content);
}

Context::Context(App& app_, const http::Request& request_, store::LazyConnection& db_)
    : app(app_), request(request_), db(db_), lazy_db_(db_) {
  if (auto parsed = parse_urlencoded(request.query)) query = std::move(*parsed);
}

std::string Context::client_address() const {
  if (app.config.behind_proxy) {
    std::string_view forwarded;
    for (const auto& [name, value] : request.headers)
      if (iequals(name, "X-Forwarded-For")) forwarded = value;
    const std::size_t comma = forwarded.rfind(',');
    std::string_view last =
        comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    if (!last.empty()) return std::string(last);
  }
  return request.remote_address;
}

std::string Context::binding() {
  if (viewer.signed_in()) return "session:" + viewer.session_token;
  if (visitor_id_.empty()) {
    if (auto existing = cookie(request, kVisitorCookie); existing && existing->size() == 43) {
      visitor_id_ = *existing;
    } else {
      visitor_id_ = crypto::random_token();
      add_cookie(set_cookie(kVisitorCookie, visitor_id_, {.secure = app.config.secure_cookies()}));
    }
  }
  return "visitor:" + visitor_id_;
}

std::string Context::csrf() { return crypto::keyed_hash_hex(app.secrets.forms, binding()); }

bool Context::csrf_valid(const std::string& token) {
  // A visitor without the cookie has no token to match: never mint one here.
  if (!viewer.signed_in() && !cookie(request, kVisitorCookie)) return false;
  return crypto::equal_constant_time(token, csrf());
}

void Context::flash(const Text& message) {
  add_cookie(set_cookie(kFlashCookie, hex_of(message.en + '\x1f' + message.fr),
                        {.secure = app.config.secure_cookies()}));
}

std::optional<Text> Context::take_flash() {
  const auto raw = cookie(request, kFlashCookie);
  if (!raw) return std::nullopt;
  // Read once: deleted with this response (unless this response sets a new one).
  bool replaced = false;
  for (const auto& [name, value] : headers_)
    if (name == "Set-Cookie" && value.starts_with(std::string(kFlashCookie) + "=")) replaced = true;
  if (!replaced)
    add_cookie(set_cookie(kFlashCookie, "",
                          {.secure = app.config.secure_cookies(), .max_age_seconds = 0}));
  const auto text = text_of_hex(*raw);
  if (!text) return std::nullopt;
  const std::size_t separator = text->find('\x1f');
  if (separator == std::string::npos) return std::nullopt;
  Text message{text->substr(0, separator), text->substr(separator + 1)};
  if (!is_clean_text(message.en) || !is_clean_text(message.fr)) return std::nullopt;
  return message;
}

void Context::add_cookie(std::string set_cookie_value) {
  headers_.emplace_back("Set-Cookie", std::move(set_cookie_value));
}

void Context::set_session(const std::string& token) {
  viewer.session_token = token;
  add_cookie(set_cookie(
      session_cookie_name(app.config), token,
      {.secure = app.config.secure_cookies(),
       .max_age_seconds =
           std::chrono::duration_cast<std::chrono::seconds>(accounts::kSessionLifetime).count()}));
}

void Context::clear_session() {
  viewer = {};
  add_cookie(set_cookie(session_cookie_name(app.config), "",
                        {.secure = app.config.secure_cookies(), .max_age_seconds = 0}));
}

void Context::set_language_cookie(Lang language) {
  lang = language;
  add_cookie(
      set_cookie(kLangCookie, lang_code(language),
                 {.secure = app.config.secure_cookies(), .max_age_seconds = 365L * 24 * 3600}));
}

void Context::audit(const std::string& action, const std::string& subject,
                    const std::string& detail) {
  std::optional<std::int64_t> actor;
  if (viewer.account) actor = viewer.account->id;
  audit::record(db, {.actor = actor, .action = action, .subject = subject, .detail = detail});
}

bool Context::wants_json() const { return http::negotiate_format(request) == http::Format::Json; }

http::Response Context::json(const json::value& value, int status) {
  http::Response response = http::Response::json(status, json::serialize(value));
  for (auto& header : take_headers()) response.headers.push_back(std::move(header));
  return response;
}

http::Response Context::redirect(const std::string& location) {
  http::Response response;
  response.status = 303;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("Location", safe_local_path(location));
  for (auto& header : take_headers()) response.headers.push_back(std::move(header));
  return response;
}

http::Response Context::error(int status, const Text& message) {
  if (wants_json())
    return json(json::object{{"status", status}, {"error", message.en}, {"message_fr", message.fr}},
                status);
  return page("web/error", json::object{{"message", message.in(lang)}}, Text{"Error", "Erreur"},
              status);
}

http::Response Context::page(std::string_view template_name, json::object view, const Text& title,
                             int status) {
  if (wants_json()) return json(view, status);
  const Lang other = lang == Lang::Fr ? Lang::En : Lang::Fr;
  std::string here = request.path + (request.query.empty() ? "" : "?" + request.query);

  json::object common;
  common["lang_code"] = lang_code(lang);
  common["title"] = title.in(lang);
  common["city_name"] = app.config.city_name;
  common["css_url"] = asset_url("fabrique.css");
  common["js_url"] = asset_url("fabrique.js");
  common["icon_url"] = asset_url("favicon.svg");
  common["switch_lang_url"] = "/language?to=" + lang_code(other) + "&back=" + percent_encode(here);
  common["switch_lang_label"] = other == Lang::Fr ? "Français" : "English";
  common["switch_lang_code"] = lang_code(other);
  json::object who{{"signed_in", viewer.signed_in()},
                   {"staff", viewer.can(Permission::EnterAdminArea)}};
  if (viewer.account) who["display_name"] = viewer.account->display_name;
  common["viewer"] = std::move(who);
  if (viewer.signed_in()) common["csrf"] = csrf();
  if (auto message = take_flash()) common["flash"] = message->in(lang);

  for (const auto& [key, value] : common)
    if (!view.contains(key)) view[key] = value;
  if (!view.contains("csrf") && viewer.signed_in()) view["csrf"] = common["csrf"];
  common["content"] = render(template_name, view, lang);
  http::Response response = http::Response::html(status, render("web/layout", common, lang));
  for (auto& header : take_headers()) response.headers.push_back(std::move(header));
  return response;
}

void Site::get(std::string pattern, Permission permission, PageHandler handler) {
  add("GET", std::move(pattern), permission, std::move(handler), Body::Form);
}

void Site::post(std::string pattern, Permission permission, PageHandler handler, Body body) {
  add("POST", std::move(pattern), permission, std::move(handler), body);
}

void Site::add(std::string method, std::string pattern, Permission permission, PageHandler handler,
               Body body) {
  infos_.push_back({std::move(method), std::move(pattern), permission, body});
  handlers_.push_back(std::move(handler));
}

namespace {

// Who sends the request: the account of its session cookie, if any.
Viewer viewer_of(App& app, store::Connection& db, const http::Request& request) {
  Viewer viewer;
  if (auto token = cookie(request, session_cookie_name(app.config))) {
    if (auto account = accounts::account_for_session(db, *token)) {
      viewer.account = std::move(*account);
      viewer.session_token = *token;
    }
  }
  return viewer;
}

http::Response serve(App& app, const RouteInfo& route, const PageHandler& handler,
                     const http::Request& request) {
  store::LazyConnection connection(app.pool);
  Context ctx(app, request, connection);

  ctx.viewer = viewer_of(app, ctx.db, request);
  const auto chosen = cookie(request, kLangCookie);
  if (chosen && parse_lang(*chosen)) {
    ctx.lang = *parse_lang(*chosen);
  } else if (ctx.viewer.account) {
    ctx.lang = ctx.viewer.account->language;
  } else {
    ctx.lang = http::negotiate_lang(request);
  }

  // The permission first: the body of a request that may not use the route
  // is never parsed (its CSRF token is in that body, and a refusal changes
  // nothing, so none is needed to refuse).
  if (!ctx.viewer.can(route.permission)) {
    if (!ctx.viewer.signed_in()) {
      if (ctx.wants_json()) return ctx.error(401, {"Sign in first.", "Connectez-vous d'abord."});
      const std::string here = request.path + (request.query.empty() ? "" : "?" + request.query);
      return ctx.redirect("/sign-in?next=" + percent_encode(route.method == "GET" ? here : "/"));
    }
    return ctx.error(403, {"Your account does not give access to this page.",
                           "Votre compte ne donne pas accès à cette page."});
  }

  if (route.method == "POST") {
    auto form = parse_form(request);
    if (!form)
      return ctx.error(400, {"The form could not be read (invalid encoding).",
                             "Le formulaire est illisible (encodage invalide)."});
    ctx.form = std::move(*form);
    std::string token = ctx.form.get("csrf");
    if (token.empty()) token = std::string(request.header("X-CSRF-Token").value_or(""));
    if (!ctx.csrf_valid(token))
      return ctx.error(403, {"This form has expired or did not come from this site. Go back, "
                             "reload the page and send it again.",
                             "Ce formulaire a expiré ou ne vient pas de ce site. Revenez en "
                             "arrière, rechargez la page et envoyez-le à nouveau."});
  }

  http::Response response = handler(ctx);
  for (auto& header : ctx.take_headers()) response.headers.push_back(std::move(header));
  response.headers.emplace_back("Vary", "Cookie, Accept, Accept-Language");
  // A handler that set its own caching (public project images) keeps it.
  const bool caching_set =
      std::any_of(response.headers.begin(), response.headers.end(),
                  [](const auto& header) { return iequals(header.first, "Cache-Control"); });
  if (!caching_set && (ctx.viewer.signed_in() || route.method != "GET"))
    response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

http::Router Site::router() const {
  http::Router router;
  App& app = app_;
  router.get("/health", [&app](const http::Request&) {
    bool database = true;
    try {
      app.pool.acquire()->query("SELECT 1");
    } catch (const std::exception&) {
      database = false;
    }
    return http::Response::json(
        database ? 200 : 503,
        json::serialize(json::object{{"status", database ? "ok" : "unavailable"},
                                     {"database", database ? "ok" : "unreachable"},
                                     {"version", "0.1.0"}}));
  });
  router.get("/static/{file}", [](const http::Request& request) {
    const std::string file = request.param("file");
    const std::string_view* content = static_asset(file);
    if (!content) return http::error_response(request, 404);
    http::Response response;
    response.content_type = content_type_of(file);
    response.body = std::string(*content);
    const std::string version = asset_version(*content);
    response.headers.emplace_back("ETag", "\"" + version + "\"");
    // Pages link assets with ?v=<hash>, so a cached copy is never stale.
    response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    response.headers.emplace_back("Vary", "Accept-Encoding");
    if (request.header("If-None-Match").value_or("") == "\"" + version + "\"") {
      response.status = 304;
      response.body.clear();
    } else if (accepts_gzip(request)) {
      const std::string& compressed = gzipped_asset(file, *content);
      if (!compressed.empty() && compressed.size() < content->size()) {
        response.body = compressed;
        response.headers.emplace_back("Content-Encoding", "gzip");
      }
    }
    return response;
  });
  for (std::size_t i = 0; i < infos_.size(); ++i) {
    const RouteInfo& info = infos_[i];
    const PageHandler& handler = handlers_[i];
    std::optional<http::LargeBody> large_body;
    // An upload's large body only for a session the route's permission allows.
    if (info.body == Body::Upload)
      large_body = http::LargeBody{kUploadLimit, [&app, &info](const http::Request& head) {
                                     auto lease = app.pool.acquire();
                                     return viewer_of(app, *lease, head).can(info.permission);
                                   }};
    router.add(
        info.method, info.pattern,
        [&app, &info, &handler](const http::Request& request) {
          return serve(app, info, handler, request);
        },
        std::move(large_body));
  }
  return router;
}

}  // namespace fabrique::web
