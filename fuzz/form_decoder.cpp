// libFuzzer target: every decoder of what a browser sends (urlencoded and
// multipart forms, cookies, the Accept headers, the percent-decoder of
// core/url.hpp that forms and the router's path segments share) must refuse
// or accept any input without crashing; whatever a form decoder accepts must
// be clean UTF-8, and percent-encoding must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "core/url.hpp"
#include "http/http.hpp"
#include "web/form.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace fabrique;
  auto check = [](const std::optional<web::Form>& form) {
    if (!form) return;
    for (const auto& [key, value] : form->fields)
      if (!is_clean_text(key) || !is_clean_text(value)) std::abort();
  };
  check(web::parse_urlencoded(input));
  // The first line is the Content-Type, the rest the body.
  const std::size_t newline = input.find('\n');
  if (newline != std::string_view::npos)
    check(web::parse_multipart(input.substr(0, newline), input.substr(newline + 1)));
  // Any bytes survive encoding then decoding; what the strict decoder
  // accepts, the lenient one (path segments) decodes the same way.
  if (percent_decode(percent_encode(input)) != std::string(input)) std::abort();
  const auto strict = percent_decode(input);
  const std::string lenient = percent_decode_lenient(input);
  if (strict && *strict != lenient) std::abort();
  if (strict && percent_decode(percent_encode(*strict)) != strict) std::abort();
  const auto form_value = percent_decode(input, Plus::Space);
  if (strict.has_value() != form_value.has_value()) std::abort();

  http::Request request;
  request.headers = {{"Cookie", std::string(input)},
                     {"Accept", std::string(input)},
                     {"Accept-Language", std::string(input)}};
  (void)web::cookie(request, "fabrique_session");
  (void)http::negotiate_format(request);
  (void)http::negotiate_lang(request);
  return 0;
}
