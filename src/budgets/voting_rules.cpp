#include "budgets/voting_rules.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "accounts/permissions.hpp"
#include "core/time.hpp"
#include "residency/rules.hpp"

namespace fabrique::budgets {

namespace {

// Crockford's base 32: no I, L, O or U, which read like 1, 1, 0 and V.
constexpr std::string_view kReceiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kReceiptLength = 15;
constexpr std::size_t kReceiptGroup = 5;

}  // namespace

// ---- Pure rules

Text channel_label(Channel channel) {
  switch (channel) {
    case Channel::Online:
      return {"online", "en ligne"};
    case Channel::Paper:
      return {"on paper at the counter", "sur papier au guichet"};
    case Channel::Assisted:
      return {"at the counter with a clerk's help", "au guichet avec l'aide d'un agent"};
  }
  return {"", ""};
}

std::vector<const Unit*> voter_units(const Process& process, const Voter& voter) {
  std::vector<const Unit*> out;
  if (const Unit* own = process.unit_of_district(voter.district_id)) out.push_back(own);
  if (process.scope == Scope::OwnDistrictAndCityWide)
    if (const Unit* city = process.city_wide_unit()) out.push_back(city);
  return out;
}

std::optional<Text> unit_refusal(const Process& process, const Voter& voter, const Unit& unit,
                                 bool at_counter) {
  const bool city = process.scope == Scope::OwnDistrictAndCityWide && process.city_wide_unit();
  if (unit.city_wide()) {
    if (city) return std::nullopt;
    return Text{
        "In this participatory budget, residents vote for the projects of their own "
        "district only: the city-wide projects are not put to the vote.",
        "Dans ce budget participatif, chacun vote pour les projets de son quartier "
        "seulement\u202f: les projets de toute la ville ne sont pas soumis au vote."};
  }
  if (unit.district_id == voter.district_id) return std::nullopt;
  const Unit* own = process.unit_of_district(voter.district_id);
  const std::string lives_en = at_counter ? "This person lives in" : "You live in";
  const std::string lives_fr = at_counter ? "Cette personne habite" : "Vous habitez";
  const std::string can_en = at_counter ? "they can" : "you can";
  const std::string can_fr = at_counter ? "elle peut" : "vous pouvez";
  if (!own)
    return Text{
        fmt::format("{} {}, which has no budget in this participatory budget{}: {} not "
                    "vote for the projects of {}.",
                    lives_en, voter.district_name.en, city ? " (only the city-wide projects)" : "",
                    at_counter ? "they may" : "you may", unit.name_en),
        fmt::format("{} {}, qui n'a pas de budget dans ce budget participatif{}\u202f: {} pas "
                    "voter pour les projets de {}.",
                    lives_fr, voter.district_name.fr,
                    city ? " (seulement les projets de toute la ville)" : "",
                    at_counter ? "elle ne peut" : "vous ne pouvez", unit.name_fr)};
  return Text{fmt::format("{} {}: {} vote for the projects of {}{}, not for those of {}.", lives_en,
                          own->name_en, can_en, own->name_en,
                          city ? " and for the city-wide ones" : "", unit.name_en),
              fmt::format("{} {}\u202f: {} voter pour les projets de {}{}, pas pour ceux de {}.",
                          lives_fr, own->name_fr, can_fr, own->name_fr,
                          city ? " et pour ceux de toute la ville" : "", unit.name_fr)};
}

std::optional<Text> age_refusal(const Process& process, const Voter& voter) {
  // Age on the day the vote opens, in the installation's time zone.
  const auto opens = parse_iso8601(process.schedule.vote_open);
  const auto day = opens ? std::optional(installation_time_zone().date_at(*opens)) : std::nullopt;
  if (day && residency::old_enough(voter.birth_date, process.minimum_age, *day))
    return std::nullopt;
  const Text opening = display_date(process.schedule.vote_open);
  return Text{fmt::format("Only people aged {} or more on {}, the day the vote opened, vote in "
                          "this participatory budget.",
                          process.minimum_age, opening.en),
              fmt::format("Seules les personnes âgées d'au moins {} ans le {}, jour d'ouverture du "
                          "vote, votent dans ce budget participatif.",
                          process.minimum_age, opening.fr)};
}

std::optional<Text> online_phase_refusal(const Process& process, std::string_view now) {
  const Phase phase = phase_at(process.schedule, now);
  if (phase == Phase::Vote && !process.counted_at) return std::nullopt;
  if (phase < Phase::Vote) {
    const Text when = display_start(process.schedule.vote_open);
    return Text{fmt::format("The vote has not opened yet: it opens on {}.", when.en),
                fmt::format("Le vote n'est pas encore ouvert\u202f: il ouvre le {}.", when.fr)};
  }
  const Text when = display_deadline(process.schedule.vote_close);
  return Text{fmt::format("The vote is closed: it ended on {}.", when.en),
              fmt::format("Le vote est clos\u202f: il a pris fin le {}.", when.fr)};
}

// Counter ballots, paper ones too, are entered while the vote is open: the
// count runs by itself when it closes (every ballot must be in by then).
std::optional<Text> counter_phase_refusal(const Process& process, Channel, std::string_view now) {
  return online_phase_refusal(process, now);
}

std::optional<Text> account_refusal(const accounts::Account& account) {
  if (!accounts::allows(account.role, accounts::Permission::Vote))
    return Text{
        fmt::format("This account ({}) does not vote: residents vote with their personal account.",
                    accounts::role_label(account.role).en),
        fmt::format("Ce compte ({}) ne vote pas\u202f: les habitants votent avec leur compte "
                    "personnel.",
                    accounts::role_label(account.role).fr)};
  if (!account.verified())
    return Text{
        "Only verified residents vote: verify your residency first, online from your "
        "account or at the town hall counter.",
        "Seuls les habitants vérifiés votent\u202f: vérifiez d'abord votre résidence, en ligne "
        "depuis votre compte ou au guichet de la mairie."};
  return std::nullopt;
}

// ---- The refusals of a ballot's transaction

Text already_voted(Channel channel) {
  const Text how = channel_label(channel);
  return {fmt::format("This person has already voted in this participatory budget ({}). One "
                      "person, one ballot: this ballot cannot be entered.",
                      how.en),
          fmt::format("Cette personne a déjà voté dans ce budget participatif ({}). Une "
                      "personne, un bulletin\u202f: ce bulletin ne peut pas être enregistré.",
                      how.fr)};
}

Text counter_ballot_is_final() {
  return {
      "You voted at the town hall counter (on paper or with a clerk's help): that ballot is final "
      "and cannot be replaced online.",
      "Vous avez voté au guichet de la mairie (sur papier ou avec l'aide d'un agent)\u202f: ce "
      "bulletin "
      "est définitif et ne peut pas être remplacé en ligne."};
}

Text vote_just_closed() {
  return {"The vote has just closed: this ballot was not cast.",
          "Le vote vient de se clore\u202f: ce bulletin n'a pas été enregistré."};
}

Text moved_since_voting(const Text& voted_in) {
  return Text{
      fmt::format("You already voted in this participatory budget, in {}, where you "
                  "lived then: that ballot stays counted there, and you cannot vote "
                  "again in the budget of your new district.",
                  voted_in.en),
      fmt::format("Vous avez déjà voté dans ce budget participatif, au titre de «\u202f{}\u202f», "
                  "où vous habitiez alors\u202f: ce bulletin y reste compté, et vous ne "
                  "pouvez pas voter à nouveau dans le budget de votre nouveau quartier.",
                  voted_in.fr)};
}

// ---- Keys and receipts

std::string ballot_key(const crypto::Key& key, std::int64_t process_id, std::int64_t unit_id,
                       std::int64_t census_entry_id) {
  return crypto::keyed_hash_hex(key, fmt::format("{}:{}:{}", process_id, unit_id, census_entry_id));
}

std::string new_receipt_code() {
  crypto::init();
  std::string code;
  for (std::size_t i = 0; i < kReceiptLength; ++i) {
    if (i > 0 && i % kReceiptGroup == 0) code += '-';
    code +=
        kReceiptAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kReceiptAlphabet.size()))];
  }
  return code;
}

std::optional<std::string> normalize_receipt_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kReceiptAlphabet.find(c) == std::string_view::npos) return std::nullopt;
    out += c;
    if (out.size() > kReceiptLength) return std::nullopt;
  }
  if (out.size() != kReceiptLength) return std::nullopt;
  return out;
}

crypto::Key receipts_key(const crypto::Key& ballot_key) {
  return crypto::derive_key(ballot_key, "receipts");
}

std::string unkeyed_receipt_hash(std::string_view normalized_code) {
  return crypto::hash_hex("fabrique-receipt:" + std::string(normalized_code));
}

std::string receipt_hash(const crypto::Key& ballot_key, std::string_view normalized_code) {
  return crypto::keyed_hash_hex(receipts_key(ballot_key), unkeyed_receipt_hash(normalized_code));
}

}  // namespace fabrique::budgets
