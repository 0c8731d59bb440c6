// The mails about an account: the link that confirms an address, the notice
// that an address already has an account, the link to choose a new password.
// Each in the language given (the account's, or the sign-up form's).
#pragma once

#include <string>

#include "core/lang.hpp"
#include "mail/mail.hpp"

namespace fabrique::accounts {

// Where the links point and whose name the mails carry.
struct MailSite {
  std::string public_url;  // "https://participer.example.org", no trailing slash
  std::string city_name;
};

mail::Mail confirmation_mail(const MailSite& site, const std::string& email,
                             const std::string& display_name, Lang lang, const std::string& token);
mail::Mail already_registered_mail(const MailSite& site, const std::string& email,
                                   const std::string& display_name, Lang lang);
mail::Mail reset_mail(const MailSite& site, const std::string& email,
                      const std::string& display_name, Lang lang, const std::string& token);

}  // namespace fabrique::accounts
