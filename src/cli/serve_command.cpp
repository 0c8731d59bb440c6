#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cli/commands.hpp"
#include "cli/serve.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "store/store.hpp"

namespace fabrique::cli {

namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::string database = "sqlite:fabrique.db";
};

// "HOST:PORT" or "[V6]:PORT" into host and port; nullopt when malformed.
std::optional<std::pair<std::string, unsigned short>> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  return std::pair{host, static_cast<unsigned short>(port)};
}

std::string home_page(Lang lang) {
  const std::string code = tr(lang, "fr", "en");
  return "<!doctype html>\n<html lang=\"" + code +
         "\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>Fabrique</title>\n</head>\n<body>\n<main>\n<h1>" +
         tr(lang, "Bienvenue sur Fabrique", "Welcome to Fabrique") +
         "</h1>\n</main>\n</body>\n</html>\n";
}

}  // namespace

http::Router make_router() {
  http::Router router;
  router.get("/health", [](const http::Request&) {
    return http::Response::json(200, R"({"status":"ok","version":"0.1.0"})");
  });
  router.get("/", [](const http::Request& request) {
    http::Response response = http::Response::html(200, home_page(http::negotiate_lang(request)));
    response.with_header("Vary", "Accept-Language");
    return response;
  });
  return router;
}

void register_serve(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "Run the web platform");
  serve->add_option("--listen", args->listen, "Address and port to listen on (HOST:PORT)")
      ->capture_default_str();
  serve->add_option("--threads", args->threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  serve->add_option("--database", args->database, "Database URL (sqlite:PATH)")
      ->capture_default_str();
  serve->callback([args] {
    const auto address = parse_listen(args->listen);
    if (!address) {
      std::cerr << "fabrique: --listen: expected HOST:PORT, got '" << args->listen << "'\n";
      throw CLI::RuntimeError(1);
    }
    // The schema is brought up to date before the first request.
    std::unique_ptr<store::Database> database;
    try {
      database = store::open(args->database);
      for (int version : store::migrate(*database))
        std::cout << "database: applied migration " << version << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "fabrique: database " << args->database << ": " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
    http::ServerOptions options;
    options.host = address->first;
    options.port = address->second;
    options.threads = args->threads;
    http::Server server(make_router(), options);

    // Signals first, so that none arrives between the bind and the wait.
    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
    try {
      server.start();
    } catch (const boost::system::system_error& e) {
      std::cerr << "fabrique: cannot listen on " << args->listen << ": " << e.code().message()
                << "\n";
      throw CLI::RuntimeError(1);
    }
    const bool v6 = options.host.find(':') != std::string::npos;
    std::cout << "listening on http://" << (v6 ? "[" : "") << options.host << (v6 ? "]" : "") << ":"
              << server.port() << std::endl;
    signals.async_wait([&server](const boost::system::error_code&, int) { server.stop(); });
    signals_context.run();
  });
}

}  // namespace fabrique::cli
