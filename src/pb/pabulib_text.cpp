#include "pb/pabulib_text.hpp"

#include <fmt/format.h>

namespace fabrique::pb::detail {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_absent(std::string_view text) {
  const std::string_view s = trim(text);
  return s.empty() || iequals(s, "none");
}

void append_escaped(std::string& out, std::string_view s, std::size_t max_chars) {
  std::size_t shown = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (shown == max_chars) {
      out += "...";
      return;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t length = 1;
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((length = utf8_length(s, i)) != 0) {
      out.append(s.substr(i, length));
    } else {
      length = 1;
      out += fmt::format("\\x{:02x}", c);
    }
    i += length;
    ++shown;
  }
}

std::string quoted(std::string_view text) {
  std::string out = "'";
  append_escaped(out, text, kMaxQuotedChars);
  out += '\'';
  return out;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string plural_fr(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n > 1 ? "s" : "");
}

Text row_size_message(std::size_t fields, std::size_t header) {
  return {fmt::format("row has {}, header has {}", plural(fields, "field"), header),
          fmt::format("la ligne a {}, l'en-tête {}", plural_fr(fields, "champ"), header)};
}

bool accumulate(std::uint64_t& value, std::string_view digits) {
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (const char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kLimit - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

Num parse_decimal(std::string_view text, bool decimal_comma, Decimal& out) {
  const std::string_view s = trim(text);
  if (is_absent(s)) return Num::Absent;
  Decimal d;
  std::size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    d.negative = s[0] == '-';
    ++i;
  }
  const std::size_t int_begin = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  const std::string_view int_part = s.substr(int_begin, i - int_begin);
  std::string_view frac_part;
  if (i < s.size() && (s[i] == '.' || (decimal_comma && s[i] == ','))) {
    const std::size_t frac_begin = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    frac_part = s.substr(frac_begin, i - frac_begin);
    if (frac_part.empty()) return Num::Bad;
  }
  if (i != s.size() || int_part.empty()) return Num::Bad;
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  if (frac_part.size() > static_cast<std::size_t>(kMaxFractionDigits)) return Num::TooPrecise;
  if (!accumulate(d.mantissa, int_part) || !accumulate(d.mantissa, frac_part)) return Num::TooLarge;
  d.digits = static_cast<int>(frac_part.size());
  if (d.mantissa == 0) d.negative = false;
  out = d;
  return Num::Ok;
}

Num parse_integer(std::string_view text, bool decimal_comma, std::int64_t& out) {
  Decimal d;
  const Num status = parse_decimal(text, decimal_comma, d);
  if (status == Num::TooPrecise) return Num::Bad;
  if (status != Num::Ok) return status;
  if (d.digits != 0) return Num::Bad;
  const auto magnitude = static_cast<std::int64_t>(d.mantissa);
  out = d.negative ? -magnitude : magnitude;
  return Num::Ok;
}

std::optional<Money> scale_amount(const Decimal& d, int scale_digits) {
  if (d.digits > scale_digits || scale_digits > 18) return std::nullopt;
  const std::int64_t factor = kPow10[scale_digits - d.digits];
  Money value = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(d.mantissa), factor, &value))
    return std::nullopt;
  return d.negative ? -value : value;
}

int scale_digits_of(std::int64_t scale) {
  for (int k = 0; k <= 18; ++k)
    if (kPow10[k] == scale) return k;
  return -1;
}

std::optional<VoteType> parse_vote_type(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty() || iequals(s, "none")) return VoteType::Approval;
  if (iequals(s, "approval")) return VoteType::Approval;
  if (iequals(s, "ordinal")) return VoteType::Ordinal;
  if (iequals(s, "cumulative")) return VoteType::Cumulative;
  if (iequals(s, "scoring")) return VoteType::Scoring;
  if (iequals(s, "choose-1")) return VoteType::ChooseOne;
  return std::nullopt;
}

std::optional<bool> parse_selected(std::string_view text) {
  std::int64_t value = 0;
  if (parse_integer(text, true, value) != Num::Ok || (value != 0 && value != 1))
    return std::nullopt;
  return value == 1;
}

std::optional<std::int64_t> parse_optional_integer(std::string_view text) {
  std::int64_t value = 0;
  if (parse_integer(text, true, value) != Num::Ok) return std::nullopt;
  return value;
}

}  // namespace fabrique::pb::detail
