#include "budgets/pages.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "budgets/repository.hpp"
#include "core/time.hpp"

namespace fabrique::budgets {

namespace json = boost::json;

namespace {

constexpr Amount kLargestAmount = 1'000'000'000'000;  // 10^12: no city budget comes near

std::string date_of(const std::string& iso) { return iso.substr(0, 10); }

}  // namespace

std::optional<Amount> parse_amount(const std::string& text, bool allow_zero) {
  // Spaces (plain, no-break, narrow no-break), commas, dots as thousands
  // separators and a euro sign are what people type; anything else is refused.
  std::string digits;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      digits += static_cast<char>(c);
      ++i;
    } else if (c == ' ' || c == ',' || c == '.' || c == '\'') {
      ++i;
    } else if (text.compare(i, 2, "\u00a0") == 0) {
      i += 2;
    } else if (text.compare(i, 3, "\u202f") == 0 || text.compare(i, 3, "€") == 0) {
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty() || digits.size() > 13) return std::nullopt;
  const Amount value = std::stoll(digits);
  if (value > kLargestAmount || (value == 0 && !allow_zero)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<Process> process_of(web::Context& ctx) {
  const auto slug = ctx.request.params.find("slug");
  if (slug == ctx.request.params.end()) return std::nullopt;
  return find_process(ctx.db, slug->second);
}

http::Response process_not_found(web::Context& ctx) {
  return ctx.error(
      404, {"There is no such participatory budget.", "Ce budget participatif n'existe pas."});
}

http::Response project_not_found(web::Context& ctx) {
  return ctx.error(404, {"There is no such project in this participatory budget.",
                         "Ce projet n'existe pas dans ce budget participatif."});
}

Phase current_phase(const Process& process) { return phase_at(process.schedule, now_iso8601()); }

json::object process_view(const Process& process, Lang lang) {
  const Phase phase = current_phase(process);
  json::object phase_view{{"name", phase_name(phase)}, {"label", phase_label(phase).in(lang)}};
  for (Phase p : {Phase::Upcoming, Phase::Proposals, Phase::Review, Phase::Vote, Phase::Results,
                  Phase::Implementation})
    phase_view[std::string("in_") + std::string(phase_name(p))] = p == phase;
  json::array units;
  for (const Unit& unit : process.units)
    units.push_back(json::object{{"id", unit.id},
                                 {"slug", unit.slug},
                                 {"name", unit.name(lang)},
                                 {"city_wide", unit.city_wide()},
                                 {"amount", unit.amount},
                                 {"amount_text", format_amount(unit.amount, lang)}});
  const Schedule& s = process.schedule;
  json::array timeline;
  const struct {
    Phase phase;
    const std::string& start;
    const std::string* end;
  } steps[] = {{Phase::Proposals, s.proposals_open, &s.review_open},
               {Phase::Review, s.review_open, &s.vote_open},
               {Phase::Vote, s.vote_open, &s.vote_close},
               {Phase::Results, s.vote_close, &s.implementation_open},
               {Phase::Implementation, s.implementation_open, nullptr}};
  for (const auto& step : steps) {
    json::object item{{"label", phase_label(step.phase).in(lang)},
                      {"start", date_of(step.start)},
                      {"current", step.phase == phase}};
    if (step.end) item["end"] = date_of(*step.end);
    timeline.push_back(std::move(item));
  }
  json::object view{{"id", process.id},
                    {"slug", process.slug},
                    {"url", "/budgets/" + process.slug},
                    {"title", process.title(lang)},
                    {"description", process.description(lang)},
                    {"phase", std::move(phase_view)},
                    {"total_amount", process.total_amount},
                    {"total_amount_text", format_amount(process.total_amount, lang)},
                    {"units", std::move(units)},
                    {"timeline", std::move(timeline)},
                    {"ballot_type", ballot_type_name(process.ballot_type)},
                    {"ballot_type_label", ballot_type_label(process.ballot_type).in(lang)},
                    {"rule", rule_name(process.rule)},
                    {"rule_label", rule_label(process.rule).in(lang)},
                    {"minimum_age", process.minimum_age},
                    {"city_wide_scope", process.scope == Scope::OwnDistrictAndCityWide},
                    {"min_choices", process.min_choices},
                    {"max_choices", process.max_choices},
                    {"points_total", process.points_total},
                    {"published", process.published_at.has_value()},
                    {"vote_open", date_of(s.vote_open)},
                    {"vote_close", date_of(s.vote_close)}};
  return view;
}

json::object project_view(const Process& process, const Project& project, Lang lang) {
  const Unit* unit = process.unit(project.unit_id);
  json::object view{
      {"id", project.id},
      {"url", "/budgets/" + process.slug + "/projects/" + std::to_string(project.id)},
      {"title", project.title},
      {"description", project.description},
      {"cost", project.cost()},
      {"cost_text", format_amount(project.cost(), lang)},
      {"estimated_cost_text", format_amount(project.estimated_cost, lang)},
      {"cost_revised", project.final_cost && *project.final_cost != project.estimated_cost},
      {"unit", unit ? unit->name(lang) : std::string()},
      {"unit_slug", unit ? unit->slug : std::string()},
      {"status", review_status_name(project.status)},
      {"status_label", review_status_label(project.status).in(lang)},
      {"submitted", project.status == ReviewStatus::Submitted},
      {"feasible", project.status == ReviewStatus::Feasible},
      {"infeasible", project.status == ReviewStatus::Infeasible},
      {"merged", project.status == ReviewStatus::Merged},
      {"review_note", project.review_note},
      {"author", project.author_name},
      {"location", project.location},
      {"created_on", date_of(project.created_at)},
      {"progress", project.progress}};
  if (project.merged_into)
    view["merged_into_url"] =
        "/budgets/" + process.slug + "/projects/" + std::to_string(*project.merged_into);
  if (project.image_id) view["image_url"] = "/budgets/images/" + std::to_string(*project.image_id);
  if (project.implementation) {
    view["implementation"] = implementation_status_name(*project.implementation);
    view["implementation_label"] = implementation_status_label(*project.implementation).in(lang);
  }
  if (project.spent) view["spent_text"] = format_amount(*project.spent, lang);
  return view;
}

}  // namespace fabrique::budgets
