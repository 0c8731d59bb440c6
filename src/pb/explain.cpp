#include "pb/explain.hpp"

#include <fmt/format.h>

#include "core/text.hpp"
#include "pb/pabulib.hpp"

namespace fabrique::pb {

namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

bool is_equal_shares(const Outcome& outcome) {
  return starts_with(outcome.rule_label, "mes") ||
         starts_with(outcome.rule_label, "official: equalshares");
}

std::string money(const Election& e, Money amount) {
  std::string text = format_money(amount, e.cost_scale);
  if (const std::string* currency = e.meta_value("currency")) text += " " + *currency;
  return text;
}

std::string money(const Election& e, const mpq_class& amount) {
  mpq_class units = amount / e.cost_scale;
  std::string text = format_decimal(units);
  if (const std::string* currency = e.meta_value("currency")) text += " " + *currency;
  return text;
}

std::string summary(const Election& e, const Outcome& o, Lang lang) {
  std::string text;
  const std::size_t voters = e.ballots.size();
  if (is_equal_shares(o)) {
    text = fmt::format(
        fmt::runtime(
            tr(lang,
               En{"Method of Equal Shares: each of the {} voters received a share of {} of "
                  "the budget. In each round, the project its supporters could pay for at "
                  "the lowest price per unit of utility ({}) was funded; each supporter "
                  "paid that price, or all they had left."},
               Fr{"Méthode des parts égales\u202f: chacun des {} votants a reçu une part de {} "
                  "du budget. À chaque tour, le projet que ses soutiens pouvaient payer au "
                  "plus bas prix par unité d'utilité ({}) a été financé\u202f; chaque soutien a "
                  "payé ce prix, ou tout ce qui lui restait."})),
        voters, money(e, o.voter_budget), o.utility_label);
    if (o.budget_steps > 0)
      text += fmt::format(
          fmt::runtime(tr(lang,
                          En{" The share was raised one currency unit at a time up to this outcome "
                             "({} runs computed)."},
                          Fr{" La part a été relevée d'une unité monétaire à la fois jusqu'à ce "
                             "résultat ({} calculs)."})),
          o.budget_steps);
  } else if (starts_with(o.rule_label, "phragmen")) {
    text = tr(lang,
              En{"Sequential Phragmén: voters earn money at the same pace; a project is funded as "
                 "soon as its supporters together hold its cost."},
              Fr{"Méthode séquentielle de Phragmén\u202f: les votants gagnent de l'argent au même "
                 "rythme\u202f; "
                 "un projet est financé dès que ses soutiens réunissent son coût."});
  } else if (starts_with(o.rule_label, "max-welfare")) {
    text = fmt::format(
        fmt::runtime(
            tr(lang,
               En{"Maximum welfare: the set of projects with the greatest total utility "
                  "({}) that fits in the budget."},
               Fr{"Bien-être maximal\u202f: l'ensemble de projets dont l'utilité totale ({}) est "
                  "la plus grande sans dépasser le budget."})),
        o.utility_label);
  } else {
    text = fmt::format(
        fmt::runtime(
            tr(lang,
               En{"Greedy rule ({}): projects are taken from best to worst ranked ({}) "
                  "while they fit in the budget."},
               Fr{"Règle gloutonne ({})\u202f: les projets sont pris du mieux classé au moins "
                  "bien classé ({}), tant qu'ils tiennent dans le budget."})),
        o.rule_label, o.utility_label);
  }
  text += fmt::format(
      fmt::runtime(
          tr(lang, En{" Spent: {} of {}; {}."}, Fr{" Dépensé\u202f: {} sur {}\u202f; {}."})),
      money(e, o.total_cost), money(e, e.budget),
      count_of(static_cast<std::int64_t>(o.selected.size()), lang,
               {"project funded", "projects funded"}, {"projet financé", "projets financés"}));
  for (const auto& note : o.notes) text += " (" + note + ")";
  return text;
}

std::string sentence(const Election& e, const Outcome& o, const ProjectReport& r, Lang lang) {
  const Project& p = e.projects[r.project];
  std::string head = p.id;
  if (!p.name.empty()) head.append(" (").append(p.name).append(")");
  head.append(": ");
  switch (r.fate) {
    case Fate::Selected:
      if (is_equal_shares(o) && r.price != 0)
        return head + fmt::format(fmt::runtime(
                                      tr(lang,
                                         En{"funded in round {}; its {} supporters paid at most {} "
                                            "each, {} of them giving all they had left."},
                                         Fr{"financé au tour {}\u202f; ses {} soutiens ont payé {} "
                                            "chacun au plus, {} d'entre eux donnant tout ce "
                                            "qui leur restait."})),
                                  r.round, r.supporters, money(e, r.price), r.exhausted_supporters);
      if (starts_with(o.rule_label, "phragmen"))
        return head +
               fmt::format(fmt::runtime(tr(lang,
                                           En{"funded in round {} ({} supporters); its "
                                              "supporters' load rose to {}."},
                                           Fr{"financé au tour {} ({} soutiens)\u202f; la charge "
                                              "de ses soutiens est passée à {}."})),
                           r.round, r.supporters, money(e, r.price));
      if (starts_with(o.rule_label, "max-welfare"))
        return head + fmt::format(fmt::runtime(tr(lang,
                                                  En{"funded: part of the set of greatest total "
                                                     "utility ({} supporters)."},
                                                  Fr{"financé\u202f: il fait partie de l'ensemble "
                                                     "d'utilité totale maximale ({} soutiens)."})),
                                  r.supporters);
      {
        // Greedy rules rank by votes, or by points where the city counted points.
        std::string tally =
            o.utility_label == "points"
                ? fmt::format("{} points", format_decimal(r.score, 0))
                : fmt::format(fmt::runtime(tr(lang, En{"{} votes"}, Fr{"{} votes"})), r.supporters);
        return head +
               fmt::format(fmt::runtime(tr(lang,
                                           En{"funded as number {} ({}, cost {}); {} was "
                                              "left when its turn came."},
                                           Fr{"financé en position {} ({}, coût {})\u202f; il "
                                              "restait {} à son tour."})),
                           r.round, tally, money(e, p.cost), money(e, r.remaining));
      }
    case Fate::NoSupport:
      return head + tr(lang, En{"not funded: nobody voted for it."},
                       Fr{"non financé\u202f: personne n'a voté pour lui."});
    case Fate::DidNotFit:
      return head +
             fmt::format(fmt::runtime(tr(lang,
                                         En{"not funded: it costs {}, but only {} was left "
                                            "when its turn came."},
                                         Fr{"non financé\u202f: il coûte {}, mais il ne restait "
                                            "que {} à son tour."})),
                         money(e, p.cost), money(e, r.remaining));
    case Fate::RanOutOfMoney:
      return head +
             fmt::format(fmt::runtime(tr(lang,
                                         En{"not funded: its {} supporters had only {} left "
                                            "between them, less than its cost of {}."},
                                         Fr{"non financé\u202f: ses {} soutiens n'avaient plus que "
                                            "{} à eux tous, moins que son coût de {}."})),
                         r.supporters, money(e, r.supporters_money), money(e, p.cost));
    case Fate::StoppedBeforeTurn:
      return head +
             tr(lang,
                En{"not funded: the count stopped before its turn (a better-ranked project "
                   "no longer fitted in the budget)."},
                Fr{"non financé\u202f: le dépouillement s'est arrêté avant son tour (un projet "
                   "mieux classé ne tenait plus dans le budget)."});
    case Fate::BelowThreshold: {
      auto threshold = e.min_project_score_threshold.value_or(0);
      return head + fmt::format(
                        fmt::runtime(tr(lang, En{"not funded: {} ({}), under the threshold of {}."},
                                        Fr{"non financé\u202f: {} ({}), sous le seuil de {}."})),
                        format_decimal(r.score, 0), o.utility_label, threshold);
    }
    case Fate::NotInOptimum:
      return head + tr(lang, En{"not funded: not part of the set of greatest total utility."},
                       Fr{"non financé\u202f: il ne fait pas partie de l'ensemble d'utilité totale "
                          "maximale."});
    case Fate::NotFeasible:
      return head + tr(lang, En{"not funded: the city found it could not be carried out."},
                       Fr{"non financé\u202f: la ville l'a jugé irréalisable."});
  }
  return head;
}

}  // namespace

std::string format_decimal(const mpq_class& value, int decimals) {
  mpz_class scale = 1;
  for (int k = 0; k < decimals; ++k) scale *= 10;
  mpq_class scaled = abs(value) * scale;
  mpz_class rounded = (scaled.get_num() * 2 + scaled.get_den()) / (scaled.get_den() * 2);
  std::string digits = rounded.get_str();
  const std::size_t width = static_cast<std::size_t>(decimals);
  if (digits.size() <= width) digits = std::string(width + 1 - digits.size(), '0') + digits;
  std::string text;
  if (value < 0 && rounded != 0) text += '-';
  text.append(digits, 0, digits.size() - width);
  if (width > 0) {
    text += '.';
    text.append(digits, digits.size() - width, width);
  }
  return text;
}

Explanation explain(const Election& election, const Outcome& outcome, Lang lang) {
  Explanation explanation;
  explanation.summary = summary(election, outcome, lang);
  for (const auto& report : outcome.reports)
    explanation.projects.push_back(sentence(election, outcome, report, lang));
  return explanation;
}

}  // namespace fabrique::pb
