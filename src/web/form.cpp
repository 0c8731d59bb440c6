#include "web/form.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

namespace fabrique::web {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The value of `;name=value` or `;name="value"` in a header like
// Content-Type or Content-Disposition.
std::optional<std::string> header_parameter(std::string_view header, std::string_view name) {
  std::size_t at = header.find(';');
  while (at != std::string_view::npos) {
    std::string_view rest = header.substr(at + 1);
    const std::size_t end = rest.find(';');
    std::string_view item = trim(rest.substr(0, end));
    const std::size_t equals = item.find('=');
    if (equals != std::string_view::npos && http::iequals(trim(item.substr(0, equals)), name)) {
      std::string_view value = trim(item.substr(equals + 1));
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

bool is_clean_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned code = 0;
    if ((c & 0xe0) == 0xc0) {
      length = 2;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and values past Unicode are not UTF-8.
    if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
        (length == 4 && code < 0x10000) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

std::optional<Form> parse_urlencoded(std::string_view text) {
  Form form;
  if (text.empty()) return form;
  // Browsers percent-encode everything else: raw control or non-ASCII bytes
  // mean a broken or hostile body. (Also, Boost.URL 1.81's parse_query reads
  // up to a NUL here, found by fuzz/form_decoder.cpp: it gets a copy that
  // has one, and never a NUL inside.)
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7e) return std::nullopt;
  }
  const std::string terminated(text);
  auto params = boost::urls::parse_query(terminated);
  if (!params) return std::nullopt;
  boost::urls::encoding_opts options;
  options.space_as_plus = true;
  for (const auto& param : *params) {
    std::string key = param.key.decode(options);
    std::string value = param.has_value ? param.value.decode(options) : std::string();
    if (!is_clean_text(key) || !is_clean_text(value)) return std::nullopt;
    if (key.empty()) continue;
    form.fields.emplace_back(std::move(key), std::move(value));
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
      const std::string_view header_name = trim(line.substr(0, colon));
      const std::string_view value = trim(line.substr(colon + 1));
      if (http::iequals(header_name, "Content-Disposition")) {
        if (!http::iequals(value.substr(0, value.find(';')), "form-data")) return std::nullopt;
        name = header_parameter(value, "name");
        filename = header_parameter(value, "filename");
      } else if (http::iequals(header_name, "Content-Type")) {
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
  const std::string_view media = trim(type.substr(0, type.find(';')));
  if (http::iequals(media, "application/x-www-form-urlencoded"))
    return parse_urlencoded(request.body);
  if (http::iequals(media, "multipart/form-data")) return parse_multipart(type, request.body);
  return Form{};
}

std::optional<std::string> cookie(const http::Request& request, std::string_view name) {
  for (const auto& [header, value] : request.headers) {
    if (!http::iequals(header, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      std::string_view item = trim(rest.substr(0, end));
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
