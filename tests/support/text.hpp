// Text checks the tests share.
#pragma once

#include <string_view>

namespace fabrique::test {

// True when `part` occurs in `text`.
inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace fabrique::test
