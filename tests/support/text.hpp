// Text checks the tests share.
#pragma once

#include <string>
#include <string_view>

namespace fabrique::test {

// True when `part` occurs in `text`.
inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// "21·décembre 2026 à 23·h": the middle dots of an expected text stand for
// the no-break spaces of dates and times, and ‿ for the narrow no-break space
// French puts before : ; ? !.
inline std::string nb(std::string text) {
  const auto swap = [&text](std::string_view mark, std::string_view space) {
    for (std::size_t at; (at = text.find(mark)) != std::string::npos;)
      text.replace(at, mark.size(), space);
  };
  swap("·", "\u00a0");
  swap("‿", "\u202f");
  return text;
}

}  // namespace fabrique::test
