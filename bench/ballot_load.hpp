// What the HTTP benchmarks share: the real `fabrique serve` in a child
// process, and residents casting ballots over keep-alive connections.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/crypto.hpp"
#include "core/secrets.hpp"
#include "support/budget_seed.hpp"
#include "web/app.hpp"

namespace fabrique::bench {

using Steady = std::chrono::steady_clock;

// `fabrique serve --listen 127.0.0.1:0 --database URL ARGS…`, its stderr (the
// access log) into `log`; returns its pid and port once it listens.
inline std::pair<pid_t, int> start_server(const std::string& binary, const std::string& url,
                                          const std::filesystem::path& log,
                                          const std::vector<std::string>& extra_args = {}) {
  std::vector<std::string> args{binary, "serve", "--listen", "127.0.0.1:0", "--database", url};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 2);
    ::close(pipe_fds[0]);
    ::execv(binary.c_str(), argv.data());
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

inline void stop_server(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

struct Cast {
  double seconds = 0;
  std::int64_t acknowledged = 0;
  std::int64_t refused = 0;  // any other answer, or no answer at all
  std::vector<double> latencies_ms;

  double rate() const { return seconds > 0 ? static_cast<double>(acknowledged) / seconds : 0; }
  double percentile(double p) const {
    if (latencies_ms.empty()) return 0;
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<std::size_t>(static_cast<double>(latencies_ms.size()) * p))];
  }
};

// Residents cast their ballot (the ballot form's confirm step) for `seconds`
// over `connections` keep-alive connections, each acknowledged only once
// durably committed. Voters are taken in turn from `next`, so that
// successive runs use residents who have not voted yet.
inline Cast cast_ballots(int port, const test::SeededVote& seeded, const fabrique::Secrets& secrets,
                         double seconds, int connections, std::atomic<std::size_t>& next) {
  namespace beast = boost::beast;
  namespace asio = boost::asio;
  std::atomic<std::int64_t> acknowledged{0}, refused{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  const auto deadline = Steady::now() + std::chrono::duration<double>(seconds);
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      asio::io_context io;
      std::optional<beast::tcp_stream> stream;
      beast::flat_buffer buffer;
      std::mt19937 random(static_cast<unsigned>(c));
      while (Steady::now() < deadline) {
        const std::size_t v = next++;
        if (v >= seeded.session_tokens.size()) break;
        const std::string& token = seeded.session_tokens[v];
        const auto& ids = seeded.projects_by_unit[seeded.voter_unit[v]];
        std::string body =
            "csrf=" + crypto::keyed_hash_hex(secrets.forms, "session:" + token) + "&action=confirm";
        for (std::size_t k = 0; k < 3; ++k)
          body += "&project=" + std::to_string(ids[(random() % (ids.size() / 5)) * 5 + k]);
        beast::http::request<beast::http::string_body> request{
            beast::http::verb::post, "/budgets/" + seeded.process.slug + "/vote", 11};
        request.set(beast::http::field::host, "127.0.0.1");
        request.set(beast::http::field::cookie, "fabrique_session=" + token);
        request.set(beast::http::field::content_type, "application/x-www-form-urlencoded");
        request.body() = body;
        request.prepare_payload();
        const auto sent = Steady::now();
        try {
          if (!stream) {
            stream.emplace(io);
            stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                    static_cast<unsigned short>(port)));
          }
          beast::http::write(*stream, request);
          beast::http::response<beast::http::string_body> response;
          beast::http::read(*stream, buffer, response);
          latencies[static_cast<std::size_t>(c)].push_back(
              std::chrono::duration<double, std::milli>(Steady::now() - sent).count());
          if (response.result_int() == 303 || response.result_int() == 200)
            ++acknowledged;
          else
            ++refused;
          if (!response.keep_alive()) stream.reset();
        } catch (const std::exception&) {
          ++refused;
          stream.reset();
          buffer.clear();
        }
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

}  // namespace fabrique::bench
