// libFuzzer target: every decoder of what a browser sends (urlencoded and
// multipart forms, cookies, the Accept headers) must refuse or accept any
// input without crashing, and whatever it accepts must be clean UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/http.hpp"
#include "web/form.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace fabrique;
  auto check = [](const std::optional<web::Form>& form) {
    if (!form) return;
    for (const auto& [key, value] : form->fields)
      if (!web::is_clean_text(key) || !web::is_clean_text(value)) std::abort();
  };
  check(web::parse_urlencoded(input));
  // The first line is the Content-Type, the rest the body.
  const std::size_t newline = input.find('\n');
  if (newline != std::string_view::npos)
    check(web::parse_multipart(input.substr(0, newline), input.substr(newline + 1)));
  http::Request request;
  request.headers = {{"Cookie", std::string(input)},
                     {"Accept", std::string(input)},
                     {"Accept-Language", std::string(input)}};
  (void)web::cookie(request, "fabrique_session");
  (void)http::negotiate_format(request);
  (void)http::negotiate_lang(request);
  return 0;
}
