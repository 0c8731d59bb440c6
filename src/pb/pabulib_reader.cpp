// The pabulib `.pb` reader: the lexer, the sections and META (the rows of
// PROJECTS and VOTES are in pabulib_rows.cpp; the writer in
// pabulib_writer.cpp).
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
#include "pb/pabulib_reader.hpp"

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

namespace detail {

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

ReadResult Reader::run() {
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

void Reader::fail(std::size_t line, Text reason) const {
  throw ParseError(name_, line, std::move(reason));
}

void Reader::warn(std::size_t line, Text reason) {
  if (options_.strict) fail(line, std::move(reason));
  result_.warnings.push_back(Warning{line, std::move(reason.en), std::move(reason.fr)});
}

void Reader::skip_line_end() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
}

void Reader::count_line_ends(std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (text_[i] == '\n') {
      ++line_;
    } else if (text_[i] == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n')) {
      ++line_;
    }
  }
}

bool Reader::next_row(std::vector<std::string>& cells) {
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
          fail(start_line, Text{"unterminated quoted field", "champ entre guillemets non terminé"});
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

std::size_t Reader::last_line() const {
  const bool ends_with_newline =
      !text_.empty() && (text_.back() == '\n' || text_.back() == '\r') && line_ > 1;
  return ends_with_newline ? line_ - 1 : line_;
}

void Reader::enter(Section next, std::size_t line) {
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

void Reader::finish() {
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

void Reader::require_header() const {
  if (!header_seen_)
    fail(section_line_, Text{fmt::format("missing {} header", section_name(section_)),
                             fmt::format("en-tête {} absent", section_name(section_))});
}

std::vector<std::string> Reader::read_header(const std::vector<std::string>& cells,
                                             std::size_t line) {
  std::vector<std::string> columns;
  columns.reserve(cells.size());
  std::unordered_set<std::string_view> seen;
  for (const auto& cell : cells) columns.emplace_back(trim(cell));
  for (const auto& column : columns)
    if (!seen.insert(column).second)
      fail(line, Text{fmt::format("duplicate {} column {}", section_name(section_), quoted(column)),
                      fmt::format("colonne {1} en double dans {0}", section_name(section_),
                                  quoted(column))});
  return columns;
}

std::size_t Reader::column_index(const std::vector<std::string>& columns,
                                 std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  return kNoColumn;
}

std::size_t Reader::required_column(const std::vector<std::string>& columns, std::string_view name,
                                    std::size_t line) const {
  const std::size_t index = column_index(columns, name);
  if (index == kNoColumn)
    fail(line, Text{fmt::format("missing {} column {}", section_name(section_),
                                quoted(std::string(name))),
                    fmt::format("colonne {1} absente dans {0}", section_name(section_),
                                quoted(std::string(name)))});
  return index;
}

std::size_t Reader::rows_left() const {
  const auto rest = text_.substr(pos_);
  const auto lines = static_cast<std::size_t>(std::count(rest.begin(), rest.end(), '\n')) + 1;
  return std::min(lines, kMaxReserve);
}

void Reader::meta_row(std::vector<std::string>& cells, std::size_t line) {
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

void Reader::interpret_meta(const MetaEntry& entry, std::size_t line) {
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

void Reader::end_meta() {
  require_header();
  if (!budget_) fail(section_line_, Text{"missing META budget", "budget absent de META"});
}

}  // namespace detail

namespace {
std::string one_line_message(const std::string& file, std::size_t line, const std::string& reason) {
  std::string message;
  detail::append_escaped(message, file, std::string::npos);
  message += fmt::format(":{}: ", line);
  detail::append_escaped(message, reason, std::string::npos);
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
  detail::Reader reader(text, name, options);
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

}  // namespace fabrique::pb
