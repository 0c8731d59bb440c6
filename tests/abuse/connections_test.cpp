// Issue 9, item 8: connections. The server accepted connections without any
// bound, and when accept failed for want of descriptors (EMFILE) it tried
// again at once, for ever: a busy loop burning a core while the connection
// waited in the kernel's queue. Now it holds at most max_connections (the
// others wait their turn) and backs off when accept fails.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"
#include "support/server_process.hpp"

namespace fabrique {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Reply = bhttp::response<bhttp::string_body>;
using namespace std::chrono_literals;

using test::readable_within;

void ask(tcp::socket& socket, const std::string& target) {
  asio::write(socket, asio::buffer("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
}

// The answer, or nullopt when none came within `wait`.
std::optional<Reply> answer(tcp::socket& socket, std::chrono::milliseconds wait) {
  if (!readable_within(socket, wait)) return std::nullopt;
  beast::flat_buffer buffer;
  Reply reply;
  beast::error_code ec;
  bhttp::read(socket, buffer, reply, ec);
  if (ec) return std::nullopt;
  return reply;
}

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds wait = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// With a cap of 4: four silent connections hold every place, three more wait
// in the kernel's queue unanswered; when two silent ones leave, the three are
// served (while the server is full, an answer closes its connection so that
// the next one gets the place), and the server never held more than 4.
TEST(AbuseConnections, BeyondTheCapConnectionsWaitTheirTurnAndAreServedWhenSomeClose) {
  http::Router router;
  router.get("/ping", [](const http::Request&) { return http::Response::json(200, "true"); });
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.max_connections = 4;
  options.access_log = [](std::string_view) {};
  http::Server server(std::move(router), options);
  server.start();
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
  asio::io_context ioc;
  const auto connect = [&] {
    tcp::socket socket(ioc);
    socket.connect(endpoint);
    return socket;
  };

  std::vector<tcp::socket> silent;
  for (int i = 0; i < 4; ++i) silent.push_back(connect());
  ASSERT_TRUE(eventually([&] { return server.connections() == 4; }));

  std::vector<tcp::socket> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(connect());  // the kernel completes it: it waits to be accepted
    ask(waiting.back(), "/ping");
  }
  for (auto& socket : waiting) EXPECT_FALSE(answer(socket, 300ms).has_value());
  EXPECT_EQ(server.connections(), 4u);

  silent[0].close();
  silent[1].close();
  for (auto& socket : waiting) {
    const auto reply = answer(socket, 5s);
    ASSERT_TRUE(reply.has_value()) << "a waiting connection was never served";
    EXPECT_EQ(reply->result_int(), 200);
  }
  EXPECT_EQ(server.peak_connections(), 4u);

  // Below the cap again, connections are kept alive as usual.
  silent.clear();
  waiting.clear();
  ASSERT_TRUE(eventually([&] { return server.connections() == 0; }));
  tcp::socket again = connect();
  for (int i = 0; i < 2; ++i) {
    ask(again, "/ping");
    const auto reply = answer(again, 5s);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->result_int(), 200);
    EXPECT_TRUE(reply->keep_alive());
  }
  EXPECT_LE(server.peak_connections(), 4u);
}

TEST(AbuseConnections, TheDefaultCapFollowsTheLimitOnOpenFiles) {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  const std::size_t cap = http::default_max_connections();
  EXPECT_GE(cap, 16u);
  EXPECT_LE(cap, 65'536u);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur > 256) {
    EXPECT_LT(cap, static_cast<std::size_t>(limit.rlim_cur));
  }
}

// The process's CPU time (user and system), in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> values{std::istream_iterator<std::string>(fields), {}};
  // Fields 14 and 15 of proc(5); `values` starts at field 3.
  return std::stol(values.at(11)) + std::stol(values.at(12));
}

std::size_t open_descriptors(pid_t pid) {
  const std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(fds), {}));
}

// `fabrique serve` whose limit on open files is a few above what it holds:
// 64 clients make every accept fail with EMFILE. Over a second of that, a
// loop accepting again at once burns about a second of CPU; backing off, the
// server uses almost none, and it serves again once descriptors are free.
//
// The undefined-behaviour sanitizer checks an object's type with the help of
// a pipe the first time it meets the type; out of descriptors it cannot, and
// it reports the error category of EMFILE itself as no object at all. The
// server's warm-up below covers the types GCC's runtime checks; clang's
// checks that category too, so its report (about the sanitizer, not the
// server) is suppressed for this server, in that one header only.
TEST(AbuseConnections, OutOfDescriptorsTheServerBacksOffInsteadOfSpinning) {
  const test::TempDir scratch("abuse-emfile");
  const std::filesystem::path& dir = scratch.path();
  {
    std::ofstream(dir / "ubsan.supp") << "vptr:boost/system/detail/error_code.hpp\n";
    const test::ScopedEnvironment sanitizer("UBSAN_OPTIONS",
                                            "suppressions=" + (dir / "ubsan.supp").string());
    test::Server server(dir, (dir / "db.sqlite").string(), 1, {"--max-connections", "100000"});
    ASSERT_NE(server.port(), 0) << "the server did not start";
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
    asio::io_context ioc;
    const auto health = [&]() -> int {
      tcp::socket socket(ioc);
      beast::error_code ec;
      socket.connect(endpoint, ec);
      if (ec) return -1;
      ask(socket, "/health");
      const auto reply = answer(socket, 10s);
      return reply ? reply->result_int() : -1;
    };
    // Its database connection open, and every step of a connection's life
    // (accept, request, answer, keep-alive, close) taken once and finished:
    // a sanitized build checks each polymorphic type the first time it meets
    // it with the help of a pipe, which it cannot open once out of
    // descriptors (and would report a false "invalid vptr").
    ASSERT_EQ(health(), 200);
    ASSERT_EQ(health(), 200);
    std::this_thread::sleep_for(300ms);

    const rlim_t files = open_descriptors(server.pid()) + 8;
    const rlimit limit{files, files};
    ASSERT_EQ(::prlimit(server.pid(), RLIMIT_NOFILE, &limit, nullptr), 0);

    std::vector<tcp::socket> clients;
    for (int i = 0; i < 64; ++i) {
      clients.emplace_back(ioc);
      clients.back().connect(endpoint);
    }
    std::this_thread::sleep_for(300ms);
    const long before = cpu_ticks(server.pid());
    std::this_thread::sleep_for(1s);
    const long used = cpu_ticks(server.pid()) - before;
    const long per_second = ::sysconf(_SC_CLK_TCK);
    EXPECT_LT(used, per_second / 5) << "CPU ticks in one second of EMFILE (" << per_second
                                    << " a second): the accept loop spins";
    std::ifstream log(dir / "serve-1.err");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("Too many open files"), std::string::npos)
        << "accept never failed: the test did not reach EMFILE";

    clients.clear();
    int status = -1;
    EXPECT_TRUE(eventually(
        [&] {
          status = health();
          return status == 200;
        },
        15s))
        << "not serving once descriptors are free again: " << status << "\n"
        << [&] {
             std::ifstream again(dir / "serve-1.err");
             const std::string all((std::istreambuf_iterator<char>(again)),
                                   std::istreambuf_iterator<char>());
             return all.substr(all.size() > 3000 ? all.size() - 3000 : 0);
           }();
  }
}

}  // namespace
}  // namespace fabrique
