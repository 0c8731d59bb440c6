#include "accounts/mails.hpp"

namespace fabrique::accounts {

mail::Mail confirmation_mail(const MailSite& site, const std::string& email,
                             const std::string& display_name, Lang lang, const std::string& token) {
  const std::string link = site.public_url + "/sign-up/confirm?token=" + token;
  if (lang == Lang::Fr)
    return {email, "Confirmez votre adresse e-mail",
            "Bonjour " + display_name + ",\n\nPour terminer la création de votre compte sur " +
                site.city_name +
                ", confirmez votre adresse en ouvrant ce lien (valable 24\u00a0heures, une seule "
                "fois)\u202f:\n\n" +
                link +
                "\n\nSi vous n'avez pas créé de compte, ignorez ce message\u202f: sans "
                "confirmation, personne ne peut se connecter avec cette adresse.\n"};
  return {email, "Confirm your email address",
          "Hello " + display_name + ",\n\nTo finish creating your account on " + site.city_name +
              ", confirm your address by opening this link (valid for 24 hours, once):\n\n" + link +
              "\n\nIf you did not create an account, ignore this message: without confirmation, "
              "nobody can sign in with this address.\n"};
}

mail::Mail already_registered_mail(const MailSite& site, const std::string& email,
                                   const std::string& display_name, Lang lang) {
  const std::string sign_in = site.public_url + "/sign-in";
  const std::string forgot = site.public_url + "/password/forgot";
  if (lang == Lang::Fr)
    return {email, "Vous avez déjà un compte",
            "Bonjour " + display_name +
                ",\n\nQuelqu'un, sans doute vous, a demandé à créer un "
                "compte sur " +
                site.city_name +
                " avec cette adresse. Un compte existe déjà avec cette adresse\u202f: "
                "connectez-vous, ou réinitialisez votre mot de passe si vous l'avez oublié.\n\n"
                "Se connecter\u202f: " +
                sign_in + "\nMot de passe oublié\u202f: " + forgot +
                "\n\nSi vous n'avez rien demandé, ignorez ce message\u202f: rien n'a changé.\n"};
  return {email, "You already have an account",
          "Hello " + display_name + ",\n\nSomeone, probably you, asked to create an account on " +
              site.city_name +
              " with this address. An account already exists with this address: sign in, or "
              "reset your password if you have forgotten it.\n\nSign in: " +
              sign_in + "\nForgot your password: " + forgot +
              "\n\nIf you did not ask for anything, ignore this message: nothing has changed.\n"};
}

mail::Mail reset_mail(const MailSite& site, const std::string& email,
                      const std::string& display_name, Lang lang, const std::string& token) {
  const std::string link = site.public_url + "/password/reset?token=" + token;
  if (lang == Lang::Fr)
    return {email, "Choisir un nouveau mot de passe",
            "Bonjour " + display_name +
                ",\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable une heure, une "
                "seule fois)\u202f:\n\n" +
                link +
                "\n\nSi vous n'avez rien demandé, ignorez ce message\u202f: votre mot de passe ne "
                "change pas.\n"};
  return {email, "Choose a new password",
          "Hello " + display_name +
              ",\n\nTo choose a new password, open this link (valid for one hour, once):\n\n" +
              link +
              "\n\nIf you did not ask for it, ignore this message: your password does not "
              "change.\n"};
}

}  // namespace fabrique::accounts
