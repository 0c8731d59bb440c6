// Plain-language explanation of a count, for a city to publish.
#pragma once

#include <string>
#include <vector>

#include "core/lang.hpp"
#include "pb/rules.hpp"

namespace fabrique::pb {

struct Explanation {
  std::string summary;                // how the rule works and what it spent
  std::vector<std::string> projects;  // one sentence per project, instance order
};

Explanation explain(const Election& election, const Outcome& outcome, Lang lang);

// A rational shown with two decimals (rounded half away from zero).
std::string format_decimal(const mpq_class& value, int decimals = 2);

}  // namespace fabrique::pb
