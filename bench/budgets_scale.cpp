// `make bench`, participatory budgets at city scale: a process with 1,000
// projects and 100,000 ballots.
//
//   fabrique_budget_bench FABRIQUE_BINARY [--ballots N] [--voters N] [--seconds S]
//
// Seeds a fresh SQLite database (4 districts, 1,000 feasible projects, N
// ballots on the roll, and V verified residents with open sessions who have
// not voted yet), then measures:
//   1. the server time of the public project list (/budgets/{slug}, the first
//      page and a district's filter) and of a resident's ballot page (250
//      projects), in process, handler only: what the access log's ms= shows;
//   2. ballots cast per second over HTTP on the real `fabrique serve` (the
//      ballot form's confirm step, distinct residents, keep-alive
//      connections), each acknowledged only once durably committed; then
//      checks that every acknowledged ballot is in the database;
//   3. the count of the whole process (every district) under each rule;
//   4. the count as the site runs it (count_process: claim, count, write the
//      results and seal the ballots), while another connection writes an
//      unrelated row in a loop: how long that write waited at most, which is
//      how long the count held SQLite's write lock in one stretch.
// Prints a table; the goals are reported, not enforced (machines vary).
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "accounts/password.hpp"
#include "accounts/repository.hpp"
#include "audit/audit.hpp"
#include "ballot_load.hpp"
#include "budgets/ballot_repository.hpp"
#include "budgets/count.hpp"
#include "budgets/repository.hpp"
#include "budgets/results_actions.hpp"
#include "cli/serve.hpp"
#include "core/crypto.hpp"
#include "core/secrets.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "store/store.hpp"
#include "support/budget_seed.hpp"

namespace {

using namespace fabrique;
using Steady = std::chrono::steady_clock;

constexpr int kProjects = 1000;
const char* const kSlug = "city-scale";

struct Options {
  std::string binary;
  int ballots = 100000;
  int voters = 20000;
  double seconds = 10;
};

struct Timing {
  double mean_ms = 0, p50_ms = 0, p99_ms = 0;
  std::size_t bytes = 0;
  int status = 0;
};

Timing time_page(const http::Router& router, const std::string& target, const std::string& cookie,
                 int runs) {
  std::vector<double> ms;
  Timing t;
  for (int i = 0; i < runs + 10; ++i) {
    http::Request request;
    request.method = "GET";
    const auto q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    if (!cookie.empty()) request.headers.emplace_back("Cookie", cookie);
    const auto start = Steady::now();
    const http::Response response = router.handle(request);
    const double elapsed = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
    if (i < 10) continue;  // warm-up
    ms.push_back(elapsed);
    t.bytes = response.body.size();
    t.status = response.status;
  }
  std::sort(ms.begin(), ms.end());
  for (double m : ms) t.mean_ms += m / static_cast<double>(ms.size());
  t.p50_ms = ms[ms.size() / 2];
  t.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (argc < 2) {
    std::cerr << "usage: fabrique_budget_bench FABRIQUE_BINARY [--ballots N] [--voters N] "
                 "[--seconds S]\n";
    return 2;
  }
  options.binary = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--ballots") options.ballots = std::stoi(argv[i + 1]);
    if (flag == "--voters") options.voters = std::stoi(argv[i + 1]);
    if (flag == "--seconds") options.seconds = std::stod(argv[i + 1]);
  }
  const auto dir = std::filesystem::temp_directory_path() /
                   ("fabrique-budget-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite:" + (dir / "bench.db").string();

  const auto seed_start = Steady::now();
  test::SeededVote seeded;
  {
    auto database = store::open(url);
    store::migrate(*database);
    seeded = test::seed_vote(*database, {.slug = kSlug,
                                         .projects = kProjects,
                                         .ballots = options.ballots,
                                         .voters = options.voters});
  }
  const double seed_seconds = std::chrono::duration<double>(Steady::now() - seed_start).count();

  // 1. Page server time, in process.
  Timing list, district, ballot;
  fabrique::Secrets secrets;
  {
    cli::PlatformOptions platform_options;
    platform_options.database_url = url;
    platform_options.send_mail = false;
    cli::Platform platform(platform_options);
    secrets = platform.app().secrets;
    const http::Router router = platform.router();
    list = time_page(router, std::string("/budgets/") + kSlug, "", 300);
    district =
        time_page(router, std::string("/budgets/") + kSlug + "?district=district-1", "", 300);
    ballot = time_page(router, std::string("/budgets/") + kSlug + "/vote",
                       "fabrique_session=" + seeded.session_tokens.back(), 100);
  }

  // 2. Ballots over HTTP on the real server.
  const auto [pid, port] = bench::start_server(options.binary, url, dir / "server.log");
  std::atomic<std::size_t> next_voter{0};
  const bench::Cast cast =
      bench::cast_ballots(port, seeded, secrets, options.seconds, 32, next_voter);
  bench::stop_server(pid);

  // Every acknowledged ballot is there.
  auto database = store::open(url);
  auto db = database->connect();
  std::int64_t stored = 0;
  for (const auto& unit : seeded.process.units)
    stored += budgets::ballot_count(*db, seeded.process.id, unit.id);

  // 3. The count of every district under each rule.
  std::vector<budgets::Project> projects = budgets::list_projects(*db, seeded.process.id);
  std::vector<std::pair<std::string, double>> counts;
  for (budgets::CountingRule rule :
       {budgets::CountingRule::Greedy, budgets::CountingRule::EqualShares,
        budgets::CountingRule::Phragmen}) {
    budgets::Process process = seeded.process;
    process.rule = rule;
    const auto start = Steady::now();
    for (const auto& unit : process.units)
      budgets::count_unit(process, unit, projects,
                          budgets::ballots_of_unit(*db, process.id, unit.id));
    counts.emplace_back(std::string(budgets::rule_name(rule)),
                        std::chrono::duration<double>(Steady::now() - start).count());
  }

  // 4. The whole count, with a writer beside it.
  double count_seconds = 0, longest_write_ms = 0;
  std::int64_t writes = 0, locked_out = 0;
  {
    std::atomic<bool> counting{true};
    std::thread counter([&] {
      auto connection = database->connect();
      const auto start = Steady::now();
      budgets::count_process(*connection, seeded.process, "2999-01-01T00:00:00Z");
      count_seconds = std::chrono::duration<double>(Steady::now() - start).count();
      counting = false;
    });
    auto writer = database->connect();
    while (counting) {
      const auto start = Steady::now();
      try {
        audit::record(*writer, {.action = "bench.unrelated", .subject = "during the count"});
      } catch (const store::StoreError&) {
        ++locked_out;  // waited longer than SQLite's busy timeout
      }
      longest_write_ms =
          std::max(longest_write_ms,
                   std::chrono::duration<double, std::milli>(Steady::now() - start).count());
      ++writes;
      // A request's pace, not a tight loop: SQLite's busy handler would
      // starve the count's own transactions.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    counter.join();
  }
  db.reset();
  database.reset();
  std::filesystem::remove_all(dir);

  const double rate = cast.rate();
  const auto percentile = [&](double p) { return cast.percentile(p); };
  std::cout << fmt::format(
      "Participatory budget at scale: {} projects, {} ballots, {} residents voting over HTTP "
      "(seeded in {:.1f} s)\n\n",
      kProjects, options.ballots, options.voters, seed_seconds);
  std::cout << fmt::format("{:<52} {:>10} {:>10} {:>10} {:>9}\n", "page (server time, in process)",
                           "mean ms", "p50 ms", "p99 ms", "KiB");
  const auto row = [](const char* name, const Timing& t) {
    std::cout << fmt::format("{:<52} {:>10.2f} {:>10.2f} {:>10.2f} {:>9.0f}{}\n", name, t.mean_ms,
                             t.p50_ms, t.p99_ms, static_cast<double>(t.bytes) / 1024,
                             t.status == 200 ? "" : fmt::format("  (status {})", t.status));
  };
  row("project list, first page (100 of 1,000)", list);
  row("project list, one district (100 of 250)", district);
  row("ballot page, one district (250 projects)", ballot);
  std::cout << fmt::format("  goal: project list < 5 ms — {}\n\n",
                           list.p99_ms < 5 && district.p99_ms < 5 ? "met" : "NOT met");
  std::cout << fmt::format(
      "ballots over HTTP (32 connections): {} acknowledged, {} refused in {:.1f} s = {:.0f} "
      "ballots/s, latency p50 {:.1f} ms, p99 {:.1f} ms\n",
      cast.acknowledged, cast.refused, cast.seconds, rate, percentile(0.5), percentile(0.99));
  std::cout << fmt::format("  goal: >= 1,000 durable ballots/s — {}\n",
                           rate >= 1000 ? "met" : "NOT met");
  std::cout << fmt::format(
      "  stored after SIGTERM: {} = {} seeded + {} acknowledged: {}\n\n", stored, options.ballots,
      cast.acknowledged, stored == options.ballots + cast.acknowledged ? "every one" : "MISMATCH");
  std::cout << "count of every district (build the election, write and read the .pb, count):\n";
  for (const auto& [rule, seconds] : counts)
    std::cout << fmt::format("  {:<10} {:>8.2f} s\n", rule, seconds);
  std::cout << fmt::format(
      "the count as the site runs it (rules compared, results written, ballots sealed): {:.2f} s;\n"
      "  an unrelated write beside it ({} of them) waited at most {:.0f} ms; {} gave up "
      "(busy timeout)\n",
      count_seconds, writes, longest_write_ms, locked_out);
  return stored == options.ballots + cast.acknowledged && cast.refused == 0 ? 0 : 1;
}
