#include "budgets/model.hpp"

#include <charconv>

namespace fabrique::budgets {

const Unit* Process::unit(std::int64_t unit_id) const {
  for (const Unit& u : units)
    if (u.id == unit_id) return &u;
  return nullptr;
}

const Unit* Process::unit_by_slug(std::string_view slug) const {
  for (const Unit& u : units)
    if (u.slug == slug) return &u;
  return nullptr;
}

const Unit* Process::unit_of_district(std::int64_t district_id) const {
  for (const Unit& u : units)
    if (u.district_id == district_id) return &u;
  return nullptr;
}

const Unit* Process::city_wide_unit() const {
  for (const Unit& u : units)
    if (u.city_wide()) return &u;
  return nullptr;
}

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::Upcoming:
      return "upcoming";
    case Phase::Proposals:
      return "proposals";
    case Phase::Review:
      return "review";
    case Phase::Vote:
      return "vote";
    case Phase::Results:
      return "results";
    case Phase::Implementation:
      return "implementation";
  }
  return "upcoming";
}

Text phase_label(Phase phase) {
  switch (phase) {
    case Phase::Upcoming:
      return {"Coming soon", "À venir"};
    case Phase::Proposals:
      return {"Proposals", "Propositions"};
    case Phase::Review:
      return {"Feasibility review", "Analyse de faisabilité"};
    case Phase::Vote:
      return {"Vote", "Vote"};
    case Phase::Results:
      return {"Results", "Résultats"};
    case Phase::Implementation:
      return {"Implementation", "Réalisation"};
  }
  return {"", ""};
}

std::string_view ballot_type_name(BallotType type) {
  switch (type) {
    case BallotType::Approval:
      return "approval";
    case BallotType::Knapsack:
      return "knapsack";
    case BallotType::Cumulative:
      return "cumulative";
    case BallotType::Ranked:
      return "ranked";
  }
  return "approval";
}

std::optional<BallotType> parse_ballot_type(std::string_view name) {
  for (BallotType t :
       {BallotType::Approval, BallotType::Knapsack, BallotType::Cumulative, BallotType::Ranked})
    if (ballot_type_name(t) == name) return t;
  return std::nullopt;
}

Text ballot_type_label(BallotType type) {
  switch (type) {
    case BallotType::Approval:
      return {"Approval: choose several projects", "Approbation\u202f: choisir plusieurs projets"};
    case BallotType::Knapsack:
      return {"Budget: choose projects up to the amount",
              "Budget\u202f: choisir des projets jusqu'au montant"};
    case BallotType::Cumulative:
      return {"Points: share points among projects",
              "Points\u202f: répartir des points entre projets"};
    case BallotType::Ranked:
      return {"Ranking: rank your favourite projects",
              "Classement\u202f: classer ses projets préférés"};
  }
  return {"", ""};
}

std::string_view rule_name(CountingRule rule) {
  switch (rule) {
    case CountingRule::Greedy:
      return "greedy";
    case CountingRule::EqualShares:
      return "mes";
    case CountingRule::Phragmen:
      return "phragmen";
  }
  return "greedy";
}

std::optional<CountingRule> parse_rule(std::string_view name) {
  for (CountingRule r : {CountingRule::Greedy, CountingRule::EqualShares, CountingRule::Phragmen})
    if (rule_name(r) == name) return r;
  return std::nullopt;
}

Text rule_label(CountingRule rule) {
  switch (rule) {
    case CountingRule::Greedy:
      return {"Most votes first (greedy)", "Les plus soutenus d'abord (glouton)"};
    case CountingRule::EqualShares:
      return {"Method of Equal Shares", "Méthode des parts égales"};
    case CountingRule::Phragmen:
      return {"Sequential Phragmén", "Phragmén séquentiel"};
  }
  return {"", ""};
}

std::string_view pabulib_rule(CountingRule rule) {
  switch (rule) {
    case CountingRule::Greedy:
      return "greedy";
    case CountingRule::EqualShares:
      return "equalshares/add1";
    case CountingRule::Phragmen:
      return "phragmen";
  }
  return "greedy";
}

std::string_view scope_name(Scope scope) {
  return scope == Scope::OwnDistrict ? "district" : "district-and-city";
}

std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "district") return Scope::OwnDistrict;
  if (name == "district-and-city") return Scope::OwnDistrictAndCityWide;
  return std::nullopt;
}

std::string_view review_status_name(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::Submitted:
      return "submitted";
    case ReviewStatus::Feasible:
      return "feasible";
    case ReviewStatus::Infeasible:
      return "infeasible";
    case ReviewStatus::Merged:
      return "merged";
  }
  return "submitted";
}

std::optional<ReviewStatus> parse_review_status(std::string_view name) {
  for (ReviewStatus s : {ReviewStatus::Submitted, ReviewStatus::Feasible, ReviewStatus::Infeasible,
                         ReviewStatus::Merged})
    if (review_status_name(s) == name) return s;
  return std::nullopt;
}

Text review_status_label(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::Submitted:
      return {"Awaiting review", "En attente d'analyse"};
    case ReviewStatus::Feasible:
      return {"Feasible", "Réalisable"};
    case ReviewStatus::Infeasible:
      return {"Not feasible", "Non réalisable"};
    case ReviewStatus::Merged:
      return {"Merged with a similar project", "Fusionné avec un projet semblable"};
  }
  return {"", ""};
}

std::string_view implementation_status_name(ImplementationStatus status) {
  switch (status) {
    case ImplementationStatus::Planned:
      return "planned";
    case ImplementationStatus::InProgress:
      return "in-progress";
    case ImplementationStatus::Done:
      return "done";
    case ImplementationStatus::Abandoned:
      return "abandoned";
  }
  return "planned";
}

std::optional<ImplementationStatus> parse_implementation_status(std::string_view name) {
  for (ImplementationStatus s : {ImplementationStatus::Planned, ImplementationStatus::InProgress,
                                 ImplementationStatus::Done, ImplementationStatus::Abandoned})
    if (implementation_status_name(s) == name) return s;
  return std::nullopt;
}

Text implementation_status_label(ImplementationStatus status) {
  switch (status) {
    case ImplementationStatus::Planned:
      return {"Planned", "Programmé"};
    case ImplementationStatus::InProgress:
      return {"In progress", "En cours"};
    case ImplementationStatus::Done:
      return {"Done", "Réalisé"};
    case ImplementationStatus::Abandoned:
      return {"Abandoned", "Abandonné"};
  }
  return {"", ""};
}

// What each rule, phase and status means, in a line a resident understands.

Text rule_explanation(CountingRule rule) {
  switch (rule) {
    case CountingRule::Greedy:
      return {
          "Projects are funded in the order of their votes, from the most supported down; a "
          "project that no longer fits in what is left of the budget is passed over, and the "
          "next one is looked at.",
          "Les projets sont financés dans l’ordre de leurs voix, du plus soutenu au moins "
          "soutenu ; un projet qui ne tient plus dans ce qui reste du budget est passé, "
          "et le suivant est examiné."};
    case CountingRule::EqualShares:
      return {
          "Every voter has the same share of the budget and spends it on the projects they "
          "chose; a project is funded when its supporters, together, can pay for it. Each "
          "group of voters thus gets projects in proportion to its size.",
          "Chaque votant dispose de la même part du budget et la dépense sur les projets "
          "qu’il a choisis ; un projet est financé quand ses soutiens peuvent, ensemble, "
          "le payer. Chaque groupe de votants obtient ainsi des projets à la mesure de sa "
          "taille."};
    case CountingRule::Phragmen:
      return {
          "Projects are chosen one at a time; each funded project is paid for by its "
          "supporters, and the next one is the one whose supporters have paid the least so "
          "far, so that every vote carries a fair weight.",
          "Les projets sont choisis un à un ; chaque projet financé est payé par ses "
          "soutiens, et le suivant est celui dont les soutiens ont le moins payé jusque-là : "
          "chaque voix pèse ainsi de façon équilibrée."};
  }
  return {"", ""};
}

Text phase_explanation(Phase phase) {
  switch (phase) {
    case Phase::Upcoming:
      return {"The participatory budget has not started yet.",
              "Le budget participatif n’a pas encore commencé."};
    case Phase::Proposals:
      return {"Residents submit their projects.", "Les habitants déposent leurs projets."};
    case Phase::Review:
      return {
          "The city's departments check that each project can be carried out and estimate "
          "its cost.",
          "Les services de la ville vérifient que chaque projet est réalisable et estiment "
          "son coût."};
    case Phase::Vote:
      return {"Residents choose the projects to fund.",
              "Les habitants choisissent les projets à financer."};
    case Phase::Results:
      return {"The votes are counted and the funded projects announced.",
              "Les voix sont dépouillées et les projets financés sont annoncés."};
    case Phase::Implementation:
      return {"The city carries out the funded projects and publishes their progress.",
              "La ville réalise les projets financés et publie leur avancement."};
  }
  return {"", ""};
}

Text review_status_explanation(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::Submitted:
      return {
          "The city has not yet checked whether this project can be carried out, nor what "
          "it would cost.",
          "La ville n’a pas encore vérifié si ce projet peut être réalisé, ni ce qu’il "
          "coûterait."};
    case ReviewStatus::Feasible:
      return {
          "The city has checked that this project can be carried out, for the cost shown: it "
          "is put to the vote.",
          "La ville a vérifié que ce projet peut être réalisé, pour le coût indiqué : il "
          "est soumis au vote."};
    case ReviewStatus::Infeasible:
      return {
          "The city cannot carry out this project, for the reason given below: it is not put "
          "to the vote.",
          "La ville ne peut pas réaliser ce projet, pour la raison donnée ci-dessous : il "
          "n’est pas soumis au vote."};
    case ReviewStatus::Merged:
      return {
          "This project was close to another one: the two were brought together, and the "
          "other one is put to the vote.",
          "Ce projet ressemblait à un autre : les deux ont été réunis, et c’est l’autre "
          "qui est soumis au vote."};
  }
  return {"", ""};
}

Text implementation_status_explanation(ImplementationStatus status) {
  switch (status) {
    case ImplementationStatus::Planned:
      return {"Funded, the project is scheduled: the work has not started yet.",
              "Financé, le projet est programmé : les travaux n’ont pas encore commencé."};
    case ImplementationStatus::InProgress:
      return {"The work is under way.", "Les travaux sont en cours."};
    case ImplementationStatus::Done:
      return {"The project is completed.", "Le projet est réalisé."};
    case ImplementationStatus::Abandoned:
      return {"The city has given up this project; its news say why.",
              "La ville a renoncé à ce projet ; ses nouvelles disent pourquoi."};
  }
  return {"", ""};
}

Phase phase_at(const Schedule& schedule, std::string_view now) {
  if (now >= schedule.implementation_open) return Phase::Implementation;
  if (now >= schedule.vote_close) return Phase::Results;
  if (now >= schedule.vote_open) return Phase::Vote;
  if (now >= schedule.review_open) return Phase::Review;
  if (now >= schedule.proposals_open) return Phase::Proposals;
  return Phase::Upcoming;
}

std::string_view channel_name(Channel channel) {
  switch (channel) {
    case Channel::Online:
      return "online";
    case Channel::Paper:
      return "paper";
    case Channel::Assisted:
      return "assisted";
  }
  return "online";
}

std::optional<Channel> parse_channel(std::string_view name) {
  for (Channel c : {Channel::Online, Channel::Paper, Channel::Assisted})
    if (channel_name(c) == name) return c;
  return std::nullopt;
}

std::string choices_to_text(const std::vector<Choice>& choices, bool with_points) {
  std::string out;
  for (const Choice& choice : choices) {
    if (!out.empty()) out += ' ';
    out += std::to_string(choice.project_id);
    if (with_points) out += ':' + std::to_string(choice.points);
  }
  return out;
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<std::vector<Choice>> choices_from_text(const std::string& text) {
  std::vector<Choice> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const std::size_t colon = item.find(':');
    Choice choice;
    const auto id = parse_id(item.substr(0, colon));
    if (!id) return std::nullopt;
    choice.project_id = *id;
    if (colon != std::string::npos) {
      const auto points = parse_id(item.substr(colon + 1));
      if (!points) return std::nullopt;
      choice.points = *points;
    }
    out.push_back(choice);
    start = end + 1;
  }
  return out;
}

}  // namespace fabrique::budgets
