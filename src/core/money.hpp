// Amounts of money as people type them in forms: whole currency units
// (euros), what cities publish and vote on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fabrique {

// "12", "12 500", "12500 €" → 12500; nullopt when not a positive whole amount
// (at most 10^12). `allow_zero` accepts 0. Spaces (plain, no-break, narrow
// no-break), commas, dots and apostrophes are read as thousands separators.
std::optional<std::int64_t> parse_amount(const std::string& text, bool allow_zero = false);

}  // namespace fabrique
