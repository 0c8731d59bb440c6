#include "web/form.hpp"

#include "core/text.hpp"
#include "core/url.hpp"

namespace fabrique::web {

namespace {

// Characters RFC 3986 reserves and a query never holds unencoded.
bool reserved_in_query(char c) {
  return std::string_view("\"#<>[\\]^`{|}").find(c) != std::string_view::npos;
}

// The value of `;name=value` or `;name="value"` in a header like
// Content-Type or Content-Disposition.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  std::size_t at = header.find(';');
  while (at != std::string_view::npos) {
    std::string_view rest = header.substr(at + 1);
    const std::size_t end = rest.find(';');
    std::string_view item = trim(rest.substr(0, end), kHttpSpace);
    const std::size_t equals = item.find('=');
    if (equals != std::string_view::npos &&
        iequals(trim(item.substr(0, equals), kHttpSpace), name)) {
      std::string_view value = trim(item.substr(equals + 1), kHttpSpace);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
    at = end == std::string_view::npos ? end : at + 1 + end;
  }
  return std::nullopt;
}

}  // namespace

std::string Form::get(std::string_view name) const {
  for (const auto& [key, value] : fields)
    if (key == name) return value;
  return {};
}

bool Form::has(std::string_view name) const {
  for (const auto& field : fields)
    if (field.first == name) return true;
  return false;
}

std::vector<std::string> Form::all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : fields)
    if (key == name) values.push_back(value);
  return values;
}

const UploadedFile* Form::file(std::string_view name) const {
  for (const auto& f : files)
    if (f.field == name) return &f;
  return nullptr;
}

std::optional<Form> parse_urlencoded(std::string_view text) {
  Form form;
  // Browsers percent-encode everything else: raw control, non-ASCII or
  // reserved bytes mean a broken or hostile body.
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7e || reserved_in_query(c)) return std::nullopt;
  }
  if (text.empty()) return form;
  for (;;) {
    const std::size_t amp = text.find('&');
    const std::string_view param = text.substr(0, amp);
    const std::size_t equals = param.find('=');
    auto key = percent_decode(param.substr(0, equals), Plus::Space);
    auto value = equals == std::string_view::npos
                     ? std::optional<std::string>(std::string())
                     : percent_decode(param.substr(equals + 1), Plus::Space);
    if (!key || !value || !is_clean_text(*key) || !is_clean_text(*value)) return std::nullopt;
    if (!key->empty()) form.fields.emplace_back(std::move(*key), std::move(*value));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return form;
}

std::optional<Form> parse_multipart(std::string_view content_type, std::string_view body) {
  const auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  const std::string delimiter = "--" + *boundary;
  Form form;
  std::size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return std::nullopt;
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return form;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
    const std::size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return std::nullopt;
    std::string_view head = body.substr(at, head_end - at);
    const std::size_t content_start = head_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) return std::nullopt;
    std::string_view content = body.substr(content_start, next - content_start);

    std::optional<std::string> name, filename;
    std::string part_type;
    while (!head.empty()) {
      const std::size_t line_end = head.find("\r\n");
      std::string_view line = head.substr(0, line_end);
      head = line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      const std::string_view header_name = trim(line.substr(0, colon), kHttpSpace);
      const std::string_view value = trim(line.substr(colon + 1), kHttpSpace);
      if (iequals(header_name, "Content-Disposition")) {
        if (!iequals(value.substr(0, value.find(';')), "form-data")) return std::nullopt;
        name = header_parameter(value, "name");
        filename = header_parameter(value, "filename");
      } else if (iequals(header_name, "Content-Type")) {
        part_type = std::string(value);
      }
    }
    if (!name || !is_clean_text(*name)) return std::nullopt;
    if (filename) {
      if (!is_clean_text(*filename)) return std::nullopt;
      form.files.push_back({*name, *filename, part_type, std::string(content)});
    } else {
      if (!is_clean_text(content)) return std::nullopt;
      form.fields.emplace_back(*name, std::string(content));
    }
    at = next + 2;
  }
}

std::optional<Form> parse_form(const http::Request& request) {
  const std::string_view type = request.header("Content-Type").value_or("");
  const std::string_view media = trim(type.substr(0, type.find(';')), kHttpSpace);
  if (iequals(media, "application/x-www-form-urlencoded")) return parse_urlencoded(request.body);
  if (iequals(media, "multipart/form-data")) return parse_multipart(type, request.body);
  return Form{};
}

std::optional<std::string> cookie(const http::Request& request, std::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (!iequals(header, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      std::string_view item = trim(rest.substr(0, end), kHttpSpace);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const std::size_t equals = item.find('=');
      if (equals != std::string_view::npos && item.substr(0, equals) == name)
        return std::string(item.substr(equals + 1));
    }
  }
  return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value,
                       const CookieOptions& options) {
  std::string header = std::string(name) + "=" + std::string(value) + "; Path=/; SameSite=Lax";
  if (options.max_age_seconds >= 0)
    header += "; Max-Age=" + std::to_string(options.max_age_seconds);
  if (options.http_only) header += "; HttpOnly";
  if (options.secure) header += "; Secure";
  return header;
}

}  // namespace fabrique::web
