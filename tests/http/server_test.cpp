// The HTTP server as a client sees it: routing, negotiation, security
// headers, keep-alive, the body limit, graceful stop, the access log.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/serve.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "support/paths.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace fabrique {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Reply = bhttp::response<bhttp::string_body>;

// A server on 127.0.0.1, any port, 2 threads, with the platform's routes plus
// a few for the tests; its access log kept in memory.
class HttpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<test::TempDir>("http");
    cli::PlatformOptions platform_options;
    platform_options.database_url = dir_->sqlite_url();
    platform_options.send_mail = false;
    platform_ = std::make_unique<cli::Platform>(platform_options);
    http::Router router = platform_->router();
    router.get("/slow", [](const http::Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return http::Response::json(200, R"({"slow":true})");
    });
    router.post("/echo", [](const http::Request& r) { return http::Response::json(200, r.body); });
    router.add(
        "POST", "/upload",
        [](const http::Request& r) {
          return http::Response::json(200, std::to_string(r.body.size()));
        },
        http::LargeBody{4 * 1024 * 1024, [](const http::Request& head) {
                          return head.header("X-Grant").value_or("") == "yes";
                        }});
    router.get("/api/test-params/{slug}", [](const http::Request& r) {
      return http::Response::json(200,
                                  boost::json::serialize(boost::json::string(r.param("slug"))));
    });
    router.get("/boom",
               [](const http::Request&) -> http::Response { throw std::runtime_error("boom"); });
    http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.access_log = [this](std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_.emplace_back(line);
    };
    server_ = std::make_unique<http::Server>(std::move(router), options);
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    server_.reset();
    platform_.reset();
    dir_.reset();
  }

  std::vector<std::string> log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  tcp::socket connect() {
    tcp::socket socket(ioc_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return socket;
  }

  static Reply exchange(tcp::socket& socket, bhttp::request<bhttp::string_body> request) {
    request.version(11);
    request.set(bhttp::field::host, "127.0.0.1");
    request.prepare_payload();
    bhttp::write(socket, request);
    beast::flat_buffer buffer;
    Reply reply;
    bhttp::read(socket, buffer, reply);
    return reply;
  }

  Reply send(bhttp::verb method, const std::string& target,
             std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "") {
    tcp::socket socket = connect();
    bhttp::request<bhttp::string_body> request{method, target, 11};
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    return exchange(socket, std::move(request));
  }

  Reply get(const std::string& target,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    return send(bhttp::verb::get, target, std::move(headers));
  }

  static void expect_security_headers(const Reply& reply) {
    EXPECT_EQ(reply["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(reply["Content-Security-Policy"],
              "default-src 'self'; script-src 'self'; object-src 'none'; "
              "frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
    EXPECT_EQ(reply["Referrer-Policy"], "same-origin");
    EXPECT_EQ(reply[bhttp::field::x_frame_options], "DENY");
  }

  asio::io_context ioc_;
  std::unique_ptr<test::TempDir> dir_;
  std::unique_ptr<cli::Platform> platform_;
  std::unique_ptr<http::Server> server_;
  std::mutex log_mutex_;
  std::vector<std::string> log_;
};

TEST_F(HttpServer, HealthIsJson) {
  Reply reply = get("/health");
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply[bhttp::field::content_type], "application/json");
  EXPECT_EQ(reply.body(), R"({"status":"ok","database":"ok","version":"0.1.0"})");
  expect_security_headers(reply);
}

TEST_F(HttpServer, NotFoundIsJsonUnderApiAndHtmlElsewhere) {
  Reply api = get("/api/nothing");
  EXPECT_EQ(api.result_int(), 404);
  EXPECT_EQ(api[bhttp::field::content_type], "application/json");
  EXPECT_NE(api.body().find("\"not_found\""), std::string::npos);
  expect_security_headers(api);

  Reply page = get("/nothing");
  EXPECT_EQ(page.result_int(), 404);
  EXPECT_EQ(page[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(page.body().find("<html lang=\"fr\">"), std::string::npos);
  expect_security_headers(page);

  Reply asked = get("/nothing", {{"Accept", "application/json"}});
  EXPECT_EQ(asked[bhttp::field::content_type], "application/json");
  Reply browser = get("/nothing", {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_EQ(browser[bhttp::field::content_type], "text/html; charset=utf-8");
}

TEST_F(HttpServer, WrongMethodIs405WithAllow) {
  Reply reply = send(bhttp::verb::post, "/health");
  EXPECT_EQ(reply.result_int(), 405);
  EXPECT_EQ(reply[bhttp::field::allow], "GET, HEAD");
  expect_security_headers(reply);

  Reply api = send(bhttp::verb::delete_, "/api/test-params/x");
  EXPECT_EQ(api.result_int(), 405);
  EXPECT_EQ(api[bhttp::field::content_type], "application/json");
}

TEST_F(HttpServer, PathParametersAreDecoded) {
  Reply reply = get("/api/test-params/gen%C3%A8ve?x=1");
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply.body(), "\"gen\xC3\xA8ve\"");
  EXPECT_EQ(get("/api/test-params/a/b").result_int(), 404);
}

TEST_F(HttpServer, HeadHasNoBody) {
  tcp::socket socket = connect();
  bhttp::request<bhttp::empty_body> request{bhttp::verb::head, "/health", 11};
  request.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(socket, request);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // a response to HEAD has no body whatever its length says
  bhttp::read(socket, buffer, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(
      parser.get()[bhttp::field::content_length],
      std::to_string(std::string(R"({"status":"ok","database":"ok","version":"0.1.0"})").size()));
}

TEST_F(HttpServer, HandlerExceptionIs500) {
  Reply reply = get("/boom");
  EXPECT_EQ(reply.result_int(), 500);
  expect_security_headers(reply);
}

TEST_F(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
  tcp::socket socket = connect();
  Reply first = exchange(socket, {bhttp::verb::get, "/health", 11});
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive());
  Reply second = exchange(socket, {bhttp::verb::get, "/", 11});
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_NE(second.body().find("<main id=\"main\""), std::string::npos);
}

TEST_F(HttpServer, BodyUpToTheLimitIsRead) {
  std::string body(1024 * 1024, 'x');
  Reply reply = send(bhttp::verb::post, "/echo", {}, body);
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply.body().size(), body.size());
}

// A route may take bodies over the limit, for the requests it grants them
// to when their head arrives (the census upload grants them to a session
// allowed to import); any other request keeps the limit.
TEST_F(HttpServer, LargeBodiesOnlyWhereARouteGrantsThem) {
  const std::string big = std::string(3 * 1024 * 1024, 'x');
  Reply granted = send(bhttp::verb::post, "/upload", {{"X-Grant", "yes"}}, big);
  EXPECT_EQ(granted.result_int(), 200);
  EXPECT_EQ(granted.body(), std::to_string(big.size()));
  EXPECT_EQ(send(bhttp::verb::post, "/upload", {{"X-Grant", "no"}}, big).result_int(), 413);
  EXPECT_EQ(send(bhttp::verb::post, "/upload", {}, "small").body(), "5");
  EXPECT_EQ(send(bhttp::verb::post, "/echo", {{"X-Grant", "yes"}}, big).result_int(), 413);
  // The census upload: not for a visitor.
  Reply census = send(bhttp::verb::post, "/admin/census",
                      {{"Content-Type", "application/x-www-form-urlencoded"}}, "a=" + big);
  EXPECT_EQ(census.result_int(), 413);
}

// Assets: cached for a year (pages link them by content hash), gzip when
// the browser takes it, 304 on a matching ETag.
TEST_F(HttpServer, StaticAssetsAreCachedAndCompressed) {
  Reply plain = get("/static/fabrique.css");
  EXPECT_EQ(plain.result_int(), 200);
  EXPECT_EQ(plain[bhttp::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(plain[bhttp::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(plain[bhttp::field::content_encoding], "");
  EXPECT_NE(plain.body().find(":root"), std::string::npos);
  Reply zipped = get("/static/fabrique.css", {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(zipped[bhttp::field::content_encoding], "gzip");
  EXPECT_LT(zipped.body().size(), plain.body().size() / 2);
  EXPECT_EQ(zipped.body().substr(0, 2), "\x1f\x8b");
  Reply again =
      get("/static/fabrique.css", {{"If-None-Match", std::string(plain[bhttp::field::etag])}});
  EXPECT_EQ(again.result_int(), 304);
  EXPECT_EQ(get("/static/nothing.css").result_int(), 404);
}

TEST_F(HttpServer, BodyOverTheLimitIs413) {
  // Announced too long: refused from the header alone.
  tcp::socket socket = connect();
  std::string head =
      "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
      "Content-Length: " +
      std::to_string(1024 * 1024 + 1) + "\r\n\r\n" + std::string(1000, 'x');
  asio::write(socket, asio::buffer(head));
  beast::flat_buffer buffer;
  Reply reply;
  bhttp::read(socket, buffer, reply);
  EXPECT_EQ(reply.result_int(), 413);
  EXPECT_FALSE(reply.keep_alive());
  expect_security_headers(reply);

  // Chunked, the limit is crossed while reading.
  tcp::socket chunked = connect();
  std::string chunk(64 * 1024, 'y');
  std::string start =
      "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  asio::write(chunked, asio::buffer(start));
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  beast::error_code ec;
  for (int i = 0; i < 17 && !ec; ++i)
    asio::write(chunked, asio::buffer(std::string(size_line) + chunk + "\r\n"), ec);
  beast::flat_buffer chunked_buffer;
  Reply chunked_reply;
  bhttp::read(chunked, chunked_buffer, chunked_reply);
  EXPECT_EQ(chunked_reply.result_int(), 413);
}

TEST_F(HttpServer, HomePageFollowsAcceptLanguage) {
  Reply french = get("/");
  EXPECT_EQ(french.result_int(), 200);
  EXPECT_NE(french.body().find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(french.body().find("<title>Accueil — Fabrique</title>"), std::string::npos);
  EXPECT_NE(french[bhttp::field::vary].find("Accept-Language"), std::string::npos);
  expect_security_headers(french);

  Reply english = get("/", {{"Accept-Language", "en"}});
  EXPECT_NE(english.body().find("<html lang=\"en\">"), std::string::npos);
  EXPECT_EQ(get("/", {{"Accept-Language", "en-GB,en;q=0.9,fr;q=0.8"}}).body(), english.body());
  EXPECT_EQ(get("/", {{"Accept-Language", "fr-CA,en;q=0.5"}}).body(), french.body());
  EXPECT_EQ(get("/", {{"Accept-Language", "fr;q=0.3,en;q=0.7"}}).body(), english.body());
  EXPECT_EQ(get("/", {{"Accept-Language", "de"}}).body(), french.body());
}

TEST_F(HttpServer, AccessLogHasOneLinePerRequestWithoutQuery) {
  get("/health?token=secret-value");
  get("/nothing?token=other");
  const auto lines = log();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("method=GET path=/health status=200 bytes="), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].rfind("time=", 0), 0u);
  EXPECT_NE(lines[1].find("path=/nothing status=404"), std::string::npos) << lines[1];
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
    EXPECT_EQ(line.find('?'), std::string::npos) << line;
    EXPECT_EQ(line.find("token"), std::string::npos) << line;
  }
}

TEST_F(HttpServer, StopLetsInFlightRequestsFinishAndRefusesNewConnections) {
  tcp::socket idle = connect();  // a keep-alive connection with nothing to ask
  auto slow = std::async(std::launch::async, [this] { return get("/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto before = std::chrono::steady_clock::now();
  server_->stop();
  const auto took = std::chrono::steady_clock::now() - before;
  Reply reply = slow.get();
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_FALSE(reply.keep_alive());
  EXPECT_LT(took, std::chrono::seconds(5));

  beast::error_code ec;
  tcp::socket refused(ioc_);
  refused.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_EQ(ec, asio::error::connection_refused);

  char byte;
  idle.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);  // the idle connection was closed
}

// The built binary: prints where it listens, stops on SIGTERM with status 0.
TEST(HttpServeCommand, ListensAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  const std::string binary = test::fabrique_binary();
  const test::TempDir dir("serve");
  const auto database = dir / "fabrique.db";
  // The database and the city's name come from a config file.
  const auto config = database.string() + ".conf";
  {
    std::ofstream file(config);
    file << "[serve]\ndatabase = \"sqlite:" << database.string()
         << "\"\ncity-name = \"Ville d'Essai\"\n";
  }
  std::vector<std::string> args = {binary,      "serve", "--listen", "127.0.0.1:0",
                                   "--threads", "2",     "--config", config};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  // The schema is migrated before the server listens.
  auto next_line = [&] {
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    return line;
  };
  for (const auto& step : fabrique::store::migrations())
    EXPECT_EQ(next_line(), "database: applied migration " + std::to_string(step.version));
  const std::string line = next_line();
  close(out[0]);
  const std::string prefix = "listening on http://127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
  const auto port = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));

  // One request on its own connection.
  auto get_once = [port](const char* target) {
    asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, "127.0.0.1");
    request.keep_alive(false);
    bhttp::write(socket, request);
    beast::flat_buffer buffer;
    Reply reply;
    bhttp::read(socket, buffer, reply);
    return reply;
  };
  EXPECT_EQ(get_once("/health").result_int(), 200);
  const Reply home_reply = get_once("/");
  EXPECT_NE(home_reply.body().find("Ville d&apos;Essai"), std::string::npos) << home_reply.body();

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  auto db = store::open("sqlite:" + database.string());
  auto rows = db->connect()->query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), store::migrations().size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(std::get<std::int64_t>(rows[i][0]), store::migrations()[i].version);
}

}  // namespace
}  // namespace fabrique
