// Pure decisions of residency: how each identity field is normalized (the
// same for a census file, a resident's form and a clerk's), what a census
// file must look like, what makes a district valid, and what each
// verification outcome tells the person. No storage, no clock, no secret.
// The census file reader is in census.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "residency/model.hpp"

namespace fabrique::residency {

// A normalized value, or why the raw one is not acceptable (a whole
// sentence naming the field, in both languages).
struct Checked {
  std::string value;
  std::optional<Text> error;
  bool ok() const { return !error.has_value(); }
};

// Trimmed, upper-cased, spaces and hyphens removed; then 4 to 20 letters or
// digits. An error never repeats the number (only its length, or the first
// character that is not allowed and where it is).
Checked normalize_document_number(std::string_view raw);
// YYYY-MM-DD, or DD/MM/YYYY (day and month may have one digit); a real date,
// not after `today`, not before 1900. The value is YYYY-MM-DD.
Checked normalize_birth_date(std::string_view raw, std::chrono::year_month_day today);
// Trimmed, 3 to 10 letters, digits or spaces; the value is upper-cased with
// the spaces removed ("75 001" and "75001" are one postal code).
Checked normalize_postal_code(std::string_view raw);

struct CheckedIdentity {
  Identity identity;
  FieldErrors errors;  // by form field: document_number, birth_date, postal_code
};
CheckedIdentity check_identity(const IdentityForm& form, std::chrono::year_month_day today);

// What is hashed (with the instance's census key): "DOC|YYYY-MM-DD|POSTAL".
std::string identity_key(const Identity& identity);
// The person, whatever their address: "person|DOC", hashed the same way.
// One census entry per person across imports is keyed by it.
std::string person_key(const Identity& identity);

// Whole years on `today` from a YYYY-MM-DD birth date; false when unreadable.
bool old_enough(std::string_view birth_date, int minimum_age, std::chrono::year_month_day today);

// Trimmed; the slug lower-cased.
NewDistrict normalize_district(NewDistrict district);
// On a normalized district: slug of 2 to 40 lower-case letters, digits and
// single hyphens; names of 1 to 100 characters.
FieldErrors check_district(const NewDistrict& district);

// What the person (online) or the clerk (counter) is told.
Text outcome_message(VerificationOutcome outcome, VerificationMethod method, int minimum_age);

// A value found in a file or a form, quoted for a message in each language
// (“…” in English, « … » in French; see quotable()).
std::string quoted_en(std::string_view text);
std::string quoted_fr(std::string_view text);

}  // namespace fabrique::residency
