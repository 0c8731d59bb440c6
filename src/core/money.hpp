// Amounts of money as people type and read them: whole currency units
// (euros), what cities publish and vote on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/lang.hpp"

namespace fabrique {

// "12 500", "12500 €", "12.500", "1,250,000", "12 500,00" → 12500. Spaces
// (plain, no-break, narrow no-break), apostrophes and a euro sign may stand
// anywhere; commas and dots group thousands or, before one or two final
// digits, mark cents. Never a guess: cents that are not zero ("12,5") and a
// single separator before three digits ("12,500": twelve thousand five
// hundred, or twelve and a half?) are refused with their own message, so
// that the person writes the amount again (`problem`). Whole amounts up to
// 10^12; `allow_zero` accepts 0.
struct AmountReading {
  std::optional<std::int64_t> value;
  std::optional<Text> problem;  // set when value is not: what to write instead
};
AmountReading read_amount(const std::string& text, bool allow_zero = false);
// "Estimated cost: " followed by what read_amount found wrong.
Text amount_error(const Text& label, const AmountReading& reading);
// read_amount's value alone.
std::optional<std::int64_t> parse_amount(const std::string& text, bool allow_zero = false);

// "12 500 €" (narrow no-break space between thousands, no-break space
// before €) in French; "€12,500" in English.
std::string format_amount(std::int64_t amount, Lang lang);

}  // namespace fabrique
