// The HTTP server: Boost.Beast over a pool of io_context threads, one session
// per connection, keep-alive, timeouts, a body limit (larger only where a
// route grants it, see LargeBody), a cap on connections, security headers on
// every response, one access-log line per request, graceful stop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/router.hpp"

namespace fabrique::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port, see Server::port()
  unsigned threads = 0;        // 0: the hardware concurrency
  unsigned workers = 0;        // handler threads; 0: 2 per I/O thread, >= 4
  // Bigger bodies get 413 (from the head alone when Content-Length says so),
  // except on a route whose LargeBody grants the request more.
  std::size_t body_limit = 1024 * 1024;
  std::uint32_t header_limit = 16 * 1024;  // bigger request heads get 431
  // Connections open at once; beyond, the server accepts no more until one
  // closes (the others wait in the kernel's queue). 0: automatic, see
  // default_max_connections().
  std::size_t max_connections = 0;
  // When accept fails for want of descriptors (EMFILE, ENFILE) or memory, the
  // server waits this long before it tries again, doubling up to the maximum.
  std::chrono::milliseconds accept_backoff{50};
  std::chrono::milliseconds accept_backoff_max{1'000};
  std::chrono::milliseconds read_timeout{30'000};    // whole request, or idle keep-alive
  std::chrono::milliseconds write_timeout{30'000};   // whole response
  std::chrono::milliseconds shutdown_grace{10'000};  // stop() waits this long for requests
  // Receives each access-log line (without newline); stderr when empty.
  std::function<void(std::string_view)> access_log;
};

// The security headers every response carries.
const Headers& security_headers();

// The cap on connections when none is given: the process's limit on open
// descriptors (RLIMIT_NOFILE, soft) less 128 kept for the database, files and
// mail, at least 16 and at most 65,536.
std::size_t default_max_connections();

class Server {
 public:
  Server(Router router, ServerOptions options);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads; throws boost::system::system_error
  // (a std::runtime_error) when the address cannot be resolved or bound.
  void start();
  // The bound port (the real one when options.port was 0), after start().
  unsigned short port() const;
  // The connections open now, and the most open at once since start().
  std::size_t connections() const;
  std::size_t peak_connections() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (at most shutdown_grace), then stops the threads. Idempotent; must not be
  // called from a handler.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fabrique::http
