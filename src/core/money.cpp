#include "core/money.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/text.hpp"

namespace fabrique {

namespace {

constexpr std::int64_t kLargestAmount = 1'000'000'000'000;  // 10^12: no city budget comes near

AmountReading refused(Text problem) { return {std::nullopt, std::move(problem)}; }

// The groups of digits between separators, and the separators, of what is
// left once spaces, apostrophes and the euro sign are gone.
struct Shape {
  std::vector<std::string> groups;
  std::string separators;  // one per boundary between groups
};

std::optional<Shape> shape_of(const std::string& text) {
  Shape shape;
  shape.groups.emplace_back();
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      shape.groups.back() += static_cast<char>(c);
      ++i;
    } else if (c == ',' || c == '.') {
      if (shape.groups.back().empty()) return std::nullopt;  // ",5", "1,,5"
      shape.separators += static_cast<char>(c);
      shape.groups.emplace_back();
      ++i;
    } else if (c == ' ' || c == '\'' || c == '\t') {
      ++i;
    } else if (text.compare(i, 2, "\u00a0") == 0 || text.compare(i, 2, "\u2019") == 0) {
      i += 2;
    } else if (text.compare(i, 3, "\u202f") == 0 || text.compare(i, 3, "€") == 0 ||
               text.compare(i, 3, "\u2019") == 0) {
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  if (shape.groups.back().empty()) return std::nullopt;  // "12,", nothing at all
  return shape;
}

// The first `groups` groups read as thousands: 1 to 3 digits, then 3 each
// (a lone group is whatever spaces grouped it).
bool thousands(const Shape& shape, std::size_t groups) {
  if (groups <= 1) return true;
  if (shape.groups.front().size() > 3) return false;
  for (std::size_t g = 1; g < groups; ++g)
    if (shape.groups[g].size() != 3) return false;
  return true;
}

}  // namespace

AmountReading read_amount(const std::string& text, bool allow_zero) {
  const Text not_an_amount{"Write a whole amount in euros, for example 12500 or 12 500.",
                           "Écrivez un montant entier en euros, par exemple 12500 ou 12 500."};
  const auto shape = shape_of(text);
  if (!shape) return refused(not_an_amount);
  const auto& groups = shape->groups;
  const std::string& seps = shape->separators;
  std::string whole;
  std::string cents;
  if (seps.empty()) {
    whole = groups.front();
  } else {
    const char last = seps.back();
    const bool one_kind = seps.find_first_not_of(last) == std::string::npos;
    const std::string& tail = groups.back();
    if (one_kind && seps.size() == 1 && tail.size() == 3) {
      const std::string typed = groups.front() + last + tail;
      return refused(
          {fmt::format("“{}”: is it {},{} euros or {}.{} euros? Write the amount without a comma "
                       "or a dot, for example {}{}.",
                       typed, groups.front(), tail, groups.front(), tail.substr(0, 2),
                       groups.front(), tail),
           fmt::format(
               "«\u202f{}\u202f»\u202f: s’agit-il de {}\u202f{}\u00a0€ ou de {},{}\u00a0€\u202f? "
               "Écrivez le montant sans virgule ni point, par exemple {}{}.",
               typed, groups.front(), tail, groups.front(), tail.substr(0, 2), groups.front(),
               tail)});
    }
    if (one_kind && seps.size() >= 1 && tail.size() == 3) {
      if (!thousands(*shape, groups.size())) return refused(not_an_amount);
      for (const std::string& g : groups) whole += g;
    } else if (tail.size() <= 2) {
      // Cents after the last separator; the others group thousands, of the other kind.
      const std::string before = seps.substr(0, seps.size() - 1);
      if (before.find(last) != std::string::npos || !thousands(*shape, groups.size() - 1))
        return refused(not_an_amount);
      for (std::size_t g = 0; g + 1 < groups.size(); ++g) whole += groups[g];
      cents = tail;
    } else {
      return refused(not_an_amount);
    }
  }
  if (cents.find_first_not_of('0') != std::string::npos) {
    const std::int64_t euros = whole.size() <= 13 ? std::stoll(whole) : 0;
    return refused({fmt::format("Amounts are in whole euros: write {} or {}.", euros, euros + 1),
                    fmt::format("Les montants sont en euros entiers\u202f: écrivez {} ou {}.",
                                euros, euros + 1)});
  }
  const std::size_t first = whole.find_first_not_of('0');
  const std::string digits = first == std::string::npos ? "0" : whole.substr(first);
  const Text too_large{
      "This amount is too large (at most 1,000,000,000,000 euros).",
      "Ce montant est trop élevé (au plus 1\u202f000\u202f000\u202f000\u202f000\u00a0€)."};
  if (digits.size() > 13) return refused(too_large);
  const std::int64_t value = std::stoll(digits);
  if (value > kLargestAmount) return refused(too_large);
  if (value == 0 && !allow_zero)
    return refused({"Write an amount greater than zero.", "Écrivez un montant supérieur à zéro."});
  return {value, std::nullopt};
}

Text amount_error(const Text& label, const AmountReading& reading) {
  const Text problem = reading.problem.value_or(
      Text{"Write a whole amount in euros.", "Écrivez un montant entier en euros."});
  return {label.en + ": " + problem.en, label.fr + "\u202f: " + problem.fr};
}

std::optional<std::int64_t> parse_amount(const std::string& text, bool allow_zero) {
  return read_amount(text, allow_zero).value;
}

std::string format_amount(std::int64_t amount, Lang lang) {
  const std::string grouped = format_count(amount, lang);  // "12 500" / "12,500"
  return lang == Lang::Fr ? grouped + "\u00a0€" : "€" + grouped;
}

}  // namespace fabrique
