#include "core/money.hpp"

namespace fabrique {

namespace {

constexpr std::int64_t kLargestAmount = 1'000'000'000'000;  // 10^12: no city budget comes near

}  // namespace

std::optional<std::int64_t> parse_amount(const std::string& text, bool allow_zero) {
  // Spaces (plain, no-break, narrow no-break), commas, dots as thousands
  // separators and a euro sign are what people type; anything else is refused.
  std::string digits;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      digits += static_cast<char>(c);
      ++i;
    } else if (c == ' ' || c == ',' || c == '.' || c == '\'') {
      ++i;
    } else if (text.compare(i, 2, "\u00a0") == 0) {
      i += 2;
    } else if (text.compare(i, 3, "\u202f") == 0 || text.compare(i, 3, "€") == 0) {
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty() || digits.size() > 13) return std::nullopt;
  const std::int64_t value = std::stoll(digits);
  if (value > kLargestAmount || (value == 0 && !allow_zero)) return std::nullopt;
  return value;
}

}  // namespace fabrique
