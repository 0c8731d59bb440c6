#include "http/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace fabrique::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

class Session;

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace

const Headers& security_headers() {
  static const Headers headers = {
      {"X-Content-Type-Options", "nosniff"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
       "base-uri 'self'; form-action 'self'"},
      {"Referrer-Policy", "same-origin"},
      {"X-Frame-Options", "DENY"},
  };
  return headers;
}

struct Server::Impl {
  Impl(Router r, ServerOptions o)
      : router(std::move(r)),
        options(std::move(o)),
        thread_count(options.threads ? options.threads
                                     : std::max(1u, std::thread::hardware_concurrency())),
        worker_count(options.workers ? options.workers : std::max(4u, 2 * thread_count)),
        ioc(static_cast<int>(thread_count)),
        workers(worker_count),
        acceptor(asio::make_strand(ioc)) {}

  void accept();
  void forget(std::uint64_t id) {
    std::lock_guard lock(mutex);
    sessions.erase(id);
    if (sessions.empty()) drained.notify_all();
  }
  void log(std::string_view line) {
    if (options.access_log) {
      options.access_log(line);
      return;
    }
    std::string text = std::string(line) + "\n";
    std::lock_guard lock(log_mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
  }

  Router router;
  ServerOptions options;
  unsigned thread_count;
  unsigned worker_count;

  std::mutex log_mutex;
  std::mutex mutex;  // guards sessions and next_id
  std::condition_variable drained;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;
  std::atomic<bool> stopping{false};

  std::mutex lifecycle_mutex;  // guards started and stopped
  bool started = false;
  bool stopped = false;
  unsigned short port = 0;

  // Destroyed before the members above: pending handlers own sessions, whose
  // destructors call forget().
  asio::io_context ioc;
  // Keeps the I/O threads running while every live request is on a worker
  // (no I/O pending): they must be there to write its response.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{ioc.get_executor()};
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

namespace {

// One connection: reads requests one after the other (keep-alive), answers
// each on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server, std::uint64_t id)
      : stream_(std::move(socket)), server_(server), id_(id) {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
  }
  ~Session() { server_.forget(id_); }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::read, shared_from_this()));
  }

  // On the strand, when the server stops: a connection waiting for a request
  // that has not begun is closed; one with a request under way finishes it.
  void close_if_idle() {
    if (reading_ && parser_ && !parser_->got_some() && buffer_.size() == 0) stream_.cancel();
  }

 private:
  void read() {
    if (server_.stopping) return close();
    parser_.emplace();
    parser_->body_limit(std::max(server_.options.body_limit, server_.options.upload_limit));
    parser_->header_limit(server_.options.header_limit);
    stream_.expires_after(server_.options.read_timeout);
    reading_ = true;
    // The head first: the body limit depends on the path (uploads).
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    // The head was read with the upload limit; other paths get the normal
    // one. Beast checks a Content-Length against the limit only while it
    // parses the head, so that case is refused here.
    const std::string_view target = parser_->get().target();
    bool upload = false;
    for (const auto& prefix : server_.options.upload_paths)
      if (target.starts_with(prefix)) upload = true;
    if (!upload) {
      const auto length = parser_->content_length();
      if (length && *length > server_.options.body_limit) {
        reading_ = false;
        return answer(413);
      }
      parser_->body_limit(server_.options.body_limit);
    }
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec == bhttp::error::end_of_stream) return close();
    if (ec == bhttp::error::body_limit) return answer(413);
    if (ec == bhttp::error::header_limit) return answer(431);
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return;
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
        return answer(400);
      return;  // the connection is gone
    }
    answer(0);
  }

  // Answers the parsed request (`forced_status` 0) from the worker pool, or
  // answers at once with that error status and no keep-alive.
  void answer(int forced_status) {
    const auto started = std::chrono::steady_clock::now();
    auto& message = parser_->get();
    Request request;
    request.method = std::string(message.method_string());
    request.remote_address = remote_address_;
    const std::string_view target = message.target();
    const std::size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos)
      request.query = std::string(target.substr(question + 1));
    for (const auto& field : message)
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    const bool wants_keep_alive = forced_status == 0 && message.keep_alive();
    const unsigned version = message.version() ? message.version() : 11;

    if (forced_status != 0) {
      Response response = error_response(request, forced_status);
      return send(std::move(request), std::move(response), false, version, started, true);
    }
    request.body = std::move(message.body());
    // Handlers may block (password hashing, a durable commit): they run on
    // the worker pool, never on the I/O threads.
    asio::post(server_.workers, [self = shared_from_this(), request = std::move(request),
                                 wants_keep_alive, version, started]() mutable {
      Response response;
      try {
        response = self->server_.router.handle(request);
      } catch (const std::exception& e) {
        self->server_.log(fmt::format("time={} level=error path={} error=\"{}\"", utc_now(),
                                      request.path, e.what()));
        response = error_response(request, 500);
      }
      asio::post(self->stream_.get_executor(),
                 [self, request = std::move(request), response = std::move(response),
                  wants_keep_alive, version, started]() mutable {
                   self->send(std::move(request), std::move(response), wants_keep_alive, version,
                              started, false);
                 });
    });
  }

  void send(Request request, Response response, bool wants_keep_alive, unsigned version,
            std::chrono::steady_clock::time_point started, bool unread) {
    // Decided after the handler: a stop() during it closes the connection.
    const bool keep_alive = wants_keep_alive && !server_.stopping;
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) response_.insert(name, value);
    for (const auto& [name, value] : security_headers()) response_.set(name, value);
    response_.keep_alive(keep_alive);
    const std::size_t bytes = response.body.size();
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    if (request.method == "HEAD") response_.body().clear();  // Content-Length stays

    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    server_.log(fmt::format("time={} method={} path={} status={} bytes={} ms={:.2f}", utc_now(),
                            request.method.empty() ? "-" : request.method,
                            request.path.empty() ? "-" : request.path, response.status, bytes, ms));

    unread_ = unread;
    stream_.expires_after(server_.options.write_timeout);
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::on_write, shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) return close();
    read();
  }

  // Sends FIN. When part of a request was left unread (413, 400), reads and
  // drops what the client still sends for a moment, so that closing does not
  // reset the connection before the client has read the answer.
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!unread_ || ec) return;
    stream_.expires_after(std::chrono::seconds(1));
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->drain();
                            });
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  std::uint64_t id_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  bool reading_ = false;
  bool unread_ = false;
  std::array<char, 4096> drain_buffer_{};
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec && !stopping) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::shared_ptr<Session> session;
      {
        std::lock_guard lock(mutex);
        const std::uint64_t id = next_id++;
        session = std::make_shared<Session>(std::move(socket), *this, id);
        sessions.emplace(id, session);
      }
      session->start();
    }
    accept();
  });
}

Server::Server(Router router, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(router), std::move(options))) {}

Server::~Server() { stop(); }

void Server::start() {
  std::lock_guard lifecycle(impl_->lifecycle_mutex);
  if (impl_->started) return;
  Impl& s = *impl_;
  tcp::resolver resolver(s.ioc);
  const auto results = resolver.resolve(s.options.host, std::to_string(s.options.port),
                                        tcp::resolver::numeric_service);
  const tcp::endpoint endpoint = results.begin()->endpoint();
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(endpoint);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  s.port = s.acceptor.local_endpoint().port();
  s.accept();
  s.threads.reserve(s.thread_count);
  for (unsigned i = 0; i < s.thread_count; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  s.started = true;
}

unsigned short Server::port() const { return impl_->port; }

void Server::stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lifecycle(s.lifecycle_mutex);
    if (!s.started || s.stopped) return;
    s.stopped = true;
  }
  s.stopping = true;
  const auto deadline = std::chrono::steady_clock::now() + s.options.shutdown_grace;

  // No new connections.
  auto closed = std::make_shared<std::promise<void>>();
  asio::post(s.acceptor.get_executor(), [&s, closed] {
    beast::error_code ec;
    s.acceptor.close(ec);
    closed->set_value();
  });
  closed->get_future().wait_until(deadline);

  // Idle connections close now, busy ones after their response.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(s.mutex);
    for (const auto& [id, weak] : s.sessions)
      if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  // (released outside the lock: a session's destructor takes it)
  for (auto& session : live)
    asio::dispatch(session->executor(), [session] { session->close_if_idle(); });
  live.clear();

  {
    std::unique_lock lock(s.mutex);
    s.drained.wait_until(lock, deadline, [&s] { return s.sessions.empty(); });
  }
  s.workers.join();
  s.ioc.stop();
  for (auto& thread : s.threads) thread.join();
}

}  // namespace fabrique::http
