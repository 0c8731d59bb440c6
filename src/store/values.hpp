// Reading a column of a result row as the type the schema gives it (NULL,
// or a value of another type, reads as empty / zero / nullopt).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "store/store.hpp"

namespace fabrique::store {

inline std::string text(const Value& value) {
  return std::holds_alternative<std::string>(value) ? std::get<std::string>(value) : std::string();
}

inline std::int64_t integer(const Value& value) {
  return std::holds_alternative<std::int64_t>(value) ? std::get<std::int64_t>(value) : 0;
}

inline std::optional<std::int64_t> optional_integer(const Value& value) {
  if (!std::holds_alternative<std::int64_t>(value)) return std::nullopt;
  return std::get<std::int64_t>(value);
}

inline std::optional<std::string> optional_text(const Value& value) {
  if (!std::holds_alternative<std::string>(value)) return std::nullopt;
  return std::get<std::string>(value);
}

// A bound parameter that is NULL when absent.
inline Value nullable(const std::optional<std::int64_t>& value) {
  return value ? Value(*value) : Value(nullptr);
}
inline Value nullable(const std::optional<std::string>& value) {
  return value ? Value(*value) : Value(nullptr);
}

// A search for rows whose column contains `search`, ASCII case-insensitive:
// "%search%" lower-cased, with `%`, `_` and `escape` typed by the person
// made literal. Bind it to `LOWER(column) LIKE $n ESCAPE '<escape>'`.
inline std::string like_pattern(const std::string& search, char escape) {
  std::string pattern = "%";
  for (char c : search) {
    if (c == '%' || c == '_' || c == escape) pattern += escape;
    pattern += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return pattern + "%";
}

}  // namespace fabrique::store
