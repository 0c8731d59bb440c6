// `make bench`: every rule on every shared real election, parsing included.
//
//   fabrique_bench --table       one timed run of each (file, rule), as a table
//   fabrique_bench [gbench args] Google Benchmark runs of the same cases
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "pb/pabulib.hpp"
#include "pb/rules.hpp"

namespace {

using namespace fabrique::pb;
namespace fs = std::filesystem;

struct RuleCase {
  const char* label;
  RuleOptions options;
};

const std::vector<RuleCase>& rule_cases() {
  static const std::vector<RuleCase> cases{
      {"greedy", {RuleName::Greedy, Utility::Cost}},
      {"greedy/cardinality", {RuleName::Greedy, Utility::Cardinality}},
      {"greedy/points", {RuleName::Greedy, Utility::Points}},
      {"mes", {RuleName::EqualShares, Utility::Cost}},
      {"mes/points", {RuleName::EqualShares, Utility::Points}},
      {"mes-add1", {RuleName::EqualSharesAdd1, Utility::Cost}},
      {"mes-add1 overspend",
       {RuleName::EqualSharesAdd1, Utility::Cost, TieBreak::IdString, Add1Stop::Overspend}},
      {"mes-add1-greedy", {RuleName::EqualSharesAdd1Greedy, Utility::Cost}},
      {"phragmen", {RuleName::Phragmen, Utility::Cost}},
      {"max-welfare", {RuleName::MaxWelfare, Utility::Cost}},
      {"official", {RuleName::Official, Utility::Cost}},
  };
  return cases;
}

fs::path data_dir() {
  if (const char* dir = std::getenv("FABRIQUE_PABULIB_DIR")) return dir;
  return FABRIQUE_PABULIB_DIR;
}

std::vector<fs::path> files() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(data_dir()))
    if (entry.path().extension() == ".pb") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

bool applies(const Election& e, const RuleOptions& options) {
  if (!utility_applies(e, options.utility)) return false;
  if (options.rule == RuleName::Phragmen)
    return e.vote_type == VoteType::Approval || e.vote_type == VoteType::ChooseOne;
  if (options.rule == RuleName::Official) {
    const std::string* rule = e.meta_value("rule");
    return rule && *rule != "unknown";
  }
  return true;
}

// Parse + count, as `fabrique pb count` does.
Outcome parse_and_count(const fs::path& file, const RuleOptions& options) {
  Election e = read_pabulib_file(file.string()).election;
  return count(e, options);
}

int print_table() {
  using Clock = std::chrono::steady_clock;
  std::cout << fmt::format("{:<48} {:>8} {:>8}  {:<20} {:>10}  {}\n", "instance", "voters",
                           "projects", "rule", "ms", "funded");
  double total_ms = 0;
  for (const auto& file : files()) {
    Election e = read_pabulib_file(file.string()).election;
    std::string name = file.stem().string();
    if (name.size() > 48) name = name.substr(0, 45) + "...";
    for (const auto& c : rule_cases()) {
      if (!applies(e, c.options)) continue;
      auto start = Clock::now();
      Outcome outcome = parse_and_count(file, c.options);
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      total_ms += ms;
      std::cout << fmt::format("{:<48} {:>8} {:>8}  {:<20} {:>10.1f}  {}\n", name, e.ballots.size(),
                               e.projects.size(), c.label, ms, outcome.selected.size());
    }
  }
  std::cout << fmt::format("total: {:.2f} s\n", total_ms / 1000.0);
  return 0;
}

void register_benchmarks() {
  for (const auto& file : files())
    for (const auto& c : rule_cases()) {
      Election e = read_pabulib_file(file.string()).election;
      if (!applies(e, c.options)) continue;
      benchmark::RegisterBenchmark(fmt::format("{}/{}", file.stem().string(), c.label).c_str(),
                                   [file, options = c.options](benchmark::State& state) {
                                     for (auto _ : state)
                                       benchmark::DoNotOptimize(parse_and_count(file, options));
                                   })
          ->Unit(benchmark::kMillisecond);
    }
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--table") == 0) return print_table();
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
