// Reading and writing the pabulib `.pb` format (https://pabulib.org/format).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang.hpp"
#include "pb/model.hpp"

namespace fabrique::pb {

// A structural error: the file cannot be understood. `what()` is one line:
// "FILE:LINE: reason" in English; message(lang) the same in either language.
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string file, std::size_t line, Text reason);
  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& reason() const { return reason_.en; }
  const Text& reason_text() const { return reason_; }
  std::string message(Lang lang) const;

 private:
  std::string file_;
  std::size_t line_;
  Text reason_;
};

// A rule-level anomaly in otherwise readable data (a ballot longer than
// max_length, points over max_sum_points...). Real files carry some; they are
// reported, and turned into errors by `strict`.
struct Warning {
  std::size_t line = 0;
  std::string reason;     // English
  std::string reason_fr;  // French
};

struct ReadOptions {
  bool strict = false;  // warnings become ParseError
};

struct ReadResult {
  Election election;
  std::vector<Warning> warnings;
};

// `name` is only used in messages. Never crashes on any input: every problem
// is a ParseError.
ReadResult read_pabulib(std::string_view text, const std::string& name,
                        const ReadOptions& options = {});
ReadResult read_pabulib_file(const std::string& path, const ReadOptions& options = {});

// Writes `election` so that pabutools (and read_pabulib) read back an
// equivalent instance: same META, projects, costs and ballots.
std::string write_pabulib(const Election& election);

// "123", or "123.45" when the election's cost_scale is 100.
std::string format_money(Money amount, std::int64_t cost_scale);

}  // namespace fabrique::pb
