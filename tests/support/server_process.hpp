// The real `fabrique serve` in a child process, and a minimal browser (a
// cookie jar, forms with their CSRF token) to talk to it over HTTP: for the
// tests that kill the server or load it for real.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/paths.hpp"
#include "support/temp_dir.hpp"  // where the servers' databases and logs go
#include "support/web_platform.hpp"

extern char** environ;

namespace fabrique::test {

// Sets an environment variable (the servers started meanwhile inherit it)
// and puts back what was there before when it goes.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* before = std::getenv(name_.c_str())) before_ = before;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (before_) {
      ::setenv(name_.c_str(), before_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::string name_;
  std::optional<std::string> before_;
};

// True when the socket has something to read (or was closed) within `wait`.
inline bool readable_within(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds wait) {
  pollfd fd{socket.native_handle(), POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(wait.count())) > 0;
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Reply = bhttp::response<bhttp::string_body>;

// `fabrique serve` on a database, on a free port, with `extra_args` if any;
// stdout and stderr go to files (a pipe left unread could block the server).
class Server {
 public:
  Server(const std::filesystem::path& dir, const std::string& database, int run,
         const std::vector<std::string>& extra_args = {}) {
    const std::filesystem::path out = dir / ("serve-" + std::to_string(run) + ".out");
    const std::filesystem::path err = dir / ("serve-" + std::to_string(run) + ".err");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string binary = fabrique_binary();
    std::vector<std::string> args{binary,      "serve", "--listen",   "127.0.0.1:0",
                                  "--threads", "2",     "--database", "sqlite:" + database};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = 0;
      return;
    }
    // The port, once the schema is migrated and the socket bound.
    const std::string prefix = "listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && port_ == 0) {
      std::ifstream in(out);
      for (std::string line; std::getline(in, line);)
        if (line.starts_with(prefix))
          port_ = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~Server() { kill(); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }

  // SIGKILL: no destructor, no checkpoint, no flush runs.
  void kill() {
    if (pid_ == 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
  unsigned short port_ = 0;
};

// A browser, as far as the test needs one: it keeps cookies.
class Browser {
 public:
  explicit Browser(unsigned short port) : port_(port) {}

  Reply send(bhttp::verb method, const std::string& target, const std::string& body = "") {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    bhttp::request<bhttp::string_body> request{method, target, 11};
    request.set(bhttp::field::host, "127.0.0.1");
    request.keep_alive(false);
    std::string cookies;
    for (const auto& [name, value] : jar_)
      cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    if (!cookies.empty()) request.set(bhttp::field::cookie, cookies);
    if (method == bhttp::verb::post)
      request.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
    request.body() = body;
    request.prepare_payload();
    bhttp::write(socket, request);
    beast::flat_buffer buffer;
    Reply reply;
    bhttp::read(socket, buffer, reply);
    for (const auto& field : reply.base()) {
      if (field.name() != bhttp::field::set_cookie) continue;
      const std::string set_cookie(field.value());
      const std::string name = set_cookie.substr(0, set_cookie.find('='));
      const std::string value = cookie_value(set_cookie);
      if (set_cookie.find("Max-Age=0") != std::string::npos)
        jar_.erase(name);
      else
        jar_[name] = value;
    }
    return reply;
  }

  // The form's CSRF token, from the page that shows it.
  std::string csrf_of(const std::string& page) {
    const std::string marker = "name=\"csrf\" value=\"";
    const std::size_t at = page.find(marker);
    if (at == std::string::npos) return {};
    const std::size_t start = at + marker.size();
    return page.substr(start, page.find('"', start) - start);
  }

  Reply fill_in(const std::string& page_path, const std::string& action, Fields fields) {
    const Reply page = send(bhttp::verb::get, page_path);
    fields.emplace_back("csrf", csrf_of(page.body()));
    return send(bhttp::verb::post, action, form_body(fields));
  }

  bool has_cookie(const std::string& name) const { return jar_.contains(name); }
  void set_cookie(const std::string& name, const std::string& value) { jar_[name] = value; }

 private:
  unsigned short port_;
  std::map<std::string, std::string> jar_;
};

}  // namespace fabrique::test
