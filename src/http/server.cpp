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

#include <sys/resource.h>

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

std::size_t default_max_connections() {
  constexpr std::size_t kReserved = 128, kLeast = 16, kMost = 65'536;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kMost;
  const auto open_files = static_cast<std::size_t>(limit.rlim_cur);
  return std::clamp(open_files > kReserved ? open_files - kReserved : 0, kLeast, kMost);
}

struct Server::Impl {
  Impl(Router r, ServerOptions o)
      : router(std::move(r)),
        options(std::move(o)),
        thread_count(options.threads ? options.threads
                                     : std::max(1u, std::thread::hardware_concurrency())),
        worker_count(options.workers ? options.workers : std::max(4u, 2 * thread_count)),
        max_connections(options.max_connections ? options.max_connections
                                                : default_max_connections()),
        ioc(static_cast<int>(thread_count)),
        workers(worker_count),
        acceptor(asio::make_strand(ioc)),
        accept_timer(acceptor.get_executor()) {}

  void accept();
  void accept_failed(const beast::error_code& ec);
  void forget(std::uint64_t id) {
    std::lock_guard lock(mutex);
    sessions.erase(id);
    if (sessions.empty()) drained.notify_all();
    // A place is free again: take the next connection the kernel holds.
    if (full && sessions.size() < max_connections) {
      full = false;
      if (!stopping)
        asio::post(acceptor.get_executor(), [this] {
          if (!stopping && acceptor.is_open()) accept();
        });
    }
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
  std::size_t max_connections;

  std::mutex log_mutex;
  std::mutex mutex;  // guards sessions, next_id and peak; `full` changes under it
  std::condition_variable drained;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;
  std::size_t peak = 0;
  // At max_connections: no accept is pending (the next waits in the kernel's
  // queue) and responses close their connection instead of keeping it.
  std::atomic<bool> full{false};
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
  asio::steady_timer accept_timer;              // on the acceptor's strand
  std::chrono::milliseconds accept_backoff{0};  // the last wait after a failed accept
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
    head_.reset();
    // The head first, with no body limit yet: on_header() decides it.
    parser_->body_limit(boost::none);
    parser_->header_limit(server_.options.header_limit);
    stream_.expires_after(server_.options.read_timeout);
    reading_ = true;
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // The head is in, none of the body is read yet: the server's body limit,
  // unless the route takes large bodies and grants one to this request.
  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    const std::size_t limit = server_.options.body_limit;
    const auto length = parser_->content_length();
    announced_ = length ? *length : 0;
    head_ = request_of(parser_->get());
    const LargeBody* large = server_.router.large_body(*head_);
    if (large == nullptr || large->limit <= limit || parser_->is_done()) return read_body(limit);
    // Asking may read the database (the session): on a worker, as handlers.
    // Nothing else touches the session until read_body() is posted back.
    asio::post(server_.workers, [self = shared_from_this(), large, limit] {
      bool granted = false;
      try {
        granted = large->granted && large->granted(*self->head_);
      } catch (const std::exception& e) {
        self->server_.log(fmt::format("time={} level=error path={} error=\"{}\"", utc_now(),
                                      self->head_->path, e.what()));
      }
      asio::post(self->stream_.get_executor(),
                 [self, limit = granted ? large->limit : limit] { self->read_body(limit); });
    });
  }

  // Reads the body up to `limit`. Beast checks a Content-Length against the
  // limit only while it parses the head, so a longer one is refused here,
  // before any of the body is read.
  void read_body(std::size_t limit) {
    if (announced_ > limit) {
      reading_ = false;
      return answer(413);
    }
    parser_->body_limit(limit);
    const auto& message = parser_->get();
    if (!parser_->is_done() && message.version() >= 11 &&
        iequals(message[bhttp::field::expect], "100-continue")) {
      // The client waits for a go-ahead before it sends the body.
      continue_ = {bhttp::status::continue_, message.version()};
      return bhttp::async_write(stream_, continue_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec) return;
                                  self->read_rest();
                                });
    }
    read_rest();
  }

  void read_rest() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  // The request as handlers see it, without its body.
  Request request_of(const bhttp::request<bhttp::string_body>& message) const {
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
    return request;
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
    Request request = head_ ? std::move(*head_) : request_of(message);
    head_.reset();
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
    // Decided after the handler: a stop() during it closes the connection,
    // and so does a full server (the place goes to a waiting connection).
    const bool keep_alive = wants_keep_alive && !server_.stopping && !server_.full;
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
  std::optional<Request> head_;  // the request being read, once its head is in
  std::uint64_t announced_ = 0;  // its Content-Length (0 when none)
  bhttp::response<bhttp::string_body> response_;
  bhttp::response<bhttp::empty_body> continue_;
  bool reading_ = false;
  bool unread_ = false;
  std::array<char, 4096> drain_buffer_{};
};

}  // namespace

// On the acceptor's strand. One connection at a time; none while the server
// is full (forget() resumes) or stopping.
void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open() || stopping) return;
    if (ec) return accept_failed(ec);
    accept_backoff = {};
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::shared_ptr<Session> session;
    bool now_full = false;
    {
      std::lock_guard lock(mutex);
      const std::uint64_t id = next_id++;
      session = std::make_shared<Session>(std::move(socket), *this, id);
      sessions.emplace(id, session);
      peak = std::max(peak, sessions.size());
      now_full = sessions.size() >= max_connections;
      if (now_full) full = true;
    }
    session->start();
    if (!now_full) accept();
  });
}

// The connection stays in the kernel's queue, so accepting again at once
// would fail again at once (a busy loop while descriptors are short): wait,
// twice as long each time in a row, then try again.
void Server::Impl::accept_failed(const beast::error_code& ec) {
  if (ec == asio::error::connection_aborted) return accept();  // the client gave up
  accept_backoff = accept_backoff.count() == 0
                       ? options.accept_backoff
                       : std::min(accept_backoff * 2, options.accept_backoff_max);
  log(fmt::format("time={} level=warning accept_error=\"{}\" retry_ms={}", utc_now(), ec.message(),
                  accept_backoff.count()));
  accept_timer.expires_after(accept_backoff);
  accept_timer.async_wait([this](beast::error_code waited) {
    if (waited || stopping || !acceptor.is_open()) return;
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

std::size_t Server::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

std::size_t Server::peak_connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->peak;
}

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
    s.accept_timer.cancel();
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
