#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/system_error.hpp>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cli/commands.hpp"
#include "cli/language.hpp"
#include "cli/serve.hpp"
#include "core/time.hpp"
#include "http/server.hpp"

namespace fabrique::cli {

namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  unsigned workers = 0;
  std::size_t max_connections = 0;
  PlatformOptions platform;
  std::string lang = "fr";  // of messages
};

// "HOST:PORT" or "[V6]:PORT" into host and port; nullopt when malformed.
std::optional<std::pair<std::string, unsigned short>> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port > 65535) return std::nullopt;
  }
  return std::pair{host, static_cast<unsigned short>(port)};
}

}  // namespace

void register_serve(CLI::App& app, Lang lang) {
  const auto say = [lang](const Text& text) { return text.in(lang); };
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve =
      app.add_subcommand("serve", say({"Run the web platform", "Faire tourner la plateforme web"}));
  // --config belongs to the root (CLI11 reads config files there only);
  // fallthrough lets it follow `serve` on the command line.
  serve->fallthrough();
  serve
      ->add_option("--listen", args->listen,
                   say({"Address and port to listen on (HOST:PORT)",
                        "Adresse et port d'écoute (HÔTE:PORT)"}))
      ->capture_default_str();
  serve
      ->add_option(
          "--threads", args->threads,
          say({"I/O threads (0: one per core)", "Fils d'entrées-sorties (0\u202f: un par cœur)"}))
      ->capture_default_str();
  serve
      ->add_option("--workers", args->workers,
                   say({"Request handler threads (0: automatic)",
                        "Fils de traitement des requêtes (0\u202f: automatique)"}))
      ->capture_default_str();
  serve
      ->add_option(
          "--max-connections", args->max_connections,
          say({"Connections open at once; more wait their turn (0: from the limit on "
               "open files)",
               "Connexions ouvertes à la fois\u202f; les suivantes attendent leur tour (0\u202f: "
               "d'après la limite de fichiers ouverts)"}))
      ->capture_default_str();
  serve
      ->add_option("--database", args->platform.database_url,
                   say({"Database URL (sqlite:PATH or postgres://USER@HOST:PORT/DB)",
                        "URL de la base de données (sqlite:CHEMIN ou "
                        "postgres://UTILISATEUR@HÔTE:PORT/BASE)"}))
      ->capture_default_str();
  serve->add_option(
      "--secret-file", args->platform.secret_file,
      say({"Instance secrets (created if missing; default: beside the SQLite file)",
           "Secrets de l'instance (créés s'ils manquent\u202f; par défaut\u202f: à côté du "
           "fichier SQLite)"}));
  serve
      ->add_option("--public-url", args->platform.config.public_url,
                   say({"The address residents use (https:// turns on Secure cookies)",
                        "L'adresse qu'utilisent les habitants (https:// active les cookies "
                        "Secure)"}))
      ->capture_default_str();
  serve
      ->add_option("--city-name", args->platform.config.city_name,
                   say({"The city's name on pages", "Le nom de la ville sur les pages"}))
      ->capture_default_str();
  serve
      ->add_option("--time-zone", args->platform.config.time_zone,
                   say({"Time zone of the dates and times people read (IANA name)",
                        "Fuseau horaire des dates et heures affichées (nom IANA)"}))
      ->check(CLI::Validator(
          [say](std::string& name) -> std::string {
            if (TimeZone::named(name)) return {};
            return say(
                {"unknown time zone '" + name + "' (for example Europe/Paris)",
                 "fuseau horaire inconnu «\u202f" + name + "\u202f» (par exemple Europe/Paris)"});
          },
          "ZONE"))
      ->capture_default_str();
  serve
      ->add_option(
          "--minimum-age", args->platform.config.minimum_age,
          say({"Minimum age to verify residency", "Âge minimum pour vérifier sa résidence"}))
      ->capture_default_str();
  serve->add_flag("--behind-proxy", args->platform.config.behind_proxy,
                  say({"Trust X-Forwarded-For from a reverse proxy for client addresses",
                       "Prendre l'adresse des clients dans le X-Forwarded-For d'un "
                       "mandataire inverse"}));
  // Accounts: rate limits and password hashing (docs/operating.md, "Accounts").
  web::Config& limits = args->platform.config;
  serve
      ->add_option("--signups-per-address", limits.signups_per_address,
                   say({"Sign-ups from one client address in an hour",
                        "Inscriptions depuis une même adresse client en une heure"}))
      ->capture_default_str();
  serve
      ->add_option("--signups-per-minute", limits.signups_per_minute,
                   say({"Sign-ups from everyone in a minute",
                        "Inscriptions de tout le monde en une minute"}))
      ->capture_default_str();
  serve
      ->add_option("--sign-ins-per-address", limits.login_attempts_per_address,
                   say({"Sign-in attempts from one client address in 15 minutes",
                        "Tentatives de connexion depuis une même adresse client en 15 minutes"}))
      ->capture_default_str();
  serve
      ->add_option("--sign-in-failures-per-account", limits.login_attempts_per_account,
                   say({"Failed sign-ins on one account from one client address in 15 minutes",
                        "Connexions échouées sur un compte depuis une même adresse client en 15 "
                        "minutes"}))
      ->capture_default_str();
  serve
      ->add_option("--sign-ins-per-minute", limits.login_attempts_per_minute,
                   say({"Sign-in attempts from everyone in a minute",
                        "Tentatives de connexion de tout le monde en une minute"}))
      ->capture_default_str();
  serve
      ->add_option("--password-resets-per-address", limits.password_resets_per_address,
                   say({"Forgotten-password requests from one client address in an hour",
                        "Demandes de mot de passe oublié depuis une même adresse client en une "
                        "heure"}))
      ->capture_default_str();
  serve
      ->add_option("--password-resets-per-minute", limits.password_resets_per_minute,
                   say({"Forgotten-password requests from everyone in a minute",
                        "Demandes de mot de passe oublié de tout le monde en une minute"}))
      ->capture_default_str();
  serve
      ->add_option("--hashes-at-once", limits.hashes_at_once,
                   say({"Password hashes computed at once (0: half the cores)",
                        "Hachages de mots de passe calculés à la fois (0\u202f: la moitié des "
                        "cœurs)"}))
      ->capture_default_str();
  serve
      ->add_option(
          "--hash-queue", limits.hash_queue,
          say({"Requests in the hashing queue, hashing or waiting (0: twice "
               "hashes-at-once)",
               "Requêtes dans la file de hachage, en cours ou en attente (0\u202f: deux fois "
               "hashes-at-once)"}))
      ->capture_default_str();
  serve->add_option("--mail-folder", args->platform.mail.folder,
                    say({"Write outgoing mail here (default when no SMTP URL is set)",
                         "Écrire ici le courrier sortant (par défaut sans URL SMTP)"}));
  serve
      ->add_option("--mail-from", args->platform.mail.from,
                   say({"Sender of outgoing mail", "Expéditeur du courrier sortant"}))
      ->capture_default_str();
  serve->add_option(
      "--smtp-url", args->platform.mail.smtp_url,
      say({"smtp://HOST:587 or smtps://HOST:465 (empty: write mail to the folder)",
           "smtp://HÔTE:587 ou smtps://HÔTE:465 (vide\u202f: écrire le courrier dans le "
           "dossier)"}));
  serve->add_option("--smtp-user", args->platform.mail.smtp_user,
                    say({"SMTP user name", "Nom d'utilisateur SMTP"}));
  serve
      ->add_option("--smtp-password", args->platform.mail.smtp_password,
                   say({"SMTP password (prefer the config file or FABRIQUE_SMTP_PASSWORD)",
                        "Mot de passe SMTP (de préférence dans le fichier de configuration ou "
                        "FABRIQUE_SMTP_PASSWORD)"}))
      ->envname("FABRIQUE_SMTP_PASSWORD");
  serve->add_flag("--smtp-starttls", args->platform.mail.smtp_starttls,
                  say({"Require STARTTLS on smtp://", "Exiger STARTTLS sur smtp://"}));
  add_lang_option(*serve, args->lang, lang);
  serve->callback([args] {
    const Lang out = parse_lang(args->lang).value_or(Lang::Fr);
    const auto address = parse_listen(args->listen);
    if (!address) {
      print_error(Text{"--listen: expected HOST:PORT, got '" + args->listen + "'",
                       "--listen\u202f: HÔTE:PORT attendu, reçu '" + args->listen + "'"}
                      .in(out));
      throw CLI::RuntimeError(1);
    }
    // The schema is brought up to date before the first request.
    std::unique_ptr<Platform> platform;
    try {
      platform = std::make_unique<Platform>(args->platform);
      // Programs read these lines: the same in both languages (cli/language.hpp).
      for (int version : platform->applied_migrations())
        std::cout << "database: applied migration " << version << std::endl;
    } catch (const std::exception& e) {
      print_error(args->platform.database_url + ": " + e.what());
      throw CLI::RuntimeError(1);
    }
    http::ServerOptions options;
    options.host = address->first;
    options.port = address->second;
    options.threads = args->threads;
    options.workers = args->workers;
    options.max_connections = args->max_connections;
    http::Server server(platform->router(), options);

    // Signals first, so that none arrives between the bind and the wait.
    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
    try {
      server.start();
    } catch (const boost::system::system_error& e) {
      print_error(Text{"cannot listen on " + args->listen + ": " + e.code().message(),
                       "impossible d'écouter sur " + args->listen + "\u202f: " + e.code().message()}
                      .in(out));
      throw CLI::RuntimeError(1);
    }
    const bool v6 = options.host.find(':') != std::string::npos;
    std::cout << "listening on http://" << (v6 ? "[" : "") << options.host << (v6 ? "]" : "") << ":"
              << server.port() << std::endl;
    signals.async_wait([&server](const boost::system::error_code&, int) { server.stop(); });
    signals_context.run();
  });
}

}  // namespace fabrique::cli
