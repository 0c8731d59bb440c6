#include "pb/rules.hpp"

#include <array>
#include <utility>

namespace fabrique::pb {

namespace {

constexpr std::array<std::pair<RuleName, const char*>, 7> kRuleNames{{
    {RuleName::Greedy, "greedy"},
    {RuleName::EqualShares, "mes"},
    {RuleName::EqualSharesAdd1, "mes-add1"},
    {RuleName::EqualSharesAdd1Greedy, "mes-add1-greedy"},
    {RuleName::Phragmen, "phragmen"},
    {RuleName::MaxWelfare, "max-welfare"},
    {RuleName::Official, "official"},
}};

constexpr std::array<std::pair<Utility, const char*>, 3> kUtilityNames{{
    {Utility::Cost, "cost"},
    {Utility::Cardinality, "cardinality"},
    {Utility::Points, "points"},
}};

constexpr std::array<std::pair<TieBreak, const char*>, 3> kTieBreakNames{{
    {TieBreak::IdString, "id"},
    {TieBreak::IdNatural, "id-natural"},
    {TieBreak::Cheapest, "cheapest"},
}};

template <class Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<Enum, const char*>, N>& table,
                           const std::string& name) {
  for (const auto& [value, text] : table)
    if (name == text) return value;
  return std::nullopt;
}

template <class Enum, std::size_t N>
std::string name_of(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
  for (const auto& [v, text] : table)
    if (v == value) return text;
  return "?";
}

}  // namespace

std::optional<RuleName> parse_rule(const std::string& name) { return lookup(kRuleNames, name); }
std::string to_string(RuleName rule) { return name_of(kRuleNames, rule); }
std::optional<Utility> parse_utility(const std::string& name) {
  return lookup(kUtilityNames, name);
}
std::string to_string(Utility utility) { return name_of(kUtilityNames, utility); }
std::optional<TieBreak> parse_tie_break(const std::string& name) {
  return lookup(kTieBreakNames, name);
}

bool utility_applies(const Election& election, Utility utility) {
  return utility != Utility::Points || election.has_points;
}

Outcome count(const Election& election, const RuleOptions& options) {
  if (!utility_applies(election, options.utility))
    throw RuleError(
        {"--utility points needs ballots with points (cumulative ballots or a "
         "points column); this file has none",
         "--utility points demande des bulletins avec des points (bulletins "
         "cumulatifs ou colonne points)\u202f; ce fichier n'en a pas"});
  switch (options.rule) {
    case RuleName::Greedy:
      return greedy(election, options.utility, options.tie_break);
    case RuleName::EqualShares:
      return equal_shares(election, options.utility, options.tie_break, options.exact_reports);
    case RuleName::EqualSharesAdd1:
      return equal_shares_add1(election, options.utility, options.tie_break, options.add1_stop,
                               options.exact_reports);
    case RuleName::EqualSharesAdd1Greedy:
      return equal_shares_add1_greedy(election, options.utility, options.tie_break,
                                      options.exact_reports);
    case RuleName::Phragmen:
      return sequential_phragmen(election, options.tie_break);
    case RuleName::MaxWelfare:
      return max_welfare(election, options.utility, options.tie_break);
    case RuleName::Official:
      return official(election, options.tie_break, options.exact_reports);
  }
  throw RuleError({"unknown rule", "règle inconnue"});
}

}  // namespace fabrique::pb
