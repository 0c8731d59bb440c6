// Nothing acknowledged is lost: the real `fabrique serve` is killed (SIGKILL,
// no chance to flush anything) the moment it has answered a sign-up, then
// restarted on the same database; the account must sign in.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/paths.hpp"
#include "web/web_support.hpp"

extern char** environ;

namespace fabrique {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Reply = bhttp::response<bhttp::string_body>;

// `fabrique serve` on a database, on a free port; stdout and stderr go to
// files (a pipe left unread could block the server).
class Server {
 public:
  Server(const std::filesystem::path& dir, const std::string& database, int run) {
    const std::filesystem::path out = dir / ("serve-" + std::to_string(run) + ".out");
    const std::filesystem::path err = dir / ("serve-" + std::to_string(run) + ".err");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const std::string binary = test::fabrique_binary();
    std::vector<std::string> args{binary,      "serve", "--listen",   "127.0.0.1:0",
                                  "--threads", "2",     "--database", "sqlite:" + database};
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
      const std::string value = test::cookie_value(set_cookie);
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

  Reply fill_in(const std::string& page_path, const std::string& action, test::Fields fields) {
    const Reply page = send(bhttp::verb::get, page_path);
    fields.emplace_back("csrf", csrf_of(page.body()));
    return send(bhttp::verb::post, action, test::form_body(fields));
  }

  bool has_cookie(const std::string& name) const { return jar_.contains(name); }

 private:
  unsigned short port_;
  std::map<std::string, std::string> jar_;
};

TEST(Durability, SignUpSurvivesKillNine) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("fabrique-durability-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{dir};  // after the servers are gone, even when an assertion returns early
  const std::string database = (dir / "fabrique.db").string();
  constexpr int kAccounts = 5;

  int run = 0;
  for (int i = 0; i < kAccounts; ++i) {
    SCOPED_TRACE("account " + std::to_string(i));
    const std::string email = "durable" + std::to_string(i) + "@example.org";
    {
      Server server(dir, database, ++run);
      ASSERT_NE(server.port(), 0) << "the server did not start";
      Browser browser(server.port());
      const Reply created = browser.fill_in("/sign-up", "/sign-up",
                                            {{"display_name", "Durable " + std::to_string(i)},
                                             {"email", email},
                                             {"password", test::kPassword}});
      // Killed the moment the answer is in: it was acknowledged.
      server.kill();
      ASSERT_EQ(created.result_int(), 303) << created.body();
      ASSERT_EQ(created[bhttp::field::location], "/account");
    }
    Server server(dir, database, ++run);
    ASSERT_NE(server.port(), 0) << "the server did not restart";
    // Every account so far, not just the last one.
    for (int j = 0; j <= i; ++j) {
      Browser browser(server.port());
      const Reply signed_in =
          browser.fill_in("/sign-in", "/sign-in",
                          {{"email", "durable" + std::to_string(j) + "@example.org"},
                           {"password", test::kPassword}});
      EXPECT_EQ(signed_in.result_int(), 303) << "account " << j << "\n" << signed_in.body();
      EXPECT_EQ(signed_in[bhttp::field::location], "/account");
      EXPECT_TRUE(browser.has_cookie("fabrique_session"));
      const Reply account = browser.send(bhttp::verb::get, "/account");
      EXPECT_EQ(account.result_int(), 200);
      EXPECT_NE(account.body().find("Durable " + std::to_string(j)), std::string::npos);
    }
    server.kill();
  }
}

}  // namespace
}  // namespace fabrique
