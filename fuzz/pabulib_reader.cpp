// libFuzzer target for the pabulib reader and writer, and the rules behind.
//
// Any input must either read or give a ParseError (one line). What reads must
// give, under `strict`, exactly its first warning as the error; and must write
// out to a text that reads back to an equal election and writes out the same.
// Small elections are then counted by every rule: each either refuses with a
// RuleError or returns an outcome within the budget (and, under the
// sanitizers, without undefined behaviour on absurd amounts).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pb/pabulib.hpp"
#include "pb/rules.hpp"

namespace {

using fabrique::pb::ParseError;
using fabrique::pb::read_pabulib;
using fabrique::pb::ReadOptions;
using fabrique::pb::ReadResult;
using fabrique::pb::write_pabulib;

[[noreturn]] void die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "pabulib_reader fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

bool one_line(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

void count_with_every_rule(const fabrique::pb::Election& election) {
  using namespace fabrique::pb;
  if (election.projects.size() > 12 || election.ballots.size() > 64) return;
  // add1 walks the shares one unit at a time: keep its runs short here.
  bool small_amounts = true;
  for (const auto& project : election.projects)
    if (project.cost > 500) small_amounts = false;
  for (RuleName rule : {RuleName::Greedy, RuleName::EqualShares, RuleName::EqualSharesAdd1,
                        RuleName::EqualSharesAdd1Greedy, RuleName::Phragmen, RuleName::MaxWelfare,
                        RuleName::Official}) {
    bool add1 = rule == RuleName::EqualSharesAdd1 || rule == RuleName::EqualSharesAdd1Greedy ||
                rule == RuleName::Official;
    if (add1 && !small_amounts) continue;
    for (Utility utility : {Utility::Cost, Utility::Cardinality, Utility::Points}) {
      try {
        Outcome outcome = count(election, {rule, utility});
        if (outcome.total_cost > election.budget) die("outcome over budget", to_string(rule));
      } catch (const RuleError&) {
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string name = "fuzz.pb";

  ReadResult first;
  try {
    first = read_pabulib(text, name);
  } catch (const ParseError& error) {
    if (!one_line(error.what())) die("error message is not one line", error.what());
    if (!one_line(error.message(fabrique::Lang::Fr)))
      die("French error message is not one line", error.message(fabrique::Lang::Fr));
    return 0;
  }
  for (const auto& warning : first.warnings)
    if (!one_line(warning.reason)) die("warning is not one line", warning.reason);

  try {
    const ReadResult strict = read_pabulib(text, name, ReadOptions{true});
    if (!first.warnings.empty()) die("strict read accepted a text with warnings", "");
  } catch (const ParseError& error) {
    if (first.warnings.empty()) die("strict read failed without warnings", error.what());
    const auto& warning = first.warnings.front();
    if (error.line() != warning.line || error.reason() != warning.reason)
      die("strict error is not the first warning", error.what());
  }

  const std::string written = write_pabulib(first.election);
  ReadResult second;
  try {
    second = read_pabulib(written, "written.pb");
  } catch (const ParseError& error) {
    die("written text does not read back", error.what());
  }
  if (!(second.election == first.election)) die("round trip changed the election", written);
  if (write_pabulib(second.election) != written) die("second write differs", written);
  count_with_every_rule(first.election);
  return 0;
}
