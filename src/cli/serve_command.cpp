#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cli/commands.hpp"
#include "cli/serve.hpp"
#include "http/server.hpp"

namespace fabrique::cli {

namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  unsigned workers = 0;
  std::size_t max_connections = 0;
  PlatformOptions platform;
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

}  // namespace

void register_serve(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "Run the web platform");
  // --config belongs to the root (CLI11 reads config files there only);
  // fallthrough lets it follow `serve` on the command line.
  serve->fallthrough();
  serve->add_option("--listen", args->listen, "Address and port to listen on (HOST:PORT)")
      ->capture_default_str();
  serve->add_option("--threads", args->threads, "I/O threads (0: one per core)")
      ->capture_default_str();
  serve->add_option("--workers", args->workers, "Request handler threads (0: automatic)")
      ->capture_default_str();
  serve
      ->add_option("--max-connections", args->max_connections,
                   "Connections open at once; more wait their turn (0: from the limit on open "
                   "files)")
      ->capture_default_str();
  serve
      ->add_option("--database", args->platform.database_url,
                   "Database URL (sqlite:PATH or postgres://USER@HOST:PORT/DB)")
      ->capture_default_str();
  serve->add_option("--secret-file", args->platform.secret_file,
                    "Instance secrets (created if missing; default: beside the SQLite file)");
  serve
      ->add_option("--public-url", args->platform.config.public_url,
                   "The address residents use (https:// turns on Secure cookies)")
      ->capture_default_str();
  serve->add_option("--city-name", args->platform.config.city_name, "The city's name on pages")
      ->capture_default_str();
  serve
      ->add_option("--minimum-age", args->platform.config.minimum_age,
                   "Minimum age to verify residency")
      ->capture_default_str();
  serve->add_flag("--behind-proxy", args->platform.config.behind_proxy,
                  "Trust X-Forwarded-For from a reverse proxy for client addresses");
  // Accounts: rate limits and password hashing (docs/operating.md, "Accounts").
  web::Config& limits = args->platform.config;
  serve
      ->add_option("--signups-per-address", limits.signups_per_address,
                   "Sign-ups from one client address in an hour")
      ->capture_default_str();
  serve
      ->add_option("--signups-per-minute", limits.signups_per_minute,
                   "Sign-ups from everyone in a minute")
      ->capture_default_str();
  serve
      ->add_option("--sign-ins-per-address", limits.login_attempts_per_address,
                   "Sign-in attempts from one client address in 15 minutes")
      ->capture_default_str();
  serve
      ->add_option("--sign-in-failures-per-account", limits.login_attempts_per_account,
                   "Failed sign-ins on one account from one client address in 15 minutes")
      ->capture_default_str();
  serve
      ->add_option("--sign-ins-per-minute", limits.login_attempts_per_minute,
                   "Sign-in attempts from everyone in a minute")
      ->capture_default_str();
  serve
      ->add_option("--password-resets-per-address", limits.password_resets_per_address,
                   "Forgotten-password requests from one client address in an hour")
      ->capture_default_str();
  serve
      ->add_option("--password-resets-per-minute", limits.password_resets_per_minute,
                   "Forgotten-password requests from everyone in a minute")
      ->capture_default_str();
  serve
      ->add_option("--hashes-at-once", limits.hashes_at_once,
                   "Password hashes computed at once (0: half the cores)")
      ->capture_default_str();
  serve
      ->add_option("--hash-queue", limits.hash_queue,
                   "Requests in the hashing queue, hashing or waiting (0: twice hashes-at-once)")
      ->capture_default_str();
  serve->add_option("--mail-folder", args->platform.mail.folder,
                    "Write outgoing mail here (default when no SMTP URL is set)");
  serve->add_option("--mail-from", args->platform.mail.from, "Sender of outgoing mail")
      ->capture_default_str();
  serve->add_option("--smtp-url", args->platform.mail.smtp_url,
                    "smtp://HOST:587 or smtps://HOST:465 (empty: write mail to the folder)");
  serve->add_option("--smtp-user", args->platform.mail.smtp_user, "SMTP user name");
  serve
      ->add_option("--smtp-password", args->platform.mail.smtp_password,
                   "SMTP password (prefer the config file or FABRIQUE_SMTP_PASSWORD)")
      ->envname("FABRIQUE_SMTP_PASSWORD");
  serve->add_flag("--smtp-starttls", args->platform.mail.smtp_starttls,
                  "Require STARTTLS on smtp://");
  serve->callback([args] {
    const auto address = parse_listen(args->listen);
    if (!address) {
      std::cerr << "fabrique: --listen: expected HOST:PORT, got '" << args->listen << "'\n";
      throw CLI::RuntimeError(1);
    }
    // The schema is brought up to date before the first request.
    std::unique_ptr<Platform> platform;
    try {
      platform = std::make_unique<Platform>(args->platform);
      for (int version : platform->applied_migrations())
        std::cout << "database: applied migration " << version << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "fabrique: " << args->platform.database_url << ": " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
    http::ServerOptions options;
    options.host = address->first;
    options.port = address->second;
    options.threads = args->threads;
    options.workers = args->workers;
    options.max_connections = args->max_connections;
    http::Server server(platform->router(), options);

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
