// The pabulib `.pb` reader and writer.
//
// The text is read in one pass by a small `;`-separated-values lexer (standard
// CSV quoting, any mix of CRLF / LF / CR line ends, blank lines skipped). Every
// row is interpreted as soon as it is read, so the first problem of a file is
// the one reported. Cells are kept verbatim in `fields`; ids, keys and numbers
// are interpreted with surrounding white space removed.
//
// Amounts (budget, costs) are parsed exactly as decimals: a mantissa and a
// count of fractional digits. Once every amount is known, the smallest power of
// ten that makes them all integers becomes the election's cost_scale.
#include "pb/pabulib.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace fabrique::pb {

namespace {

// More fractional digits than this in an amount is refused: it would blow the
// scale (and every amount with it) past what int64 holds.
constexpr int kMaxFractionDigits = 6;
// Text quoted from the file in a message is cut after this many characters.
constexpr std::size_t kMaxQuotedChars = 60;
// Reservations made from a guess at the row count never exceed this.
constexpr std::size_t kMaxReserve = std::size_t{1} << 18;

// kPow10[k] == 10^k, for every k an int64 holds.
constexpr auto kPow10 = [] {
  std::array<std::int64_t, 19> powers{};
  std::int64_t power = 1;
  for (auto& p : powers) {
    p = power;
    if (power <= std::numeric_limits<std::int64_t>::max() / 10) power *= 10;
  }
  return powers;
}();

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// An optional cell that says nothing: empty, or `none`.
bool is_absent(std::string_view text) {
  const std::string_view s = trim(text);
  return s.empty() || iequals(s, "none");
}

// Length of the valid UTF-8 sequence starting at s[i], 0 when invalid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

// Appends `s` with control characters and invalid UTF-8 escaped as \xNN, so
// that a message stays one printable line.
void append_escaped(std::string& out, std::string_view s, std::size_t max_chars) {
  std::size_t shown = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (shown == max_chars) {
      out += "...";
      return;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t length = 1;
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((length = utf8_sequence_length(s, i)) != 0) {
      out.append(s.substr(i, length));
    } else {
      length = 1;
      out += fmt::format("\\x{:02x}", c);
    }
    i += length;
    ++shown;
  }
}

// `text` from the file, between single quotes, fit for a message.
std::string quoted(std::string_view text) {
  std::string out = "'";
  append_escaped(out, text, kMaxQuotedChars);
  out += '\'';
  return out;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// French: no plural for 0 and 1.
std::string plural_fr(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n > 1 ? "s" : "");
}

Text row_size_message(std::size_t fields, std::size_t header) {
  return {fmt::format("row has {}, header has {}", plural(fields, "field"), header),
          fmt::format("la ligne a {}, l'en-tête {}", plural_fr(fields, "champ"), header)};
}

// ---------------------------------------------------------------------------
// Numbers

// ±mantissa / 10^digits, with no trailing zero among the fractional digits.
struct Decimal {
  bool negative = false;
  std::uint64_t mantissa = 0;  // never above INT64_MAX
  int digits = 0;
};

enum class Num { Ok, Absent, Bad, TooLarge, TooPrecise };

bool accumulate(std::uint64_t& value, std::string_view digits) {
  constexpr auto kLimit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (const char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kLimit - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

// An empty cell or `none` is Absent. `decimal_comma` also accepts `12,5`.
Num parse_decimal(std::string_view text, bool decimal_comma, Decimal& out) {
  const std::string_view s = trim(text);
  if (is_absent(s)) return Num::Absent;
  Decimal d;
  std::size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    d.negative = s[0] == '-';
    ++i;
  }
  const std::size_t int_begin = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  const std::string_view int_part = s.substr(int_begin, i - int_begin);
  std::string_view frac_part;
  if (i < s.size() && (s[i] == '.' || (decimal_comma && s[i] == ','))) {
    const std::size_t frac_begin = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    frac_part = s.substr(frac_begin, i - frac_begin);
    if (frac_part.empty()) return Num::Bad;
  }
  if (i != s.size() || int_part.empty()) return Num::Bad;
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  if (frac_part.size() > static_cast<std::size_t>(kMaxFractionDigits)) return Num::TooPrecise;
  if (!accumulate(d.mantissa, int_part) || !accumulate(d.mantissa, frac_part)) return Num::TooLarge;
  d.digits = static_cast<int>(frac_part.size());
  if (d.mantissa == 0) d.negative = false;
  out = d;
  return Num::Ok;
}

// An integer; `3.0` is accepted, `3.5` is Bad.
Num parse_integer(std::string_view text, bool decimal_comma, std::int64_t& out) {
  Decimal d;
  const Num status = parse_decimal(text, decimal_comma, d);
  if (status == Num::TooPrecise) return Num::Bad;
  if (status != Num::Ok) return status;
  if (d.digits != 0) return Num::Bad;
  const auto magnitude = static_cast<std::int64_t>(d.mantissa);
  out = d.negative ? -magnitude : magnitude;
  return Num::Ok;
}

// `d` in units of 10^-scale_digits; nullopt when it does not fit (or needs
// more digits than the scale has).
std::optional<Money> scale_amount(const Decimal& d, int scale_digits) {
  if (d.digits > scale_digits || scale_digits > 18) return std::nullopt;
  const std::int64_t factor = kPow10[scale_digits - d.digits];
  Money value = 0;
  if (__builtin_mul_overflow(static_cast<std::int64_t>(d.mantissa), factor, &value))
    return std::nullopt;
  return d.negative ? -value : value;
}

// log10(scale) when scale is a power of ten (1 included), else -1.
int scale_digits_of(std::int64_t scale) {
  for (int k = 0; k <= 18; ++k)
    if (kPow10[k] == scale) return k;
  return -1;
}

std::optional<VoteType> parse_vote_type(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty() || iequals(s, "none")) return VoteType::Approval;
  if (iequals(s, "approval")) return VoteType::Approval;
  if (iequals(s, "ordinal")) return VoteType::Ordinal;
  if (iequals(s, "cumulative")) return VoteType::Cumulative;
  if (iequals(s, "scoring")) return VoteType::Scoring;
  if (iequals(s, "choose-1")) return VoteType::ChooseOne;
  return std::nullopt;
}

// The `selected` cell: 1 or 0; anything else reads as unknown.
std::optional<bool> parse_selected(std::string_view text) {
  std::int64_t value = 0;
  if (parse_integer(text, true, value) != Num::Ok || (value != 0 && value != 1))
    return std::nullopt;
  return value == 1;
}

std::optional<std::int64_t> parse_optional_integer(std::string_view text) {
  std::int64_t value = 0;
  if (parse_integer(text, true, value) != Num::Ok) return std::nullopt;
  return value;
}

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

// ---------------------------------------------------------------------------
// Reader

enum class Section { None, Meta, Projects, Votes };

std::string_view section_name(Section s) {
  switch (s) {
    case Section::Meta:
      return "META";
    case Section::Projects:
      return "PROJECTS";
    case Section::Votes:
      return "VOTES";
    case Section::None:
      break;
  }
  return "none";
}

std::optional<Section> section_marker(std::string_view cell) {
  const std::string_view s = trim(cell);
  if (iequals(s, "META")) return Section::Meta;
  if (iequals(s, "PROJECTS")) return Section::Projects;
  if (iequals(s, "VOTES")) return Section::Votes;
  return std::nullopt;
}

constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

struct PendingAmount {
  Decimal value;
  std::size_t line = 0;
};

class Reader {
 public:
  Reader(std::string_view text, const std::string& name, const ReadOptions& options)
      : text_(text), name_(name), options_(options) {}

  ReadResult run() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    std::vector<std::string> cells;
    while (next_row(cells)) {
      const std::size_t line = row_line_;
      if (cells.size() == 1) {
        if (const auto marker = section_marker(cells[0])) {
          enter(*marker, line);
          continue;
        }
      }
      switch (section_) {
        case Section::None:
          fail(line, Text{"missing section META", "section META absente"});
        case Section::Meta:
          meta_row(cells, line);
          break;
        case Section::Projects:
          project_row(cells, line);
          break;
        case Section::Votes:
          vote_row(cells, line);
          break;
      }
    }
    finish();
    return std::move(result_);
  }

 private:
  [[noreturn]] void fail(std::size_t line, Text reason) const {
    throw ParseError(name_, line, std::move(reason));
  }

  void warn(std::size_t line, Text reason) {
    if (options_.strict) fail(line, std::move(reason));
    result_.warnings.push_back(Warning{line, std::move(reason.en), std::move(reason.fr)});
  }

  Election& election() { return result_.election; }

  // --- lexer --------------------------------------------------------------

  void skip_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  void count_line_ends(std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      if (text_[i] == '\n') {
        ++line_;
      } else if (text_[i] == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n')) {
        ++line_;
      }
    }
  }

  // Reads the next non-blank row into `cells`; false at the end of the text.
  bool next_row(std::vector<std::string>& cells) {
    cells.clear();
    const std::size_t size = text_.size();
    for (;;) {  // skip blank lines
      std::size_t p = pos_;
      while (p < size && (text_[p] == ' ' || text_[p] == '\t')) ++p;
      if (p >= size) {
        pos_ = p;
        return false;
      }
      if (text_[p] != '\r' && text_[p] != '\n') break;
      pos_ = p;
      skip_line_end();
    }
    row_line_ = line_;
    for (;;) {  // one cell per turn
      std::string& cell = cells.emplace_back();
      if (pos_ < size && text_[pos_] == '"') {
        const std::size_t start_line = line_;
        ++pos_;
        for (;;) {
          const std::size_t quote = text_.find('"', pos_);
          if (quote == std::string_view::npos)
            fail(start_line,
                 Text{"unterminated quoted field", "champ entre guillemets non terminé"});
          count_line_ends(pos_, quote);
          cell.append(text_.substr(pos_, quote - pos_));
          pos_ = quote + 1;
          if (pos_ < size && text_[pos_] == '"') {
            cell += '"';
            ++pos_;
            continue;
          }
          break;
        }
        while (pos_ < size && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
        if (pos_ < size && text_[pos_] != ';' && text_[pos_] != '\r' && text_[pos_] != '\n')
          fail(line_, Text{"unexpected text after closing quote",
                           "texte inattendu après le guillemet fermant"});
      } else {
        const std::size_t begin = pos_;
        while (pos_ < size) {
          const char c = text_[pos_];
          if (c == ';' || c == '\n' || c == '\r') break;
          ++pos_;
        }
        cell.assign(text_.substr(begin, pos_ - begin));
      }
      if (pos_ >= size) return true;
      if (text_[pos_] == ';') {
        ++pos_;
        continue;
      }
      skip_line_end();
      return true;
    }
  }

  // The last line of the text, for problems found at its end.
  std::size_t last_line() const {
    const bool ends_with_newline =
        !text_.empty() && (text_.back() == '\n' || text_.back() == '\r') && line_ > 1;
    return ends_with_newline ? line_ - 1 : line_;
  }

  // --- sections -----------------------------------------------------------

  void enter(Section next, std::size_t line) {
    if (next == section_)
      fail(line, Text{fmt::format("duplicate section {}", section_name(next)),
                      fmt::format("section {} en double", section_name(next))});
    if (next < section_)
      fail(line,
           Text{fmt::format("section {} after {}", section_name(next), section_name(section_)),
                fmt::format("section {} après {}", section_name(next), section_name(section_))});
    if (section_ == Section::None && next != Section::Meta)
      fail(line, Text{"missing section META", "section META absente"});
    if (section_ == Section::Meta && next == Section::Votes)
      fail(line, Text{"missing section PROJECTS", "section PROJECTS absente"});
    if (section_ == Section::Meta) end_meta();
    if (section_ == Section::Projects) end_projects();
    section_ = next;
    section_line_ = line;
    header_seen_ = false;
  }

  void finish() {
    switch (section_) {
      case Section::None:
        fail(1, Text{"empty file", "fichier vide"});
      case Section::Meta:
        fail(last_line(), Text{"missing section PROJECTS", "section PROJECTS absente"});
      case Section::Projects:
        fail(last_line(), Text{"missing section VOTES", "section VOTES absente"});
      case Section::Votes:
        end_votes();
        break;
    }
  }

  void require_header() const {
    if (!header_seen_)
      fail(section_line_, Text{fmt::format("missing {} header", section_name(section_)),
                               fmt::format("en-tête {} absent", section_name(section_))});
  }

  // Column names, trimmed; duplicates refused.
  std::vector<std::string> read_header(const std::vector<std::string>& cells, std::size_t line) {
    std::vector<std::string> columns;
    columns.reserve(cells.size());
    std::unordered_set<std::string_view> seen;
    for (const auto& cell : cells) columns.emplace_back(trim(cell));
    for (const auto& column : columns)
      if (!seen.insert(column).second)
        fail(line,
             Text{fmt::format("duplicate {} column {}", section_name(section_), quoted(column)),
                  fmt::format("colonne {1} en double dans {0}", section_name(section_),
                              quoted(column))});
    return columns;
  }

  std::size_t column_index(const std::vector<std::string>& columns, std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == name) return i;
    return kNoColumn;
  }

  std::size_t required_column(const std::vector<std::string>& columns, std::string_view name,
                              std::size_t line) const {
    const std::size_t index = column_index(columns, name);
    if (index == kNoColumn)
      fail(line, Text{fmt::format("missing {} column {}", section_name(section_),
                                  quoted(std::string(name))),
                      fmt::format("colonne {1} absente dans {0}", section_name(section_),
                                  quoted(std::string(name)))});
    return index;
  }

  // Guesses how many rows are left, to reserve room for them.
  std::size_t rows_left() const {
    const auto rest = text_.substr(pos_);
    const auto lines = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), '\n')) + 1;
    return std::min(lines, kMaxReserve);
  }

  // --- META ---------------------------------------------------------------

  void meta_row(std::vector<std::string>& cells, std::size_t line) {
    if (!header_seen_) {
      if (cells.size() != 2 || !iequals(trim(cells[0]), "key") || !iequals(trim(cells[1]), "value"))
        fail(line, Text{"bad META header, expected 'key;value'",
                        "en-tête META incorrect, 'key;value' attendu"});
      header_seen_ = true;
      return;
    }
    if (cells.size() < 2) fail(line, row_size_message(cells.size(), 2));
    std::string joined;
    std::string_view value = cells[1];
    if (cells.size() > 2) {
      // Free text with an unquoted `;`: kept whole, but reported.
      warn(line, row_size_message(cells.size(), 2));
      joined = cells[1];
      for (std::size_t i = 2; i < cells.size(); ++i) (joined += ';') += cells[i];
      value = joined;
    }
    MetaEntry entry{std::string(trim(cells[0])), std::string(trim(value))};
    interpret_meta(entry, line);
    election().meta.push_back(std::move(entry));
  }

  void interpret_meta(const MetaEntry& entry, std::size_t line) {
    static constexpr std::string_view kKnown[] = {"budget",         "vote_type",
                                                  "min_length",     "max_length",
                                                  "max_sum_points", "min_project_score_threshold",
                                                  "num_projects",   "num_votes"};
    const auto known = std::find(std::begin(kKnown), std::end(kKnown), entry.key);
    if (known == std::end(kKnown)) return;
    const auto bit = 1U << (known - std::begin(kKnown));
    if ((meta_seen_ & bit) != 0)
      fail(line, Text{fmt::format("duplicate META key {}", quoted(entry.key)),
                      fmt::format("clé META {} en double", quoted(entry.key))});
    meta_seen_ |= bit;

    const std::string& key = entry.key;
    const std::string& value = entry.value;
    if (key == "budget") {
      Decimal budget;
      switch (parse_decimal(value, true, budget)) {
        case Num::Ok:
          break;
        case Num::Absent:
          return;  // reported as missing at the end of META
        case Num::Bad:
          fail(line, Text{fmt::format("bad number {} for budget", quoted(value)),
                          fmt::format("nombre incorrect {} pour le budget", quoted(value))});
        case Num::TooLarge:
          fail(line, Text{fmt::format("number too large {} for budget", quoted(value)),
                          fmt::format("nombre trop grand {} pour le budget", quoted(value))});
        case Num::TooPrecise:
          fail(line, Text{fmt::format("too many decimal places in {} for budget", quoted(value)),
                          fmt::format("trop de décimales dans {} pour le budget", quoted(value))});
      }
      if (budget.negative)
        fail(line, Text{fmt::format("negative budget {}", quoted(value)),
                        fmt::format("budget négatif {}", quoted(value))});
      budget_ = PendingAmount{budget, line};
      budget_text_ = value;
    } else if (key == "vote_type") {
      const auto type = parse_vote_type(value);
      if (!type)
        fail(line, Text{fmt::format("unknown vote_type {}", quoted(value)),
                        fmt::format("vote_type inconnu {}", quoted(value))});
      election().vote_type = *type;
    } else if (key == "num_projects" || key == "num_votes") {
      std::int64_t count = 0;
      const Num status = parse_integer(value, true, count);
      if (status == Num::Absent) return;
      if (status != Num::Ok || count < 0) {
        warn(line, Text{fmt::format("bad number {} for {}", quoted(value), key),
                        fmt::format("nombre incorrect {} pour {}", quoted(value), key)});
        return;
      }
      (key == "num_projects" ? num_projects_ : num_votes_) = PendingCount{count, line};
    } else {
      std::int64_t number = 0;
      switch (parse_integer(value, true, number)) {
        case Num::Ok:
          break;
        case Num::Absent:
          return;
        case Num::TooLarge:
          fail(line, Text{fmt::format("number too large {} for {}", quoted(value), key),
                          fmt::format("nombre trop grand {} pour {}", quoted(value), key)});
        case Num::Bad:
        case Num::TooPrecise:
          fail(line, Text{fmt::format("bad number {} for {}", quoted(value), key),
                          fmt::format("nombre incorrect {} pour {}", quoted(value), key)});
      }
      if (number < 0)
        fail(line, Text{fmt::format("negative number {} for {}", quoted(value), key),
                        fmt::format("nombre négatif {} pour {}", quoted(value), key)});
      Election& e = election();
      if (key == "min_length") e.min_length = number;
      if (key == "max_length") e.max_length = number;
      if (key == "max_sum_points") e.max_sum_points = number;
      if (key == "min_project_score_threshold") e.min_project_score_threshold = number;
    }
  }

  void end_meta() {
    require_header();
    if (!budget_) fail(section_line_, Text{"missing META budget", "budget absent de META"});
  }

  // --- PROJECTS -----------------------------------------------------------

  void project_row(std::vector<std::string>& cells, std::size_t line) {
    Election& e = election();
    if (!header_seen_) {
      e.project_columns = read_header(cells, line);
      id_column_ = required_column(e.project_columns, "project_id", line);
      cost_column_ = required_column(e.project_columns, "cost", line);
      name_column_ = column_index(e.project_columns, "name");
      selected_column_ = column_index(e.project_columns, "selected");
      score_column_ = column_index(e.project_columns, "score");
      header_seen_ = true;
      return;
    }
    if (cells.size() != e.project_columns.size())
      fail(line, row_size_message(cells.size(), e.project_columns.size()));
    if (e.projects.size() >= std::numeric_limits<ProjectIndex>::max())
      fail(line, Text{"too many projects", "trop de projets"});

    Project project;
    const std::string_view id = trim(cells[id_column_]);
    if (id.empty()) fail(line, Text{"empty project id", "identifiant de projet vide"});
    const auto index = static_cast<ProjectIndex>(e.projects.size());
    if (!project_index_.try_emplace(std::string(id), index).second)
      fail(line, Text{fmt::format("duplicate project id {}", quoted(id)),
                      fmt::format("identifiant de projet {} en double", quoted(id))});
    project.id = id;

    const std::string_view cost_text = trim(cells[cost_column_]);
    Decimal cost;
    switch (parse_decimal(cost_text, true, cost)) {
      case Num::Ok:
        break;
      case Num::Absent:
        fail(line, Text{fmt::format("missing cost for project {}", quoted(id)),
                        fmt::format("coût absent pour le projet {}", quoted(id))});
      case Num::Bad:
        fail(line, Text{fmt::format("bad number {} for cost of project {}", quoted(cost_text),
                                    quoted(id)),
                        fmt::format("nombre incorrect {} pour le coût du projet {}",
                                    quoted(cost_text), quoted(id))});
      case Num::TooLarge:
        fail(line, Text{fmt::format("number too large {} for cost of project {}", quoted(cost_text),
                                    quoted(id)),
                        fmt::format("nombre trop grand {} pour le coût du projet {}",
                                    quoted(cost_text), quoted(id))});
      case Num::TooPrecise:
        fail(line, Text{fmt::format("too many decimal places in {} for cost of project {}",
                                    quoted(cost_text), quoted(id)),
                        fmt::format("trop de décimales dans {} pour le coût du projet {}",
                                    quoted(cost_text), quoted(id))});
    }
    if (cost.negative)
      fail(line,
           Text{fmt::format("negative cost {} for project {}", quoted(cost_text), quoted(id)),
                fmt::format("coût négatif {} pour le projet {}", quoted(cost_text), quoted(id))});
    pending_costs_.push_back(PendingAmount{cost, line});

    if (name_column_ != kNoColumn) project.name = trim(cells[name_column_]);
    if (selected_column_ != kNoColumn) {
      const std::string_view text = trim(cells[selected_column_]);
      project.selected = parse_selected(text);
      if (!project.selected && !is_absent(text))
        warn(line,
             Text{fmt::format("bad selected value {} for project {}", quoted(text), quoted(id)),
                  fmt::format("valeur selected incorrecte {} pour le projet {}", quoted(text),
                              quoted(id))});
    }
    if (score_column_ != kNoColumn) {
      const std::string_view text = trim(cells[score_column_]);
      std::int64_t score = 0;
      const Num status = parse_integer(text, true, score);
      if (status == Num::Ok) {
        project.score = score;
      } else if (status != Num::Absent) {
        warn(line,
             Text{fmt::format("bad score {} for project {}", quoted(text), quoted(id)),
                  fmt::format("score incorrect {} pour le projet {}", quoted(text), quoted(id))});
      }
    }
    project.fields = std::move(cells);
    e.projects.push_back(std::move(project));
  }

  // Fixes the scale and converts every amount to cost units.
  void end_projects() {
    require_header();
    Election& e = election();
    int digits = budget_->value.digits;
    for (const auto& cost : pending_costs_) digits = std::max(digits, cost.value.digits);
    e.cost_scale = kPow10[digits];

    const auto budget = scale_amount(budget_->value, digits);
    if (!budget)
      fail(budget_->line,
           Text{fmt::format("number too large {} for budget", quoted(budget_text_)),
                fmt::format("nombre trop grand {} pour le budget", quoted(budget_text_))});
    e.budget = *budget;

    Money total = 0;
    for (std::size_t i = 0; i < e.projects.size(); ++i) {
      Project& project = e.projects[i];
      const auto cost = scale_amount(pending_costs_[i].value, digits);
      if (!cost)
        fail(pending_costs_[i].line,
             Text{fmt::format("number too large {} for cost of project {}",
                              quoted(trim(project.fields[cost_column_])), quoted(project.id)),
                  fmt::format("nombre trop grand {} pour le coût du projet {}",
                              quoted(trim(project.fields[cost_column_])), quoted(project.id))});
      project.cost = *cost;
      if (__builtin_add_overflow(total, project.cost, &total))
        fail(pending_costs_[i].line,
             Text{"total cost of projects too large", "coût total des projets trop grand"});
    }
    pending_costs_.clear();
    pending_costs_.shrink_to_fit();

    if (num_projects_ && static_cast<std::uint64_t>(num_projects_->value) != e.projects.size())
      warn(num_projects_->line,
           Text{fmt::format("META num_projects is {}, but PROJECTS has {}", num_projects_->value,
                            plural(e.projects.size(), "row")),
                fmt::format("META num_projects vaut {}, mais PROJECTS a {}", num_projects_->value,
                            plural_fr(e.projects.size(), "ligne"))});
    stamp_.assign(e.projects.size(), 0);
  }

  // --- VOTES --------------------------------------------------------------

  void vote_row(std::vector<std::string>& cells, std::size_t line) {
    Election& e = election();
    if (!header_seen_) {
      e.vote_columns = read_header(cells, line);
      voter_column_ = required_column(e.vote_columns, "voter_id", line);
      vote_column_ = required_column(e.vote_columns, "vote", line);
      points_column_ = column_index(e.vote_columns, "points");
      e.has_points = points_column_ != kNoColumn;
      header_seen_ = true;
      const std::size_t expected = rows_left();
      e.ballots.reserve(expected);
      voter_ids_.reserve(expected);
      return;
    }
    if (cells.size() != e.vote_columns.size())
      fail(line, row_size_message(cells.size(), e.vote_columns.size()));

    Ballot ballot;
    const std::string_view voter = trim(cells[voter_column_]);
    if (voter.empty()) fail(line, Text{"empty voter id", "identifiant de votant vide"});
    const auto voter_of = [&e](std::size_t i) -> std::string_view { return e.ballots[i].voter_id; };
    if (!voter_ids_.insert(voter, e.ballots.size(), voter_of))
      fail(line, Text{fmt::format("duplicate voter id {}", quoted(voter)),
                      fmt::format("identifiant de votant {} en double", quoted(voter))});
    ballot.voter_id = voter;

    const std::size_t stamp = e.ballots.size() + 1;
    const std::string_view vote = trim(cells[vote_column_]);
    if (!vote.empty()) {
      for_each_item(vote, [&](std::string_view item) {
        const std::string_view id = trim(item);
        if (id.empty())
          fail(line, Text{fmt::format("empty project id in vote of voter {}", quoted(voter)),
                          fmt::format("identifiant de projet vide dans le vote du votant {}",
                                      quoted(voter))});
        const auto found = project_index_.find(id);
        if (found == project_index_.end())
          fail(line, Text{fmt::format("vote for unknown project {}", quoted(id)),
                          fmt::format("vote pour un projet inconnu {}", quoted(id))});
        const ProjectIndex index = found->second;
        if (stamp_[index] == stamp)
          fail(line, Text{fmt::format("duplicate project {} in vote of voter {}", quoted(id),
                                      quoted(voter)),
                          fmt::format("projet {} en double dans le vote du votant {}", quoted(id),
                                      quoted(voter))});
        stamp_[index] = stamp;
        ballot.projects.push_back(index);
      });
    }

    if (points_column_ != kNoColumn) {
      const std::string_view points = trim(cells[points_column_]);
      if (!points.empty()) {
        for_each_item(points, [&](std::string_view item) {
          std::int64_t value = 0;
          switch (parse_integer(item, false, value)) {
            case Num::Ok:
              break;
            case Num::TooLarge:
              fail(line, Text{fmt::format("number too large {} in points of voter {}",
                                          quoted(trim(item)), quoted(voter)),
                              fmt::format("nombre trop grand {} dans les points du votant {}",
                                          quoted(trim(item)), quoted(voter))});
            default:
              fail(line,
                   Text{fmt::format("bad points value {} in vote of voter {}", quoted(trim(item)),
                                    quoted(voter)),
                        fmt::format("valeur de points incorrecte {} dans le vote du votant {}",
                                    quoted(trim(item)), quoted(voter))});
          }
          ballot.points.push_back(value);
        });
      }
      if (ballot.points.size() != ballot.projects.size())
        fail(line, Text{fmt::format("vote of voter {} has {} but {}", quoted(voter),
                                    plural(ballot.projects.size(), "project"),
                                    plural(ballot.points.size(), "point")),
                        fmt::format("le vote du votant {} a {} mais {}", quoted(voter),
                                    plural_fr(ballot.projects.size(), "projet"),
                                    plural_fr(ballot.points.size(), "point"))});
    }

    check_ballot(ballot, line);
    ballot.fields = std::move(cells);
    e.ballots.push_back(std::move(ballot));
  }

  void check_ballot(const Ballot& ballot, std::size_t line) {
    const Election& e = result_.election;
    const auto length = static_cast<std::int64_t>(ballot.projects.size());
    if (e.max_length && length > *e.max_length)
      warn(line, Text{fmt::format("ballot of voter {} has {}, more than max_length {}",
                                  quoted(ballot.voter_id),
                                  plural(ballot.projects.size(), "project"), *e.max_length),
                      fmt::format("le bulletin du votant {} a {}, plus que max_length {}",
                                  quoted(ballot.voter_id),
                                  plural_fr(ballot.projects.size(), "projet"), *e.max_length)});
    if (e.min_length && length < *e.min_length)
      warn(line, Text{fmt::format("ballot of voter {} has {}, fewer than min_length {}",
                                  quoted(ballot.voter_id),
                                  plural(ballot.projects.size(), "project"), *e.min_length),
                      fmt::format("le bulletin du votant {} a {}, moins que min_length {}",
                                  quoted(ballot.voter_id),
                                  plural_fr(ballot.projects.size(), "projet"), *e.min_length)});
    if (e.vote_type == VoteType::ChooseOne && length > 1)
      warn(line, Text{fmt::format("choose-1 ballot of voter {} has {} projects",
                                  quoted(ballot.voter_id), length),
                      fmt::format("le bulletin choose-1 du votant {} a {} projets",
                                  quoted(ballot.voter_id), length)});
    if (e.max_sum_points && !ballot.points.empty()) {
      std::int64_t sum = 0;
      bool overflow = false;
      for (const auto p : ballot.points)
        overflow = overflow || __builtin_add_overflow(sum, p, &sum);
      if (overflow) {
        warn(line,
             Text{fmt::format(
                      "ballot of voter {} gives too many points, more than max_sum_points {}",
                      quoted(ballot.voter_id), *e.max_sum_points),
                  fmt::format(
                      "le bulletin du votant {} donne trop de points, plus que max_sum_points {}",
                      quoted(ballot.voter_id), *e.max_sum_points)});
      } else if (sum > *e.max_sum_points) {
        warn(
            line,
            Text{fmt::format("ballot of voter {} gives {} points, more than max_sum_points {}",
                             quoted(ballot.voter_id), sum, *e.max_sum_points),
                 fmt::format("le bulletin du votant {} donne {} points, plus que max_sum_points {}",
                             quoted(ballot.voter_id), sum, *e.max_sum_points)});
      }
    }
  }

  void end_votes() {
    require_header();
    const Election& e = result_.election;
    if (num_votes_ && static_cast<std::uint64_t>(num_votes_->value) != e.ballots.size())
      warn(num_votes_->line,
           Text{fmt::format("META num_votes is {}, but VOTES has {}", num_votes_->value,
                            plural(e.ballots.size(), "row")),
                fmt::format("META num_votes vaut {}, mais VOTES a {}", num_votes_->value,
                            plural_fr(e.ballots.size(), "ligne"))});
  }

  struct PendingCount {
    std::int64_t value = 0;
    std::size_t line = 0;
  };

  std::string_view text_;
  const std::string& name_;
  const ReadOptions& options_;
  ReadResult result_;

  std::size_t pos_ = 0;
  std::size_t line_ = 1;      // line of pos_
  std::size_t row_line_ = 1;  // first line of the row last read

  Section section_ = Section::None;
  std::size_t section_line_ = 0;
  bool header_seen_ = false;

  unsigned meta_seen_ = 0;
  std::optional<PendingAmount> budget_;
  std::string budget_text_;
  std::optional<PendingCount> num_projects_;
  std::optional<PendingCount> num_votes_;

  std::size_t id_column_ = kNoColumn;
  std::size_t cost_column_ = kNoColumn;
  std::size_t name_column_ = kNoColumn;
  std::size_t selected_column_ = kNoColumn;
  std::size_t score_column_ = kNoColumn;
  std::vector<PendingAmount> pending_costs_;
  std::unordered_map<std::string, ProjectIndex, StringHash, std::equal_to<>> project_index_;

  std::size_t voter_column_ = kNoColumn;
  std::size_t vote_column_ = kNoColumn;
  std::size_t points_column_ = kNoColumn;
  IdSet voter_ids_;
  std::vector<std::size_t> stamp_;  // stamp_[p] == n: project p is in the n-th ballot
};

// ---------------------------------------------------------------------------
// Writer

void append_cell(std::string& out, std::string_view cell) {
  if (cell.find_first_of(";\"\r\n") == std::string_view::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_row(std::string& out, const std::vector<std::string_view>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i != 0) out += ';';
    append_cell(out, cells[i]);
  }
  out += '\n';
}

// The amount `text` means at `scale`, if it is a valid one.
std::optional<Money> parse_money(std::string_view text, std::int64_t scale) {
  Decimal d;
  const int digits = scale_digits_of(scale);
  if (digits < 0 || parse_decimal(text, true, d) != Num::Ok || d.negative) return std::nullopt;
  return scale_amount(d, digits);
}

bool vote_cell_matches(std::string_view cell, const Ballot& ballot, const Election& e) {
  const std::string_view vote = trim(cell);
  if (vote.empty()) return ballot.projects.empty();
  std::size_t i = 0;
  bool match = true;
  for_each_item(vote, [&](std::string_view item) {
    if (!match) return;
    if (i >= ballot.projects.size() || ballot.projects[i] >= e.projects.size() ||
        e.projects[ballot.projects[i]].id != trim(item)) {
      match = false;
      return;
    }
    ++i;
  });
  return match && i == ballot.projects.size();
}

bool points_cell_matches(std::string_view cell, const Ballot& ballot) {
  const std::string_view points = trim(cell);
  if (points.empty()) return ballot.points.empty();
  std::size_t i = 0;
  bool match = true;
  for_each_item(points, [&](std::string_view item) {
    std::int64_t value = 0;
    if (!match) return;
    if (i >= ballot.points.size() || parse_integer(item, false, value) != Num::Ok ||
        value != ballot.points[i]) {
      match = false;
      return;
    }
    ++i;
  });
  return match && i == ballot.points.size();
}

enum class Role { Other, Id, Cost, Name, Selected, Score, Voter, Vote, Points };

struct Column {
  std::string name;
  Role role = Role::Other;
  std::size_t source = kNoColumn;  // index in `fields`, kNoColumn when added
};

// The written columns: the original ones, plus any wanted one they lack
// (inserted at the front, in the order of `wanted`).
std::vector<Column> output_columns(const std::vector<std::string>& original,
                                   const std::vector<std::pair<std::string_view, Role>>& roles,
                                   const std::vector<std::pair<std::string_view, bool>>& wanted) {
  const auto role_of = [&roles](std::string_view name) {
    for (const auto& role : roles)
      if (role.first == name) return role.second;
    return Role::Other;
  };
  std::vector<Column> columns;
  for (std::size_t i = 0; i < original.size(); ++i)
    columns.push_back(Column{original[i], role_of(original[i]), i});
  std::size_t insert_at = 0;
  for (const auto& want : wanted) {
    const std::string_view name = want.first;
    const bool present = std::any_of(columns.begin(), columns.end(),
                                     [name](const Column& c) { return c.name == name; });
    if (present || !want.second) continue;
    columns.insert(columns.begin() + static_cast<std::ptrdiff_t>(insert_at),
                   Column{std::string(name), role_of(name), kNoColumn});
    ++insert_at;
  }
  return columns;
}

std::string_view source_cell(const std::vector<std::string>& fields, const Column& column) {
  if (column.source < fields.size()) return fields[column.source];
  return {};
}

}  // namespace

namespace {
std::string one_line_message(const std::string& file, std::size_t line, const std::string& reason) {
  std::string message;
  append_escaped(message, file, std::string::npos);
  message += fmt::format(":{}: ", line);
  append_escaped(message, reason, std::string::npos);
  return message;
}
}  // namespace

ParseError::ParseError(std::string file, std::size_t line, Text reason)
    : std::runtime_error(one_line_message(file, line, reason.en)),
      file_(std::move(file)),
      line_(line),
      reason_(std::move(reason)) {}

std::string ParseError::message(Lang lang) const {
  return one_line_message(file_, line_, reason_.in(lang));
}

ReadResult read_pabulib(std::string_view text, const std::string& name,
                        const ReadOptions& options) {
  Reader reader(text, name, options);
  return reader.run();
}

ReadResult read_pabulib_file(const std::string& path, const ReadOptions& options) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr)
    throw ParseError(path, 0, Text{"cannot open file", "impossible d'ouvrir le fichier"});
  std::string text;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw ParseError(path, 0, Text{"cannot open file", "impossible d'ouvrir le fichier"});
  return read_pabulib(text, path, options);
}

// `scale` is a power of ten for every election the reader makes; any other
// scale (built in code) prints as the exact fraction "amount/scale".
std::string format_money(Money amount, std::int64_t scale) {
  if (scale <= 1) return std::to_string(amount);
  const int digits = scale_digits_of(scale);
  if (digits < 0) return fmt::format("{}/{}", amount, scale);
  const std::uint64_t magnitude = amount < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(amount)
                                             : static_cast<std::uint64_t>(amount);
  const auto unit = static_cast<std::uint64_t>(scale);
  return fmt::format("{}{}.{:0{}}", amount < 0 ? "-" : "", magnitude / unit, magnitude % unit,
                     digits);
}

std::string write_pabulib(const Election& e) {
  std::string out;
  std::vector<std::string_view> row;
  std::vector<std::string> owned;  // rendered cells of the current row

  // META: every entry in order; interpreted values are rendered afresh when
  // the entry's text no longer says what the election holds.
  out += "META\nkey;value\n";
  const std::pair<std::string_view, const std::optional<std::int64_t>*> integers[4] = {
      {"min_length", &e.min_length},
      {"max_length", &e.max_length},
      {"max_sum_points", &e.max_sum_points},
      {"min_project_score_threshold", &e.min_project_score_threshold}};
  bool wrote_budget = false;
  bool wrote_vote_type = false;
  constexpr std::size_t kIntegers = 4;
  bool wrote_integer[kIntegers] = {};
  for (const auto& entry : e.meta) {
    std::string value = entry.value;
    bool skip = false;
    if (entry.key == "budget") {
      wrote_budget = true;
      if (parse_money(value, e.cost_scale) != e.budget)
        value = format_money(e.budget, e.cost_scale);
    } else if (entry.key == "vote_type") {
      wrote_vote_type = true;
      if (parse_vote_type(value) != e.vote_type) value = to_string(e.vote_type);
    }
    for (std::size_t k = 0; k < kIntegers; ++k) {
      if (entry.key != integers[k].first) continue;
      const auto& wanted = *integers[k].second;
      wrote_integer[k] = true;
      if (parse_optional_integer(value) == wanted) continue;
      if (wanted) {
        value = std::to_string(*wanted);
      } else {
        skip = true;
      }
    }
    if (!skip) append_row(out, {entry.key, value});
  }
  if (!wrote_budget) append_row(out, {"budget", format_money(e.budget, e.cost_scale)});
  if (!wrote_vote_type && e.vote_type != VoteType::Approval)
    append_row(out, {"vote_type", to_string(e.vote_type)});
  for (std::size_t k = 0; k < kIntegers; ++k)
    if (!wrote_integer[k] && *integers[k].second)
      append_row(out, {integers[k].first, std::to_string(**integers[k].second)});

  // PROJECTS
  const bool any_name = std::any_of(e.projects.begin(), e.projects.end(),
                                    [](const Project& p) { return !p.name.empty(); });
  const bool any_selected = std::any_of(e.projects.begin(), e.projects.end(),
                                        [](const Project& p) { return p.selected.has_value(); });
  const bool any_score = std::any_of(e.projects.begin(), e.projects.end(),
                                     [](const Project& p) { return p.score.has_value(); });
  const auto project_columns = output_columns(e.project_columns,
                                              {{"project_id", Role::Id},
                                               {"cost", Role::Cost},
                                               {"name", Role::Name},
                                               {"selected", Role::Selected},
                                               {"score", Role::Score}},
                                              {{"project_id", true},
                                               {"cost", true},
                                               {"name", any_name},
                                               {"selected", any_selected},
                                               {"score", any_score}});
  out += "PROJECTS\n";
  row.clear();
  for (const auto& column : project_columns) row.push_back(column.name);
  append_row(out, row);
  for (const auto& project : e.projects) {
    row.clear();
    owned.assign(project_columns.size(), std::string());
    for (std::size_t j = 0; j < project_columns.size(); ++j) {
      const Column& column = project_columns[j];
      const std::string_view cell = source_cell(project.fields, column);
      std::string& fresh = owned[j];
      bool keep = true;
      switch (column.role) {
        case Role::Id:
          keep = trim(cell) == project.id;
          if (!keep) fresh = project.id;
          break;
        case Role::Cost:
          keep = parse_money(cell, e.cost_scale) == project.cost;
          if (!keep) fresh = format_money(project.cost, e.cost_scale);
          break;
        case Role::Name:
          keep = trim(cell) == project.name;
          if (!keep) fresh = project.name;
          break;
        case Role::Selected:
          keep = parse_selected(cell) == project.selected;
          if (!keep && project.selected) fresh = *project.selected ? "1" : "0";
          break;
        case Role::Score:
          keep = parse_optional_integer(cell) == project.score;
          if (!keep && project.score) fresh = std::to_string(*project.score);
          break;
        default:
          break;
      }
      row.push_back(keep ? cell : std::string_view(fresh));
    }
    append_row(out, row);
  }

  // VOTES
  const auto vote_columns = output_columns(
      e.vote_columns, {{"voter_id", Role::Voter}, {"vote", Role::Vote}, {"points", Role::Points}},
      {{"voter_id", true}, {"vote", true}, {"points", e.has_points}});
  out += "VOTES\n";
  row.clear();
  for (const auto& column : vote_columns) row.push_back(column.name);
  append_row(out, row);
  for (const auto& ballot : e.ballots) {
    row.clear();
    owned.assign(vote_columns.size(), std::string());
    for (std::size_t j = 0; j < vote_columns.size(); ++j) {
      const Column& column = vote_columns[j];
      const std::string_view cell = source_cell(ballot.fields, column);
      std::string& fresh = owned[j];
      bool keep = true;
      switch (column.role) {
        case Role::Voter:
          keep = trim(cell) == ballot.voter_id;
          if (!keep) fresh = ballot.voter_id;
          break;
        case Role::Vote:
          keep = vote_cell_matches(cell, ballot, e);
          if (!keep) {
            for (std::size_t k = 0; k < ballot.projects.size(); ++k) {
              if (k != 0) fresh += ',';
              if (ballot.projects[k] < e.projects.size())
                fresh += e.projects[ballot.projects[k]].id;
            }
          }
          break;
        case Role::Points:
          keep = !e.has_points || points_cell_matches(cell, ballot);
          if (!keep) {
            for (std::size_t k = 0; k < ballot.points.size(); ++k) {
              if (k != 0) fresh += ',';
              fresh += std::to_string(ballot.points[k]);
            }
          }
          break;
        default:
          break;
      }
      row.push_back(keep ? cell : std::string_view(fresh));
    }
    append_row(out, row);
  }
  return out;
}

}  // namespace fabrique::pb
