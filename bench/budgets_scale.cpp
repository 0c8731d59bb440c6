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
//   3. the count of the whole process (every district) under each rule.
// Prints a table; the goals are reported, not enforced (machines vary).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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
#include "budgets/ballots_store.hpp"
#include "budgets/count.hpp"
#include "budgets/repository.hpp"
#include "cli/serve.hpp"
#include "core/crypto.hpp"
#include "core/time.hpp"
#include "residency/actions.hpp"
#include "store/store.hpp"
#include "support/budget_seed.hpp"

namespace {

using namespace fabrique;
using Steady = std::chrono::steady_clock;
namespace beast = boost::beast;
namespace asio = boost::asio;

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

// `fabrique serve` on the database; returns its pid and port.
std::pair<pid_t, int> start_server(const std::string& binary, const std::string& url,
                                   const std::filesystem::path& log) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 2);
    ::close(pipe_fds[0]);
    ::execl(binary.c_str(), binary.c_str(), "serve", "--listen", "127.0.0.1:0", "--database",
            url.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::close(pipe_fds[1]);
  std::string line;
  char c;
  while (::read(pipe_fds[0], &c, 1) == 1) {
    if (c != '\n') {
      line += c;
      continue;
    }
    const auto at = line.find("http://127.0.0.1:");
    if (at != std::string::npos) {
      ::close(pipe_fds[0]);
      return {pid, std::stoi(line.substr(at + 17))};
    }
    line.clear();
  }
  throw std::runtime_error("the server did not start (see " + log.string() + ")");
}

struct Cast {
  double seconds = 0;
  std::int64_t acknowledged = 0;
  std::int64_t refused = 0;
  std::vector<double> latencies_ms;
};

Cast cast_ballots(int port, const test::SeededVote& seeded, const web::Secrets& secrets,
                  double seconds, int connections) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::int64_t> acknowledged{0}, refused{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  const auto deadline = Steady::now() + std::chrono::duration<double>(seconds);
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      asio::io_context io;
      beast::tcp_stream stream(io);
      stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                             static_cast<unsigned short>(port)));
      beast::flat_buffer buffer;
      std::mt19937 random(static_cast<unsigned>(c));
      while (Steady::now() < deadline) {
        const std::size_t v = next++;
        if (v >= seeded.session_tokens.size()) break;
        const std::string& token = seeded.session_tokens[v];
        const auto& ids = seeded.projects_by_unit[seeded.voter_unit[v]];
        std::string body =
            "csrf=" + crypto::keyed_hash_hex(secrets.forms, "session:" + token) + "&action=confirm";
        for (int k = 0; k < 3; ++k)
          body +=
              "&project=" + std::to_string(ids[(random() % 50) * 5 + static_cast<std::size_t>(k)]);
        beast::http::request<beast::http::string_body> request{
            beast::http::verb::post, std::string("/budgets/") + kSlug + "/vote", 11};
        request.set(beast::http::field::host, "127.0.0.1");
        request.set(beast::http::field::cookie, "fabrique_session=" + token);
        request.set(beast::http::field::content_type, "application/x-www-form-urlencoded");
        request.body() = body;
        request.prepare_payload();
        const auto sent = Steady::now();
        beast::http::write(stream, request);
        beast::http::response<beast::http::string_body> response;
        beast::http::read(stream, buffer, response);
        latencies[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Steady::now() - sent).count());
        if (response.result_int() == 303 || response.result_int() == 200)
          ++acknowledged;
        else
          ++refused;
      }
    });
  for (auto& t : threads) t.join();
  Cast out;
  out.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  out.acknowledged = acknowledged;
  out.refused = refused;
  for (auto& l : latencies) out.latencies_ms.insert(out.latencies_ms.end(), l.begin(), l.end());
  std::sort(out.latencies_ms.begin(), out.latencies_ms.end());
  return out;
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
  web::Secrets secrets;
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
  const auto [pid, port] = start_server(options.binary, url, dir / "server.log");
  const Cast cast = cast_ballots(port, seeded, secrets, options.seconds, 32);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);

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
  db.reset();
  database.reset();
  std::filesystem::remove_all(dir);

  const double rate = static_cast<double>(cast.acknowledged) / cast.seconds;
  const auto percentile = [&](double p) {
    if (cast.latencies_ms.empty()) return 0.0;
    return cast.latencies_ms[std::min(
        cast.latencies_ms.size() - 1,
        static_cast<std::size_t>(static_cast<double>(cast.latencies_ms.size()) * p))];
  };
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
  return stored == options.ballots + cast.acknowledged && cast.refused == 0 ? 0 : 1;
}
