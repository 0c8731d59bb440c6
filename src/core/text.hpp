// Text helpers every layer shares: white space, ASCII case, UTF-8, joins.
// Outside input (forms, files, mail headers) is bytes until valid_utf8 or
// is_clean_text says otherwise; nothing here depends on the locale.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang.hpp"

namespace fabrique {

// What trim removes by default: the C locale's white space.
inline constexpr std::string_view kWhiteSpace = " \t\r\n\v\f";
// HTTP's optional white space (RFC 9110 OWS), for header values.
inline constexpr std::string_view kHttpSpace = " \t";

// `text` without the leading and trailing characters found in `spaces`.
std::string_view trim(std::string_view text, std::string_view spaces = kWhiteSpace);

// ASCII letters lower-cased; every other byte (UTF-8 included) unchanged.
char ascii_lower(char c);
std::string ascii_lower(std::string_view text);
// ASCII case-insensitive equality ("Content-Type" == "content-type").
bool iequals(std::string_view a, std::string_view b);

// The length of the well-formed UTF-8 sequence starting at `text[at]`, or 0
// when there is none (overlongs, surrogates, code points beyond U+10FFFF
// and truncated sequences refused). `at` must be inside `text`.
std::size_t utf8_length(std::string_view text, std::size_t at);
// Where the first byte that is not UTF-8 is, or npos.
std::size_t utf8_error_at(std::string_view text);
bool valid_utf8(std::string_view text);
// Code points of valid UTF-8 text (bytes that do not continue a sequence).
std::size_t code_points(std::string_view text);
// True when `character` (one UTF-8 sequence, as utf8_length delimits it) is
// a control character: C0, DEL or C1 (U+0080 to U+009F).
bool is_control(std::string_view character);
// True when `text` is valid UTF-8 with no control characters other than
// tab, CR and LF (DEL refused too): what a form field or a message may hold.
bool is_clean_text(std::string_view text);

// True when `text` holds a C0 control character (tab, CR and LF included) or
// DEL: what a mail header or a one-line value may not hold.
bool has_control_characters(std::string_view text);

// A value found in a file or a form, safe to quote in a message on one
// line: at most `limit` characters of it (then "…"), control characters
// (C0, DEL, C1) and bytes that are not UTF-8 each shown as "?".
std::string quotable(std::string_view text, std::size_t limit = 30);

// The parts with `separator` between them: {"a", "b"}, ", " → "a, b".
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// A whole number as each language groups its digits: "12 500" (narrow
// no-break spaces) / "12,500".
std::string format_count(std::int64_t n, Lang lang);
// A count and its noun with a real plural: "0 projet", "1 projet",
// "3 projets" (French keeps the singular below 2) / "0 projects",
// "1 project", "3 projects"; a no-break space between the two.
struct Noun {
  const char* one;
  const char* many;
};
std::string count_of(std::int64_t n, Lang lang, Noun en, Noun fr);
// Which of the two forms `n` takes, for a text that names the count elsewhere.
const char* plural(std::int64_t n, Lang lang, Noun en, Noun fr);
// Sentences in both languages, one space between them.
Text join(const std::vector<Text>& parts);

}  // namespace fabrique
