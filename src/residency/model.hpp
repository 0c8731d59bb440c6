// Residency: one real person, one voice. The census (a keyed hash of each
// resident's identity and their district, never the clear values), the
// districts, the imports that load the census, and the verification that
// links an account to one census entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/lang.hpp"

namespace fabrique::residency {

struct District {
  std::int64_t id = 0;
  std::string slug;
  std::string name_fr;
  std::string name_en;

  const std::string& name(Lang lang) const { return lang == Lang::Fr ? name_fr : name_en; }
};

struct NewDistrict {
  std::string slug;
  std::string name_fr;
  std::string name_en;
};

// What a resident types, or a clerk reads from an identity document: raw.
struct IdentityForm {
  std::string document_number;
  std::string birth_date;
  std::string postal_code;
};

// The same, normalized (rules.hpp): what the census hash is made of.
struct Identity {
  std::string document_number;  // upper-case letters and digits, 4 to 20
  std::string birth_date;       // YYYY-MM-DD
  std::string postal_code;      // upper-case letters and digits, spaces removed
};

// A problem with one line of a census file (line 1 is the header).
struct RowError {
  std::size_t line = 0;
  Text message;
};

enum class ImportStatus { Running, Done, Rejected, Failed };
std::string_view import_status_name(ImportStatus status);  // as stored: "running", ...
std::optional<ImportStatus> parse_import_status(std::string_view name);
Text import_status_label(ImportStatus status);

// A census import as its job row records it.
struct CensusImport {
  std::int64_t id = 0;
  std::string started_at;
  std::optional<std::string> finished_at;
  std::optional<std::int64_t> started_by;
  std::string started_by_name;  // "" when unknown
  std::string file_name;
  ImportStatus status = ImportStatus::Running;
  std::int64_t total_lines = 0;        // data lines (the header and blank lines excluded)
  std::int64_t processed_lines = 0;    // of those, gone through so far
  bool full_census = false;            // the whole census: people missing from it are retired
  std::int64_t imported = 0;           // new people
  std::int64_t already_present = 0;    // listed again, unchanged
  std::int64_t updated = 0;            // listed again with another address or district, or back
  std::int64_t retired = 0;            // full census: people no longer on it
  std::vector<RowError> errors;        // the first ones (kMaxStoredErrors)
  std::int64_t errors_not_listed = 0;  // bad lines beyond those
};

inline constexpr std::size_t kMaxStoredErrors = 1000;

enum class VerificationMethod { Online, Counter };
std::string_view method_name(VerificationMethod method);  // "online", "counter"

enum class VerificationOutcome {
  Verified,
  InvalidForm,        // a field is not even well-formed (FieldErrors say which)
  NoMatch,            // no census entry has this identity
  TakenByAnother,     // the entry already verifies another account (told as NoMatch online)
  UnderAge,           // younger than the minimum age
  AlreadyVerified,    // this account is verified already
  NotEligible,        // no such account, or a role that takes no part as a resident
  TooManyAttempts,    // rate limit on online attempts (account, address, or all)
  EmailNotConfirmed,  // online: the account's e-mail address is not confirmed yet
};

}  // namespace fabrique::residency
