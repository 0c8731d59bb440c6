// The proposal, project, review and tracking pages through the router, as a
// browser uses them: multipart proposals with an image, the project page
// (escaped, followable), the author's edits, the reviewer's decisions and
// their mail, the tracking of a funded project.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "budgets/proposal_actions.hpp"
#include "budgets/proposal_repository.hpp"
#include "budgets/repository.hpp"
#include "residency/repository.hpp"
#include "store/values.hpp"
#include "support/text.hpp"
#include "support/web_platform.hpp"

namespace fabrique::budgets {
namespace {

using accounts::Role;
using test::Client;
using test::Fields;
using test::WebPlatform;

using fabrique::test::contains;

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", 20);
const std::string kBoundary = "----fabrique-proposal-boundary";

struct Upload {
  std::string filename;
  std::string content_type;
  std::string content;
};

// A multipart/form-data body as a browser sends the proposal form.
std::string multipart(const Client& client, const Fields& fields,
                      const std::optional<Upload>& image) {
  std::string body;
  const auto part = [&](const std::string& name, const std::string& value) {
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  };
  part("csrf", client.csrf);
  for (const auto& [name, value] : fields) part(name, value);
  if (image)
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" +
            image->filename + "\"\r\nContent-Type: " + image->content_type + "\r\n\r\n" +
            image->content + "\r\n";
  body += "--" + kBoundary + "--\r\n";
  return body;
}

Schedule schedule_in(Phase phase) {
  const auto at = [](int year) { return std::to_string(year) + "-01-01T00:00:00Z"; };
  const int n = static_cast<int>(phase);
  const auto boundary = [&](int k) { return n >= k ? at(2000 + k) : at(2990 + k); };
  return {boundary(1), boundary(2), boundary(3), boundary(4), boundary(5)};
}

class ProposalPages : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Connection& db = web_.db();
    centre_ = residency::insert_district(db, {"centre", "Centre-ville", "Town centre"});
    nord_ = residency::insert_district(db, {"nord", "Nord", "North"});
    alice_ = verified("alice@example.org", "Alice", centre_, Lang::Fr);
    bob_ = verified("bob@example.org", "Bob", centre_, Lang::En);
    reviewer_ = web_.add_account("rita@example.org", Role::Reviewer, "Rita");
    admin_ = web_.add_account("ada@example.org", Role::Administrator, "Ada");
    Process p;
    p.slug = "bp-2026";
    p.title_fr = "Budget participatif 2026";
    p.title_en = "Participatory budget 2026";
    p.description_fr = p.description_en = "…";
    p.total_amount = 150'000;
    p.schedule = schedule_in(Phase::Proposals);
    p.units = {{0, centre_, "", "", "", 50'000},
               {0, nord_, "", "", "", 30'000},
               {0, std::nullopt, "", "", "", 70'000}};
    insert_process(db, p);
    process_ = *find_process(db, "bp-2026");
  }

  std::int64_t verified(const std::string& email, const std::string& name, std::int64_t district,
                        Lang lang) {
    const auto id = web_.add_account(email, Role::Resident, name, lang);
    web_.db().execute(
        "UPDATE accounts SET district_id = $2, verified_at = '2026-01-01T00:00:00Z', "
        "verification_method = 'online' WHERE id = $1",
        {id, district});
    return id;
  }

  void move_to(Phase phase) {
    process_.schedule = schedule_in(phase);
    update_process(web_.db(), process_);
  }

  Fields good_fields(const std::string& title = "Des bancs au parc") const {
    return {{"unit", "centre"},
            {"title", title},
            {"description", "Installer dix bancs à l'ombre dans le parc.\nPrès de l'aire de jeux."},
            {"estimated_cost", "12 500"},
            {"location", "Parc Monceau"}};
  }

  http::Response propose(const Client& client, const Fields& fields,
                         const std::optional<Upload>& image = std::nullopt) {
    return web_.send("POST", "/budgets/bp-2026/propose", client, multipart(client, fields, image),
                     {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
  }

  // Submits as Alice; the new project's id.
  std::int64_t alice_proposes(const std::string& title = "Des bancs au parc") {
    const auto response = propose(web_.signed_in(alice_), good_fields(title));
    EXPECT_EQ(response.status, 303) << response.body;
    const std::string location = test::header_of(response, "Location");
    const std::string prefix = "/budgets/bp-2026/projects/";
    EXPECT_TRUE(location.starts_with(prefix)) << location;
    return std::stoll(location.substr(prefix.size()));
  }

  std::string project_url(std::int64_t id) const {
    return "/budgets/bp-2026/projects/" + std::to_string(id);
  }
  std::string admin_url(std::int64_t id) const {
    return "/admin/budgets/bp-2026/projects/" + std::to_string(id);
  }

  std::int64_t count(const std::string& sql) {
    return store::integer(web_.db().query(sql).at(0).at(0));
  }

  WebPlatform web_;
  std::int64_t centre_ = 0, nord_ = 0, alice_ = 0, bob_ = 0, reviewer_ = 0, admin_ = 0;
  Process process_;
};

TEST_F(ProposalPages, AnUnverifiedResidentIsSentToVerifyFirst) {
  const auto unverified = web_.add_account("u@example.org", Role::Resident, "U");
  const Client client = web_.signed_in(unverified);
  const auto page = web_.get("/budgets/bp-2026/propose", client);
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "href=\"/account/residency\""));
  EXPECT_TRUE(contains(page.body, "vérifiez d'abord votre résidence"));
  EXPECT_FALSE(contains(page.body, "name=\"title\""));
  const auto refused = propose(client, good_fields());
  EXPECT_EQ(refused.status, 422);
  EXPECT_TRUE(contains(refused.body, "href=\"/account/residency\""));
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_projects"), 0);
}

TEST_F(ProposalPages, AVerifiedResidentProposesWithAnImage) {
  const Client alice = web_.signed_in(alice_);
  const auto form = web_.get("/budgets/bp-2026/propose", alice);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "enctype=\"multipart/form-data\""));
  EXPECT_TRUE(contains(form.body, "<option value=\"centre\""));
  EXPECT_TRUE(contains(form.body, "<option value=\"city-wide\""));
  EXPECT_FALSE(contains(form.body, "<option value=\"nord\"")) << "not Alice's district";

  const auto response = propose(alice, good_fields(), Upload{"parc.png", "image/png", kPng});
  ASSERT_EQ(response.status, 303) << response.body;
  const std::string location = test::header_of(response, "Location");
  const auto id = std::stoll(location.substr(std::string("/budgets/bp-2026/projects/").size()));
  EXPECT_FALSE(test::set_cookie_for(response, "fabrique_flash").empty());
  const auto audit = web_.db().query(
      "SELECT actor_account_id, subject, detail FROM audit_log WHERE action = "
      "'budget.proposal.submit'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(store::integer(audit[0][0]), alice_);
  EXPECT_EQ(store::text(audit[0][1]), std::to_string(id));

  const auto page = web_.get(location, web_.visitor());
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "<h1>Des bancs au parc</h1>"));
  EXPECT_TRUE(contains(page.body, "<p>Près de l&apos;aire de jeux.</p>"))
      << "each line of the description is a paragraph";
  EXPECT_TRUE(contains(page.body, "Parc Monceau"));
  EXPECT_TRUE(contains(page.body, "Alice"));
  EXPECT_TRUE(contains(page.body, "12\u202f500\u00a0€"));
  EXPECT_TRUE(contains(page.body, "En attente d&apos;analyse"));
  EXPECT_TRUE(contains(page.body, "Connectez-vous pour suivre ce projet"));
  const auto project = find_project(web_.db(), process_.id, id);
  ASSERT_TRUE(project && project->image_id);
  const std::string image_url = "/budgets/images/" + std::to_string(*project->image_id);
  EXPECT_TRUE(contains(page.body, "src=\"" + image_url + "\""));

  const auto edit = web_.get(location + "/edit", alice);
  EXPECT_EQ(edit.status, 200);
  EXPECT_TRUE(contains(edit.body, "src=\"" + image_url + "\""));
  EXPECT_TRUE(contains(edit.body, "name=\"remove_image\""));

  const auto image = web_.get(image_url, web_.visitor());
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.content_type, "image/png");
  EXPECT_EQ(image.body, kPng);
  EXPECT_EQ(test::header_of(image, "Cache-Control"), "public, max-age=86400");
  EXPECT_EQ(web_.get("/budgets/images/999", web_.visitor()).status, 404);
  EXPECT_EQ(web_.get("/budgets/images/abc", web_.visitor()).status, 404);

  // Public data as JSON: the author's name, never their address.
  const auto json = web_.get(location, web_.visitor(), {{"Accept", "application/json"}});
  EXPECT_EQ(json.status, 200);
  EXPECT_TRUE(contains(json.body, "\"title\":\"Des bancs au parc\""));
  EXPECT_FALSE(contains(json.body, "alice@example.org"));
}

TEST_F(ProposalPages, AnOrganisationChoosesAmongEveryBudget) {
  const auto org = web_.add_account("asso@example.org", Role::Organisation, "Asso", Lang::En);
  const auto form = web_.get("/budgets/bp-2026/propose", web_.signed_in(org));
  EXPECT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "<option value=\"\">Choose</option>"));
  EXPECT_TRUE(contains(form.body, "<option value=\"nord\">North (€30,000)</option>"));
  Fields fields = good_fields();
  fields[0].second = "nord";
  EXPECT_EQ(propose(web_.signed_in(org), fields).status, 303);
}

TEST_F(ProposalPages, ATextFileNamedPngIsRefused) {
  const auto response = propose(web_.signed_in(alice_), good_fields(),
                                Upload{"photo.png", "image/png", "I am only text.\n"});
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(contains(response.body, "une image PNG, JPEG ou WebP seulement"));
  EXPECT_TRUE(contains(response.body, "id=\"image-error\""));
  EXPECT_TRUE(contains(response.body, "value=\"Des bancs au parc\"")) << "the form is kept";
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_projects"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_images"), 0);
}

TEST_F(ProposalPages, FormErrorsAreListedInTheViewersLanguage) {
  Fields fields = good_fields("Parc");
  fields[3].second = "60000";  // over the centre's 50 000
  const auto response = propose(web_.signed_in(bob_), fields);
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(contains(response.body, "Title: 5 to 120 characters (it has 4)."));
  EXPECT_TRUE(contains(response.body, "Estimated cost: at most the budget of Town centre"));
  EXPECT_TRUE(contains(response.body, "aria-invalid=\"true\""));
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_projects"), 0);
}

TEST_F(ProposalPages, TitleAndDescriptionAreEscaped) {
  Fields fields = good_fields("<script>alert(1)</script> Parc");
  fields[2].second = "<img src=x onerror=alert(2)> une description assez longue";
  const auto response = propose(web_.signed_in(alice_), fields);
  ASSERT_EQ(response.status, 303);
  const auto page = web_.get(test::header_of(response, "Location"), web_.visitor());
  ASSERT_EQ(page.status, 200);
  EXPECT_FALSE(contains(page.body, "<script>alert(1)"));
  EXPECT_FALSE(contains(page.body, "<img src=x"));
  EXPECT_TRUE(contains(page.body, "&lt;script&gt;alert(1)&lt;/script&gt; Parc"));
  EXPECT_TRUE(contains(page.body, "&lt;img src=x onerror=alert(2)&gt;"));
}

TEST_F(ProposalPages, ProposalsOnlyDuringTheProposalsPhase) {
  move_to(Phase::Upcoming);
  auto page = web_.get("/budgets/bp-2026/propose", web_.signed_in(alice_));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(contains(page.body, "Les propositions seront reçues du " +
                                      display_start(process_.schedule.proposals_open, Lang::Fr) +
                                      " au "));
  move_to(Phase::Review);
  page = web_.get("/budgets/bp-2026/propose", web_.signed_in(alice_));
  EXPECT_TRUE(contains(page.body, "elles sont closes"));
  EXPECT_FALSE(contains(page.body, "name=\"title\""));
  EXPECT_EQ(propose(web_.signed_in(alice_), good_fields()).status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM budget_projects"), 0);
  EXPECT_EQ(web_.get("/budgets/nope/propose", web_.signed_in(alice_)).status, 404);
}

TEST_F(ProposalPages, OnlyTheAuthorEditsAndOnlyBeforeTheReview) {
  const std::int64_t id = alice_proposes();
  const Client alice = web_.signed_in(alice_);
  const Client bob = web_.signed_in(bob_);
  EXPECT_TRUE(
      contains(web_.get(project_url(id), alice).body, "href=\"" + project_url(id) + "/edit\""));
  EXPECT_FALSE(contains(web_.get(project_url(id), bob).body, project_url(id) + "/edit"));

  const auto others = web_.get(project_url(id) + "/edit", bob);
  EXPECT_EQ(others.status, 403);
  EXPECT_TRUE(contains(others.body, "Only the author of a project may edit it."));
  Fields changed = good_fields("Des bancs et des arbres");
  EXPECT_EQ(web_.send("POST", project_url(id) + "/edit", bob, multipart(bob, changed, std::nullopt),
                      {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}})
                .status,
            403);

  const auto form = web_.get(project_url(id) + "/edit", alice);
  EXPECT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "value=\"Des bancs au parc\""));
  const auto saved =
      web_.send("POST", project_url(id) + "/edit", alice, multipart(alice, changed, std::nullopt),
                {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
  EXPECT_EQ(saved.status, 303);
  EXPECT_EQ(find_project(web_.db(), process_.id, id)->title, "Des bancs et des arbres");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.proposal.edit'"), 1);

  ASSERT_EQ(
      web_.post(admin_url(id) + "/review", web_.signed_in(reviewer_), {{"decision", "feasible"}})
          .status,
      303);
  const auto reviewed = web_.get(project_url(id) + "/edit", alice);
  EXPECT_EQ(reviewed.status, 409);
  EXPECT_TRUE(contains(reviewed.body, "ne peut plus être modifié"));

  move_to(Phase::Review);
  EXPECT_EQ(web_.get(project_url(id) + "/edit", alice).status, 409);
  EXPECT_EQ(web_.get(project_url(999) + "/edit", alice).status, 404);
}

TEST_F(ProposalPages, FollowAndUnfollow) {
  const std::int64_t id = alice_proposes();
  const Client bob = web_.signed_in(bob_);
  EXPECT_TRUE(contains(web_.get(project_url(id), bob).body, "name=\"follow\" value=\"1\""));
  auto response = web_.post(project_url(id) + "/follow", bob, {{"follow", "1"}});
  EXPECT_EQ(response.status, 303);
  EXPECT_EQ(test::header_of(response, "Location"), project_url(id));
  EXPECT_TRUE(is_following(web_.db(), id, bob_));
  const auto page = web_.get(project_url(id), bob);
  EXPECT_TRUE(contains(page.body, "name=\"follow\" value=\"0\""));
  EXPECT_TRUE(contains(page.body, "Unfollow"));
  EXPECT_TRUE(contains(page.body, "2\u00a0people follow this project"));
  response = web_.post(project_url(id) + "/follow", bob, {{"follow", "0"}});
  EXPECT_EQ(response.status, 303);
  EXPECT_FALSE(is_following(web_.db(), id, bob_));
  // One follower left: the singular.
  EXPECT_TRUE(contains(web_.get(project_url(id), bob).body, "1\u00a0person follows this project"));
  EXPECT_EQ(web_.post(project_url(999) + "/follow", bob, {{"follow", "1"}}).status, 404);
}

TEST_F(ProposalPages, AReviewerDecidesAndTheAuthorIsMailed) {
  const std::int64_t garden = alice_proposes("Un jardin partagé");
  const std::int64_t duplicate = [&] {
    const auto response = propose(web_.signed_in(bob_), good_fields("A shared garden"));
    EXPECT_EQ(response.status, 303);
    const std::string location = test::header_of(response, "Location");
    return std::stoll(location.substr(location.rfind('/') + 1));
  }();
  move_to(Phase::Review);
  const Client rita = web_.signed_in(reviewer_);

  auto list = web_.get("/admin/budgets/bp-2026/review", rita);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(contains(list.body, "Un jardin partagé"));
  EXPECT_TRUE(contains(list.body, admin_url(garden) + "/review"));
  list = web_.get("/admin/budgets/bp-2026/review?status=feasible", rita);
  EXPECT_FALSE(contains(list.body, "Un jardin partagé"));
  list = web_.get("/admin/budgets/bp-2026/review?district=nord", rita);
  EXPECT_FALSE(contains(list.body, "Un jardin partagé"));

  const auto form = web_.get(admin_url(garden) + "/review", rita);
  ASSERT_EQ(form.status, 200);
  EXPECT_TRUE(contains(form.body, "<option value=\"" + std::to_string(duplicate) + "\""));

  auto response = web_.post(admin_url(garden) + "/review", rita, {{"decision", "infeasible"}});
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(
      contains(response.body, "Explication publique\u202f: écrivez de 10 à 2000 caractères."));
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox"), 0);

  response = web_.post(
      admin_url(garden) + "/review", rita,
      {{"decision", "infeasible"}, {"note", "Le terrain appartient à la région, pas à la ville."}});
  EXPECT_EQ(response.status, 303);
  auto mail = web_.db().query("SELECT recipient, subject FROM outbox");
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(store::text(mail[0][0]), "alice@example.org");
  EXPECT_EQ(store::text(mail[0][1]),
            "Votre projet «\u202fUn jardin partagé\u202f»\u202f: analyse de faisabilité");
  auto audit =
      web_.db().query("SELECT subject, detail FROM audit_log WHERE action = 'budget.review'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(store::text(audit[0][0]), std::to_string(garden));
  EXPECT_TRUE(contains(store::text(audit[0][1]), "decision=infeasible"));
  auto page = web_.get(project_url(garden), web_.visitor());
  EXPECT_TRUE(contains(page.body, "Non réalisable"));
  EXPECT_TRUE(contains(page.body, "Le terrain appartient à la région, pas à la ville."));

  // Infeasible projects are no merge target: make it feasible, then merge.
  ASSERT_EQ(web_.post(admin_url(garden) + "/review", rita,
                      {{"decision", "feasible"}, {"final_cost", "14000"}})
                .status,
            303);
  response = web_.post(admin_url(duplicate) + "/review", rita,
                       {{"decision", "merge"},
                        {"merge_into", std::to_string(garden)},
                        {"note", "The same garden as another proposal."}});
  EXPECT_EQ(response.status, 303);
  mail = web_.db().query("SELECT recipient, subject FROM outbox ORDER BY id");
  ASSERT_EQ(mail.size(), 3u);
  EXPECT_EQ(store::text(mail[2][0]), "bob@example.org");
  EXPECT_EQ(store::text(mail[2][1]), "Your project “A shared garden”: feasibility review");
  page = web_.get(project_url(duplicate), web_.visitor());
  EXPECT_TRUE(contains(page.body, "href=\"" + project_url(garden) + "\">Un jardin partagé</a>"));
  page = web_.get(project_url(garden), web_.visitor());
  EXPECT_TRUE(contains(page.body, "14\u202f000\u00a0€"));
  EXPECT_TRUE(contains(page.body, "href=\"" + project_url(duplicate) + "\">A shared garden</a>"));

  move_to(Phase::Vote);
  EXPECT_TRUE(contains(web_.get(admin_url(garden) + "/review", rita).body,
                       "l'analyse ne peut pas être écrite ni changée"));
  response = web_.post(admin_url(garden) + "/review", rita,
                       {{"decision", "infeasible"}, {"note", "Trop tard pour changer d'avis."}});
  EXPECT_EQ(response.status, 409);
  EXPECT_TRUE(contains(response.body, "les bulletins en dépendent"));
  EXPECT_EQ(find_project(web_.db(), process_.id, garden)->status, ReviewStatus::Feasible);
}

TEST_F(ProposalPages, FundedProjectsAreTrackedWithDatedUpdates) {
  const std::int64_t id = alice_proposes();
  ASSERT_EQ(web_.post(project_url(id) + "/follow", web_.signed_in(bob_), {{"follow", "1"}}).status,
            303);
  move_to(Phase::Implementation);
  const Client ada = web_.signed_in(admin_);

  const auto unfunded = web_.get(admin_url(id) + "/tracking", ada);
  EXPECT_EQ(unfunded.status, 409);
  EXPECT_TRUE(contains(unfunded.body, "Seuls les projets financés"));
  EXPECT_EQ(web_.post(admin_url(id) + "/tracking", ada,
                      {{"form", "status"}, {"status", "in-progress"}, {"progress", "10"}})
                .status,
            409);

  web_.db().execute("UPDATE budget_projects SET implementation = 'planned' WHERE id = $1", {id});
  ASSERT_EQ(web_.get(admin_url(id) + "/tracking", ada).status, 200);
  auto response = web_.post(admin_url(id) + "/tracking", ada,
                            {{"form", "status"}, {"status", "in-progress"}, {"progress", "140"}});
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(contains(response.body, "Avancement\u202f: un pourcentage entier de 0 à 100."));
  response = web_.post(
      admin_url(id) + "/tracking", ada,
      {{"form", "status"}, {"status", "in-progress"}, {"progress", "40"}, {"spent", "5 000"}});
  EXPECT_EQ(response.status, 303);

  response = web_.post(admin_url(id) + "/tracking", ada,
                       {{"form", "update"}, {"body_fr", "Les bancs sont commandés."}});
  EXPECT_EQ(response.status, 422);
  EXPECT_TRUE(contains(response.body, "Nouvelle en anglais"));
  response = web_.post(admin_url(id) + "/tracking", ada,
                       {{"form", "update"},
                        {"posted_on", "2026-03-02"},
                        {"body_fr", "Les bancs sont commandés."},
                        {"body_en", "The benches are ordered."}});
  EXPECT_EQ(response.status, 303);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE recipient = 'bob@example.org' AND subject = "
                  "'News of the project “Des bancs au parc”'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'budget.tracking'"), 2);

  auto page = web_.get(project_url(id), web_.signed_in(alice_));
  EXPECT_TRUE(contains(page.body, "<progress max=\"100\" value=\"40\""));
  EXPECT_TRUE(contains(page.body, "En cours"));
  EXPECT_TRUE(contains(page.body, "5\u202f000\u00a0€"));
  EXPECT_TRUE(contains(page.body, "<time datetime=\"2026-03-02\">"));
  EXPECT_TRUE(contains(page.body, "Les bancs sont commandés."));
  page = web_.get(project_url(id), web_.signed_in(bob_));
  EXPECT_TRUE(contains(page.body, "The benches are ordered."));
  EXPECT_FALSE(contains(page.body, "Les bancs sont commandés."));
  EXPECT_FALSE(contains(page.body, admin_url(id) + "/tracking"));
  EXPECT_TRUE(contains(web_.get(project_url(id), ada).body, admin_url(id) + "/tracking"));
}

}  // namespace
}  // namespace fabrique::budgets
