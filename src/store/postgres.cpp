// The PostgreSQL backend: libpq directly, one PGconn per Connection.
#include "store/postgres.hpp"

#include <poll.h>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/sqlite.hpp"  // first_words

namespace fabrique::store {

namespace {

// Built-in type OIDs (pg_type.dat): fixed, part of the wire protocol.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;
constexpr Oid kUnknownOid = 0;  // the server infers the type from the statement

constexpr std::size_t kPostgresStatementCacheSize = 256;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages span lines ("...failed: ...\n\tIs the server running..."):
// one line reads better in a log.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// SQLite's names for constraint failures, so that a message means the same
// thing whichever backend wrote it.
const char* constraint_failure(std::string_view sqlstate) {
  if (sqlstate == "23505") return "UNIQUE constraint failed";
  if (sqlstate == "23503") return "FOREIGN KEY constraint failed";
  if (sqlstate == "23502") return "NOT NULL constraint failed";
  if (sqlstate == "23514") return "CHECK constraint failed";
  return nullptr;
}

[[noreturn]] void fail(PGconn* conn, const PGresult* result, std::string_view sql) {
  std::string message = "postgres: ";
  const char* primary =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (sqlstate != nullptr) {
    if (const char* failure = constraint_failure(sqlstate)) {
      message += failure;
      message += ": ";
    }
  }
  if (primary != nullptr) {
    message += primary;
  } else {
    const std::string why = one_line(conn != nullptr ? PQerrorMessage(conn) : "");
    message += why.empty() ? "out of memory" : why;
  }
  if (sqlstate != nullptr) {
    message += " (SQLSTATE ";
    message += sqlstate;
    message += ")";
  }
  if (!sql.empty()) {
    message += " (in: ";
    message += first_words(sql);
    message += ")";
  }
  throw StoreError(message);
}

bool identifier_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || u >= 0x80;
}

// The highest $N in `sql`, outside literals, quoted identifiers, comments and
// dollar-quoted bodies: checked against the values given before anything is
// sent, as the SQLite backend does.
int highest_parameter(std::string_view sql) {
  int highest = 0;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // E'...' strings take backslash escapes; the others only doubled quotes.
      const bool escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !identifier_char(sql[i - 2]));
      for (++i; i < n; ++i) {
        if (escapes && sql[i] == '\\') {
          ++i;
        } else if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? n : eol + 1;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;  // PostgreSQL block comments nest
      for (i += 2; i < n && depth > 0;) {
        if (sql.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (sql.substr(i, 2) == "*/") {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else if (c == '$' && (i == 0 || !identifier_char(sql[i - 1]))) {
      std::size_t j = i + 1;
      if (j < n && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) {
        int number = 0;
        for (; j < n && std::isdigit(static_cast<unsigned char>(sql[j])) != 0; ++j) {
          number = number > 100000 ? number : number * 10 + (sql[j] - '0');
        }
        highest = std::max(highest, number);
        i = j;
        continue;
      }
      while (j < n && identifier_char(sql[j]) && sql[j] != '$') ++j;
      if (j < n && sql[j] == '$') {  // $tag$ ... $tag$
        const std::string_view tag = sql.substr(i, j - i + 1);
        const std::size_t close = sql.find(tag, j + 1);
        i = close == std::string_view::npos ? n : close + tag.size();
      } else {
        i = j;
      }
    } else {
      ++i;
    }
  }
  return highest;
}

std::string double_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  // Shortest text that reads back as the same double.
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

Value read_value(const PGresult* result, int row, int column, Oid type, std::string_view sql) {
  if (PQgetisnull(result, row, column) != 0) return nullptr;
  const char* text = PQgetvalue(result, row, column);
  const auto size = static_cast<std::size_t>(PQgetlength(result, row, column));
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      std::int64_t value = 0;
      const auto [end, ec] = std::from_chars(text, text + size, value);
      if (ec != std::errc() || end != text + size) {
        throw StoreError("postgres: unreadable integer '" + std::string(text, size) +
                         "' (in: " + first_words(sql) + ")");
      }
      return value;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      double value = 0;
      const auto [end, ec] = std::from_chars(text, text + size, value);
      if (ec == std::errc::result_out_of_range) return std::strtod(text, nullptr);  // ±inf, 0
      if (ec != std::errc() || end != text + size) {
        throw StoreError("postgres: unreadable number '" + std::string(text, size) +
                         "' (in: " + first_words(sql) + ")");
      }
      return value;
    }
    case kBoolOid:
      return std::int64_t{text[0] == 't' ? 1 : 0};
    default:
      return std::string(text, size);
  }
}

// The values of one call, as libpq takes them: text, NULL as a null pointer.
struct Bound {
  std::vector<std::string> texts;
  std::vector<const char*> values;
  std::vector<Oid> types;
  std::string signature;  // one letter per value: part of the prepared statement's key

  Bound(const Bound&) = delete;  // `values` points into `texts`
  Bound& operator=(const Bound&) = delete;

  Bound(const std::vector<Value>& params, std::string_view sql) {
    texts.resize(params.size());
    values.resize(params.size(), nullptr);
    types.resize(params.size(), kUnknownOid);
    signature.resize(params.size(), 'n');
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* integer = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*integer);
        types[i] = kInt8Oid;
        signature[i] = 'i';
      } else if (const auto* real = std::get_if<double>(&params[i])) {
        texts[i] = double_text(*real);
        types[i] = kFloat8Oid;
        signature[i] = 'd';
      } else if (const auto* text = std::get_if<std::string>(&params[i])) {
        // Text parameters travel as C strings: a NUL would silently cut them.
        if (text->find('\0') != std::string::npos) {
          throw StoreError("postgres: a text value cannot hold a NUL byte (parameter $" +
                           std::to_string(i + 1) + ", in: " + first_words(sql) + ")");
        }
        texts[i] = *text;
        signature[i] = 's';
      }  // NULL: no text, the type left to the server
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (signature[i] != 'n') values[i] = texts[i].c_str();
    }
  }
};

class PostgresConnection final : public Connection {
 public:
  std::string_view for_share() const override { return " FOR SHARE"; }
  explicit PostgresConnection(const std::string& url) {
    // Defaults first, so that the URL may override them; the encoding last,
    // as the rest of the code reads and writes UTF-8.
    const char* const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                                "client_encoding", nullptr};
    const char* const values[] = {"10", "fabrique", url.c_str(), "UTF8", nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (conn_ == nullptr) throw StoreError("postgres: out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
      // libpq's message names host and port, never the password.
      const std::string message = "postgres: cannot connect: " + one_line(PQerrorMessage(conn_));
      PQfinish(conn_);
      throw StoreError(message);
    }
    // Notices ("relation ... already exists, skipping") would go to stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }

  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  ~PostgresConnection() override { PQfinish(conn_); }

  bool alive() {
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return true;  // busy: the caller's business
    // Between statements the server sends nothing unless it is going away
    // (a FATAL notice, then the end of the stream): anything to read, or a
    // socket that fails, means the connection is not worth handing on.
    pollfd waiting{PQsocket(conn_), POLLIN, 0};
    const int ready = ::poll(&waiting, 1, 0);
    return ready == 0;
  }

  std::vector<Row> query(std::string_view sql, const std::vector<Value>& params) override {
    const Result result = run(sql, params);
    std::vector<Row> rows;
    const int count = PQntuples(result.get());
    const int columns = PQnfields(result.get());
    std::vector<Oid> types(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) types[static_cast<std::size_t>(c)] = PQftype(result.get(), c);
    rows.reserve(static_cast<std::size_t>(count));
    for (int r = 0; r < count; ++r) {
      Row row;
      row.reserve(types.size());
      for (int c = 0; c < columns; ++c) {
        row.push_back(read_value(result.get(), r, c, types[static_cast<std::size_t>(c)], sql));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::int64_t execute(std::string_view sql, const std::vector<Value>& params) override {
    const Result result = run(sql, params);
    const char* changed = PQcmdTuples(result.get());
    std::int64_t count = 0;
    std::from_chars(changed, changed + std::char_traits<char>::length(changed), count);
    return count;
  }

  void transaction(const std::function<void(Connection&)>& body) override {
    reconnect_if_lost();
    // Nested calls become savepoints, so a helper that needs a transaction
    // can be called from inside another one.
    const bool nested = PQtransactionStatus(conn_) != PQTRANS_IDLE;
    std::string savepoint;
    if (nested) {
      savepoint = "fabrique_sp" + std::to_string(++savepoint_counter_);
      exec_simple("SAVEPOINT " + savepoint);
    } else {
      exec_simple("BEGIN");
    }
    ++depth_;
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    try {
      body(*this);
    } catch (...) {
      undo(nested, savepoint);
      throw;
    }
    const std::string finish = nested ? "RELEASE " + savepoint : std::string("COMMIT");
    try {
      // Unlike SQLite, a failed statement aborts the whole transaction, and
      // COMMIT then rolls back without an error: say so instead.
      if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
        throw StoreError(
            "postgres: a statement failed earlier in this transaction, which was rolled back "
            "(in: " +
            finish + ")");
      }
      const Result result = exec_simple(finish);
      if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
        throw StoreError("postgres: the transaction was rolled back by the server (in: COMMIT)");
      }
    } catch (...) {
      undo(nested, savepoint);
      throw;
    }
  }

 private:
  // Rolls back after a failure, never throwing: the original error is the
  // one worth reporting.
  void undo(bool nested, const std::string& savepoint) noexcept {
    if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    const std::string sql =
        nested ? "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint : std::string("ROLLBACK");
    PQclear(PQexec(conn_, sql.c_str()));
  }

  // After the server went away (restart, idle timeout), start afresh -- but
  // never inside a transaction, whose earlier statements are lost with it.
  void reconnect_if_lost() {
    if (PQstatus(conn_) != CONNECTION_BAD || depth_ > 0) return;
    cache_.clear();
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      throw StoreError("postgres: cannot reconnect: " + one_line(PQerrorMessage(conn_)));
    }
  }

  static bool ok(const PGresult* result) {
    switch (PQresultStatus(result)) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        return true;
      default:
        return false;
    }
  }

  Result exec_simple(const std::string& sql) {
    Result result(PQexec(conn_, sql.c_str()));
    if (!result || !ok(result.get())) fail(conn_, result.get(), sql);
    return result;
  }

  // Without values: the simple protocol, which takes several statements (a
  // migration) and returns the last one's result. With values: a statement
  // prepared once per connection, by text and kinds of values.
  Result run(std::string_view sql, const std::vector<Value>& params) {
    reconnect_if_lost();
    const int expected = highest_parameter(sql);
    if (static_cast<std::size_t>(expected) != params.size()) {
      throw StoreError("postgres: the statement takes " + std::to_string(expected) +
                       " parameter(s), " + std::to_string(params.size()) +
                       " given (in: " + first_words(sql) + ")");
    }
    if (params.empty()) return exec_simple(std::string(sql));

    const Bound bound(params, sql);
    std::string key = bound.signature;
    key += ':';
    key += sql;
    auto hit = cache_.find(key);
    if (hit == cache_.end()) {
      if (cache_.size() >= kPostgresStatementCacheSize &&
          PQtransactionStatus(conn_) != PQTRANS_INERROR) {
        exec_simple("DEALLOCATE ALL");
        cache_.clear();
      }
      std::string name = "fabrique_" + std::to_string(++statement_counter_);
      const Result prepared(PQprepare(conn_, name.c_str(), std::string(sql).c_str(),
                                      static_cast<int>(params.size()), bound.types.data()));
      if (!prepared || !ok(prepared.get())) fail(conn_, prepared.get(), sql);
      hit = cache_.emplace(std::move(key), std::move(name)).first;
    }
    Result result(PQexecPrepared(conn_, hit->second.c_str(), static_cast<int>(params.size()),
                                 bound.values.data(), nullptr, nullptr, 0));
    if (!result || !ok(result.get())) fail(conn_, result.get(), sql);
    return result;
  }

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> cache_;  // key -> prepared statement name
  unsigned statement_counter_ = 0;
  unsigned savepoint_counter_ = 0;
  int depth_ = 0;
};

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(std::string url) : url_(std::move(url)) {
    PostgresConnection check(url_);  // fail now, not at the first request
  }

  std::unique_ptr<Connection> connect() override {
    return std::make_unique<PostgresConnection>(url_);
  }

  std::string kind() const override { return "postgres"; }

 private:
  std::string url_;
};

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& url) {
  return std::make_unique<PostgresDatabase>(url);
}

bool connection_alive(Connection& connection) {
  auto* postgres = dynamic_cast<PostgresConnection*>(&connection);
  return postgres == nullptr || postgres->alive();
}

}  // namespace fabrique::store
