// Percent-encoding (RFC 3986 section 2.1), both ways: the one decoder of
// form fields, query strings and path segments (fuzz/form_decoder.cpp
// exercises it), and the one encoder of the links the platform writes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fabrique {

enum class Plus { Literal, Space };

// `text` with every %XX replaced by its byte (any byte, NUL and bytes that
// are not UTF-8 included: checking the result is the caller's business);
// with Plus::Space, '+' is a space (application/x-www-form-urlencoded).
// nullopt when a '%' is not followed by two hexadecimal digits.
std::optional<std::string> percent_decode(std::string_view text, Plus plus = Plus::Literal);
// The same, but a malformed escape ("%zz", a '%' at the end) is kept as
// written: for path segments, where the router matches what it can.
std::string percent_decode_lenient(std::string_view text);

// Every byte but RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) as
// %XX, upper-case hexadecimal: a value safe inside a query string or a path.
std::string percent_encode(std::string_view text);

}  // namespace fabrique
