// `make bench`, issue 9 item 5: a flood of sign-ups does not stall the vote.
//
//   fabrique_signup_flood_bench FABRIQUE_BINARY [--seconds S] [--rate R] [--voters N]
//                               [--connections C] [-- SERVE_ARGS…]
//
// (--rate 0 floods nothing: how much the figure moves by itself on the
// machine; -- --signups-per-minute 100000 lifts the limit for everyone, to
// see the hashing queue alone hold the flood.)
//
// Seeds a fresh SQLite database (a budget in its vote, 400 projects, 20,000
// ballots already cast, N verified residents with open sessions who have
// not voted yet), starts the real `fabrique serve` on loopback with its
// default limits (and --behind-proxy: each sign-up of the flood comes "from"
// an address of its own in X-Forwarded-For, as from many machines, so that
// the per-address limit alone does not absorb it), then:
//   1. residents vote for S seconds (20) over C keep-alive connections (16);
//   2. they vote S seconds more while R sign-ups a second (30) arrive, each
//      with a new address and a valid form (one visitor cookie and its CSRF
//      token per flood connection, as a bot would);
//   3. they vote S seconds more, the flood over;
// and prints the rates: without the flood (the mean of 1 and 3, so that a
// change in the machine's other load between them does not pass for the
// flood's doing), with it, their ratio, and what the sign-ups got (200: the
// page "we have written to you"; 429 or 503, with Retry-After). Exits 1
// when the ratio is under 0.8 or any ballot request failed; every
// acknowledged ballot must also be in the database.
#include <fmt/format.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ballot_load.hpp"
#include "budgets/ballot_repository.hpp"
#include "cli/serve.hpp"
#include "core/secrets.hpp"
#include "store/migrations.hpp"
#include "support/budget_seed.hpp"

namespace {

using namespace fabrique;
using bench::Steady;
namespace beast = boost::beast;
namespace asio = boost::asio;
using Reply = beast::http::response<beast::http::string_body>;

struct Options {
  std::string binary;
  double seconds = 20;
  double rate = 30;
  int voters = 100000;
  int connections = 16;
  std::vector<std::string> server_args;
};

// One flood connection: a visitor cookie and the token of its forms.
class FloodClient {
 public:
  explicit FloodClient(int port) : port_(port) {}

  Reply send(beast::http::verb method, const std::string& target, const std::string& body,
             const std::string& forwarded_for) {
    if (!stream_) {
      stream_.emplace(io_);
      stream_->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                               static_cast<unsigned short>(port_)));
    }
    beast::http::request<beast::http::string_body> request{method, target, 11};
    request.set(beast::http::field::host, "127.0.0.1");
    if (!cookie_.empty()) request.set(beast::http::field::cookie, cookie_);
    if (!forwarded_for.empty()) request.set("X-Forwarded-For", forwarded_for);
    if (method == beast::http::verb::post)
      request.set(beast::http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = body;
    request.prepare_payload();
    beast::http::write(*stream_, request);
    Reply reply;
    beast::http::read(*stream_, buffer_, reply);
    for (const auto& field : reply.base())
      if (field.name() == beast::http::field::set_cookie) {
        const std::string value(field.value());
        if (value.starts_with("fabrique_visitor=")) cookie_ = value.substr(0, value.find(';'));
      }
    if (!reply.keep_alive()) stream_.reset();
    return reply;
  }

  // The sign-up form once, for its visitor cookie and token.
  void open_form() {
    const Reply page = send(beast::http::verb::get, "/sign-up", "", "");
    const std::string marker = "name=\"csrf\" value=\"";
    const std::size_t at = page.body().find(marker);
    if (at == std::string::npos) throw std::runtime_error("no CSRF token on /sign-up");
    const std::size_t start = at + marker.size();
    csrf_ = page.body().substr(start, page.body().find('"', start) - start);
  }
  const std::string& csrf() const { return csrf_; }

 private:
  int port_;
  asio::io_context io_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::string cookie_;
  std::string csrf_;
};

struct Flood {
  std::int64_t sent = 0;
  std::map<std::string, std::int64_t> answers;  // "200", "429", "503 (Retry-After 5)", ...
  double seconds = 0;
};

// `rate` sign-ups a second for `seconds`, paced, over a few connections (a
// slow answer does not slow the flood while a connection is free).
Flood flood_sign_ups(int port, double rate, double seconds, std::atomic<bool>& stop) {
  constexpr int kClients = 8;
  const auto start = Steady::now();
  const auto period = std::chrono::duration<double>(1.0 / rate);
  const auto total = static_cast<std::int64_t>(rate * seconds);
  std::atomic<std::int64_t> next{0};
  std::mutex mutex;
  Flood flood;
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c)
    threads.emplace_back([&, c] {
      FloodClient client(port);
      try {
        client.open_form();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        ++flood.answers[std::string("no form: ") + e.what()];
        return;
      }
      for (;;) {
        const std::int64_t k = next++;
        if (k >= total || stop) break;
        std::this_thread::sleep_until(
            start + std::chrono::duration_cast<Steady::duration>(period * static_cast<double>(k)));
        const std::string address =
            fmt::format("10.{}.{}.{}", (k >> 16) & 255, (k >> 8) & 255, k & 255);
        const std::string body = "csrf=" + client.csrf() + "&display_name=Flood+" +
                                 std::to_string(k) + "&email=flood-" + std::to_string(k) + "-" +
                                 std::to_string(c) +
                                 "%40bench.example&password=flood-password-2026";
        std::string answer;
        try {
          const Reply reply = client.send(beast::http::verb::post, "/sign-up", body, address);
          answer = std::to_string(reply.result_int());
          const auto retry = reply.find(beast::http::field::retry_after);
          if (retry != reply.end()) answer += " (Retry-After " + std::string(retry->value()) + ")";
        } catch (const std::exception& e) {
          answer = std::string("error: ") + e.what();
        }
        std::lock_guard lock(mutex);
        ++flood.sent;
        ++flood.answers[answer];
      }
    });
  for (auto& t : threads) t.join();
  flood.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  return flood;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (argc < 2) {
    std::cerr << "usage: fabrique_signup_flood_bench FABRIQUE_BINARY [--seconds S] [--rate R] "
                 "[--voters N] [--connections C] [-- SERVE_ARGS...]\n";
    return 2;
  }
  options.binary = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--") {
      options.server_args.assign(argv + i + 1, argv + argc);
      break;
    }
    if (i + 1 >= argc) break;
    if (flag == "--seconds") options.seconds = std::stod(argv[++i]);
    if (flag == "--rate") options.rate = std::stod(argv[++i]);
    if (flag == "--voters") options.voters = std::stoi(argv[++i]);
    if (flag == "--connections") options.connections = std::stoi(argv[++i]);
  }
  const auto dir = std::filesystem::temp_directory_path() /
                   ("fabrique-signup-flood-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite:" + (dir / "bench.db").string();
  constexpr int kBallots = 20000;

  const auto seed_start = Steady::now();
  test::SeededVote seeded;
  {
    auto database = store::open(url);
    store::migrate(*database);
    seeded = test::seed_vote(
        *database,
        {.slug = "flood", .projects = 400, .ballots = kBallots, .voters = options.voters});
  }
  const double seed_seconds = std::chrono::duration<double>(Steady::now() - seed_start).count();
  fabrique::Secrets secrets = fabrique::load_or_create_secrets(fabrique::default_secret_file(url));

  std::vector<std::string> server_args{"--behind-proxy"};
  server_args.insert(server_args.end(), options.server_args.begin(), options.server_args.end());
  const auto [pid, port] =
      bench::start_server(options.binary, url, dir / "server.log", server_args);
  std::atomic<std::size_t> next_voter{0};
  // A short warm-up (page caches, connections), not measured.
  const bench::Cast warm_up =
      bench::cast_ballots(port, seeded, secrets, 2, options.connections, next_voter);
  const bench::Cast before =
      bench::cast_ballots(port, seeded, secrets, options.seconds, options.connections, next_voter);
  std::atomic<bool> stop_flood{false};
  Flood flood;
  // --rate 0: no flood, the control (how much the figure moves by itself).
  // The port copied in: clang 14 cannot capture a structured binding.
  std::thread flooding([&, flood_port = port] {
    if (options.rate > 0)
      flood = flood_sign_ups(flood_port, options.rate, options.seconds, stop_flood);
  });
  const bench::Cast flooded =
      bench::cast_ballots(port, seeded, secrets, options.seconds, options.connections, next_voter);
  stop_flood = true;
  flooding.join();
  // Once the flood is over (and its limits' windows have passed), the same
  // again: the figure without the flood is the mean of before and after, so
  // that a change in the machine's other load does not pass for the flood's.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const bench::Cast after =
      bench::cast_ballots(port, seeded, secrets, options.seconds, options.connections, next_voter);
  bench::stop_server(pid);
  const bool voters_left = next_voter.load() < seeded.session_tokens.size();

  std::int64_t stored = 0, accounts = 0;
  {
    auto database = store::open(url);
    auto db = database->connect();
    for (const auto& unit : seeded.process.units)
      stored += budgets::ballot_count(*db, seeded.process.id, unit.id);
    accounts = std::get<std::int64_t>(
        db->query("SELECT COUNT(*) FROM accounts WHERE email LIKE 'flood-%'").at(0).at(0));
  }
  std::filesystem::remove_all(dir);

  const bool all_stored = stored == kBallots + warm_up.acknowledged + before.acknowledged +
                                        flooded.acknowledged + after.acknowledged;
  bench::Cast alone;
  alone.seconds = before.seconds + after.seconds;
  alone.acknowledged = before.acknowledged + after.acknowledged;
  alone.refused = before.refused + after.refused;
  const double ratio = alone.rate() > 0 ? flooded.rate() / alone.rate() : 0;
  std::cout << fmt::format(
      "Sign-up flood during a vote: {} residents voting over {} connections, {:.0f} sign-ups/s "
      "from as many addresses (seeded in {:.1f} s; {} cores, load average {})\n",
      options.voters, options.connections, options.rate, seed_seconds,
      std::thread::hardware_concurrency(), [] {
        std::ifstream in("/proc/loadavg");
        std::string a, b, c;
        in >> a >> b >> c;
        return a + " " + b + " " + c;
      }());
  const auto line = [](const char* name, const bench::Cast& cast) {
    std::cout << fmt::format(
        "  {:<22} {:>7.0f} ballots/s  ({} acknowledged, {} failed in {:.1f} s; latency p50 "
        "{:.1f} ms, p99 {:.1f} ms)\n",
        name, cast.rate(), cast.acknowledged, cast.refused, cast.seconds, cast.percentile(0.5),
        cast.percentile(0.99));
  };
  line("before the flood", before);
  line("with the flood", flooded);
  line("after the flood", after);
  std::cout << fmt::format("  without sign-ups (before and after): {:.0f} ballots/s\n",
                           alone.rate());
  if (!voters_left) std::cout << "  (every seeded resident voted before the end: raise --voters)\n";
  std::cout << fmt::format("  ratio {:.2f} (goal: >= 0.80) — {}\n", ratio,
                           ratio >= 0.8 ? "met" : "NOT met");
  std::cout << fmt::format("  sign-ups sent: {} in {:.1f} s; answers:\n", flood.sent,
                           flood.seconds);
  for (const auto& [answer, n] : flood.answers)
    std::cout << fmt::format("    {:<28} {}\n", answer, n);
  std::cout << fmt::format("  accounts created by the flood: {}\n", accounts);
  std::cout << fmt::format("  every acknowledged ballot stored: {}\n",
                           all_stored ? "yes" : "NO (MISMATCH)");
  const bool ok = ratio >= 0.8 && warm_up.refused == 0 && alone.refused == 0 &&
                  flooded.refused == 0 && all_stored && voters_left;
  return ok ? 0 : 1;
}
