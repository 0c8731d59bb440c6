// Internal to the pabulib reader and writer (pabulib_reader.cpp,
// pabulib_writer.cpp): how cells are read (numbers, ids, lists) and quoted
// in messages. Not for use outside src/pb/pabulib_*.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lang.hpp"
#include "core/text.hpp"
#include "pb/model.hpp"

namespace fabrique::pb::detail {

// A column a file lacks.
inline constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

// More fractional digits than this in an amount is refused: it would blow the
// scale (and every amount with it) past what int64 holds.
constexpr int kMaxFractionDigits = 6;
// Text quoted from the file in a message is cut after this many characters.
constexpr std::size_t kMaxQuotedChars = 60;
// Reservations made from a guess at the row count never exceed this.
constexpr std::size_t kMaxReserve = std::size_t{1} << 18;

// kPow10[k] == 10^k, for every k an int64 holds.
inline constexpr auto kPow10 = [] {
  std::array<std::int64_t, 19> powers{};
  std::int64_t power = 1;
  for (auto& p : powers) {
    p = power;
    if (power <= std::numeric_limits<std::int64_t>::max() / 10) power *= 10;
  }
  return powers;
}();

bool is_digit(char c);

// An optional cell that says nothing: empty, or `none`.
bool is_absent(std::string_view text);

// Appends `s` with control characters and invalid UTF-8 escaped as \xNN, so
// that a message stays one printable line.
void append_escaped(std::string& out, std::string_view s, std::size_t max_chars);

// `text` from the file, between single quotes, fit for a message.
std::string quoted(std::string_view text);

std::string plural(std::size_t n, std::string_view word);

// French: no plural for 0 and 1.
std::string plural_fr(std::size_t n, std::string_view word);

Text row_size_message(std::size_t fields, std::size_t header);

// ---------------------------------------------------------------------------
// Numbers

// ±mantissa / 10^digits, with no trailing zero among the fractional digits.
struct Decimal {
  bool negative = false;
  std::uint64_t mantissa = 0;  // never above INT64_MAX
  int digits = 0;
};

enum class Num { Ok, Absent, Bad, TooLarge, TooPrecise };

bool accumulate(std::uint64_t& value, std::string_view digits);

// An empty cell or `none` is Absent. `decimal_comma` also accepts `12,5`.
Num parse_decimal(std::string_view text, bool decimal_comma, Decimal& out);

// An integer; `3.0` is accepted, `3.5` is Bad.
Num parse_integer(std::string_view text, bool decimal_comma, std::int64_t& out);

// `d` in units of 10^-scale_digits; nullopt when it does not fit (or needs
// more digits than the scale has).
std::optional<Money> scale_amount(const Decimal& d, int scale_digits);

// log10(scale) when scale is a power of ten (1 included), else -1.
int scale_digits_of(std::int64_t scale);

std::optional<VoteType> parse_vote_type(std::string_view text);

// The `selected` cell: 1 or 0; anything else reads as unknown.
std::optional<bool> parse_selected(std::string_view text);

std::optional<std::int64_t> parse_optional_integer(std::string_view text);

// Calls `f` on every `,`-separated item of `list` (not trimmed).
template <typename F>
void for_each_item(std::string_view list, F&& f) {
  for (;;) {
    const std::size_t comma = list.find(',');
    f(list.substr(0, comma));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

// A set of ids held elsewhere (the i-th id is `ids(i)`), by open addressing:
// no allocation per id, which matters with 100k voters.
class IdSet {
 public:
  void reserve(std::size_t ids) {
    std::size_t capacity = 16;
    while (capacity < 2 * ids) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
  }

  // Adds `id`, the id number `index`; false when an equal id is there already.
  template <typename Ids>
  bool insert(std::string_view id, std::size_t index, const Ids& ids) {
    if (2 * (size_ + 1) > slots_.size()) rehash(std::max<std::size_t>(16, 2 * slots_.size()));
    const std::size_t hash = std::hash<std::string_view>{}(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.index == 0) {
        slot = Slot{hash, index + 1};
        ++size_;
        return true;
      }
      if (slot.hash == hash && ids(slot.index - 1) == id) return false;
    }
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    std::size_t index = 0;  // id number + 1; 0 for a free slot
  };

  void rehash(std::size_t capacity) {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
    const std::size_t mask = capacity - 1;
    for (const Slot& slot : old) {
      if (slot.index == 0) continue;
      std::size_t i = slot.hash & mask;
      while (slots_[i].index != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace fabrique::pb::detail
