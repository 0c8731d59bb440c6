// One function per thing a person does with their account. Each validates
// its input and returns the errors (in both languages) or does the change.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "accounts/model.hpp"
#include "store/store.hpp"

namespace fabrique::accounts {

// Field name → message. Empty when the input is acceptable.
using FieldErrors = std::map<std::string, Text>;

struct SignUp {
  std::string display_name;
  std::string email;
  std::string password;
  Lang language = Lang::Fr;
};

FieldErrors check_sign_up(const SignUp& form);
std::optional<Text> check_new_password(const std::string& password);
bool plausible_email(const std::string& email);

// Creates the account (the password is hashed here, before the write).
// Returns the id, or errors (the email may be taken).
struct SignUpResult {
  std::int64_t account_id = 0;
  FieldErrors errors;
};
SignUpResult sign_up(store::Connection& db, const SignUp& form);

}  // namespace fabrique::accounts
