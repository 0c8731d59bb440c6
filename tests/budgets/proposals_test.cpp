// Proposals, review and tracking: the pure rules (each form's messages, who
// may propose where, image sniffing), then the actions on every storage
// backend (phases, authors, the review's mail, follows, funded projects).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "accounts/repository.hpp"
#include "budgets/proposal_actions.hpp"
#include "budgets/proposal_repository.hpp"
#include "budgets/repository.hpp"
#include "residency/repository.hpp"
#include "store/values.hpp"
#include "support/databases.hpp"

namespace fabrique::budgets {
namespace {

using accounts::Account;
using accounts::Role;

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
const std::string kJpeg("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11);
const std::string kWebp("RIFF\x24\0\0\0WEBPVP8 ", 16);

// Dates putting a process in `phase` now: the past for what has begun,
// the far future for what has not.
Schedule schedule_in(Phase phase) {
  const auto at = [](int year) { return std::to_string(year) + "-01-01T00:00:00Z"; };
  const int n = static_cast<int>(phase);  // Upcoming 0 ... Implementation 5
  // Boundaries 1..5 (proposals, review, vote, close, implementation) are past
  // when the phase is at or after them.
  const auto boundary = [&](int k) { return n >= k ? at(2000 + k) : at(2990 + k); };
  return {boundary(1), boundary(2), boundary(3), boundary(4), boundary(5)};
}

bool has(const FieldErrors& errors, const std::string& field, const std::string& english_part) {
  const auto found = errors.find(field);
  return found != errors.end() && found->second.en.find(english_part) != std::string::npos &&
         !found->second.fr.empty();
}

// ---- Pure rules

class ProposalRules : public ::testing::Test {
 protected:
  ProposalRules() {
    process_.id = 7;
    process_.slug = "bp-2026";
    process_.units = {{1, 10, "centre", "Centre", "Centre", 50'000},
                      {2, 11, "nord", "Nord", "North", 30'000},
                      {3, std::nullopt, "city-wide", "Toute la ville", "City-wide", 100'000}};
  }
  std::vector<const Unit*> all() const {
    return {&process_.units[0], &process_.units[1], &process_.units[2]};
  }
  ProposalForm good() const {
    return {"centre", "  Des bancs au parc  ", "Installer dix bancs à l'ombre dans le parc.",
            "12 500 €", " Parc Monceau "};
  }
  Process process_;
};

TEST_F(ProposalRules, AcceptsAGoodFormTrimmed) {
  const auto v = validate_proposal(process_, good(), all());
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.project.unit_id, 1);
  EXPECT_EQ(v.project.title, "Des bancs au parc");
  EXPECT_EQ(v.project.estimated_cost, 12'500);
  EXPECT_EQ(v.project.location, "Parc Monceau");
  EXPECT_EQ(v.project.process_id, 7);
}

TEST_F(ProposalRules, EachFieldHasItsMessage) {
  ProposalForm form = good();
  form.unit = "nowhere";
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "unit", "choose the district"));
  form.unit = "nord";
  EXPECT_TRUE(has(validate_proposal(process_, form, {&process_.units[0]}).errors, "unit",
                  "your own district or the whole city"));

  form = good();
  form.title = "   ";
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "title", "write 5 to 120"));
  form.title = "Parc";
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "title", "(it has 4)"));
  form.title = std::string(121, 'a');
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "title", "(it has 121)"));
  // 120 accented letters are 240 bytes but 120 characters.
  std::string accented;
  for (int i = 0; i < 120; ++i) accented += "é";
  form.title = accented;
  EXPECT_TRUE(validate_proposal(process_, form, all()).errors.empty());
  form.title = "Deux\nlignes";
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "title", "control characters"));

  form = good();
  form.description = "Trop court";
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "description",
                  "20 to 5000 characters (it has 10)"));
  form.description = std::string(5001, 'x');
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "description", "(it has 5001)"));
  form.description = "Une ligne,\nune autre ligne, et encore une.";
  EXPECT_TRUE(validate_proposal(process_, form, all()).errors.empty());

  form = good();
  for (const char* bad : {"", "0", "douze", "-5", "12.5e3x", "12,5", "12,500"}) {
    form.estimated_cost = bad;
    EXPECT_TRUE(
        has(validate_proposal(process_, form, all()).errors, "estimated_cost", "Estimated cost: "))
        << bad;
  }
  // "12,5" was once read as 125 euros: now it is asked again.
  form.estimated_cost = "12,5";
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "estimated_cost",
                  "Amounts are in whole euros: write 12 or 13."));
  form.estimated_cost = "50001";
  const auto over = validate_proposal(process_, form, all()).errors;
  EXPECT_TRUE(has(over, "estimated_cost", "at most the budget of Centre (€50,000)"));
  EXPECT_NE(over.at("estimated_cost").fr.find("50\u202f000\u00a0€"), std::string::npos);
  form.estimated_cost = "50000";
  EXPECT_TRUE(validate_proposal(process_, form, all()).errors.empty());

  form = good();
  form.location = std::string(201, 'l');
  EXPECT_TRUE(has(validate_proposal(process_, form, all()).errors, "location",
                  "at most 200 characters (it has 201)"));
  form.location = "";
  EXPECT_TRUE(validate_proposal(process_, form, all()).errors.empty());
}

TEST_F(ProposalRules, WhoMayProposeWhere) {
  Account resident;
  resident.role = Role::Resident;
  EXPECT_TRUE(proposal_units(process_, resident).empty()) << "not verified";
  resident.verified_at = "2026-01-01T00:00:00Z";
  resident.district_id = 11;
  const auto units = proposal_units(process_, resident);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0]->slug, "nord");
  EXPECT_EQ(units[1]->slug, "city-wide");
  resident.district_id = 99;  // a district outside the process
  ASSERT_EQ(proposal_units(process_, resident).size(), 1u);
  EXPECT_EQ(proposal_units(process_, resident)[0]->slug, "city-wide");

  Account organisation;
  organisation.role = Role::Organisation;
  EXPECT_EQ(proposal_units(process_, organisation).size(), 3u);
  EXPECT_FALSE(needs_verification(organisation));
  EXPECT_TRUE(needs_verification(resident));

  Account reviewer;
  reviewer.role = Role::Reviewer;
  EXPECT_TRUE(proposal_units(process_, reviewer).empty());
}

TEST(ProposalImages, SniffedByContentNotByName) {
  EXPECT_EQ(sniff_image_type(kPng), "image/png");
  EXPECT_EQ(sniff_image_type(kJpeg), "image/jpeg");
  EXPECT_EQ(sniff_image_type(kWebp), "image/webp");
  EXPECT_EQ(sniff_image_type("RIFF\x24\0\0\0WAVEfmt "), std::nullopt);
  EXPECT_EQ(sniff_image_type("just some text, named photo.png"), std::nullopt);
  EXPECT_EQ(sniff_image_type("<svg xmlns='http://www.w3.org/2000/svg'/>"), std::nullopt);
  EXPECT_EQ(sniff_image_type(""), std::nullopt);

  const ImageCheck text = check_image("hello, I am a text file");
  ASSERT_TRUE(text.error);
  EXPECT_NE(text.error->en.find("PNG, JPEG or WebP"), std::string::npos);
  EXPECT_TRUE(check_image(kPng).content_type == "image/png" && !check_image(kPng).error);

  const ImageCheck big = check_image(kPng + std::string(kImageMaxBytes, 'x'));
  ASSERT_TRUE(big.error);
  EXPECT_NE(big.error->en.find("at most 700 KB"), std::string::npos);
  EXPECT_FALSE(check_image(kPng + std::string(kImageMaxBytes - kPng.size(), 'x')).error);
}

TEST(ProposalPhases, EditAndReviewWindows) {
  Project fresh;
  Project reviewed;
  reviewed.status = ReviewStatus::Feasible;
  EXPECT_TRUE(proposals_open(Phase::Proposals));
  EXPECT_FALSE(proposals_open(Phase::Upcoming));
  EXPECT_FALSE(proposals_open(Phase::Review));
  EXPECT_TRUE(editable(Phase::Proposals, fresh));
  EXPECT_FALSE(editable(Phase::Proposals, reviewed));
  EXPECT_FALSE(editable(Phase::Review, fresh));
  EXPECT_TRUE(reviewable(Phase::Proposals));
  EXPECT_TRUE(reviewable(Phase::Review));
  EXPECT_FALSE(reviewable(Phase::Vote));
  EXPECT_FALSE(reviewable(Phase::Results));
  EXPECT_FALSE(reviewable(Phase::Upcoming));
  EXPECT_EQ(phase_at(schedule_in(Phase::Review), "2026-06-01T00:00:00Z"), Phase::Review);
  EXPECT_EQ(phase_at(schedule_in(Phase::Implementation), "2026-06-01T00:00:00Z"),
            Phase::Implementation);
}

class ReviewRules : public ProposalRules {
 protected:
  ReviewRules() {
    project_.id = 1;
    project_.process_id = 7;
    project_.unit_id = 1;
    project_.estimated_cost = 20'000;
    Project same, other_unit, merged;
    same.id = 2;
    same.process_id = 7;
    same.unit_id = 1;
    other_unit.id = 3;
    other_unit.process_id = 7;
    other_unit.unit_id = 2;
    merged.id = 4;
    merged.process_id = 7;
    merged.unit_id = 1;
    merged.status = ReviewStatus::Merged;
    projects_ = {project_, same, other_unit, merged};
  }
  std::vector<Project> targets() const { return merge_targets(project_, projects_); }
  Project project_;
  std::vector<Project> projects_;
};

TEST_F(ReviewRules, MergeTargetsAreTheOthersOfTheUnitNotMerged) {
  const auto t = targets();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].id, 2);
}

TEST_F(ReviewRules, FeasibleKeepsTheEstimateUnlessACostIsGiven) {
  auto v = validate_review(process_, project_, targets(), {"feasible", "", "", ""});
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.decision.status, ReviewStatus::Feasible);
  EXPECT_EQ(v.decision.final_cost, 20'000);
  v = validate_review(process_, project_, targets(), {"feasible", "24 000", "Chiffré.", ""});
  EXPECT_EQ(v.decision.final_cost, 24'000);
  EXPECT_EQ(v.decision.note, "Chiffré.");
  EXPECT_TRUE(
      has(validate_review(process_, project_, targets(), {"feasible", "60000", "", ""}).errors,
          "final_cost", "at most the budget of Centre"));
  EXPECT_TRUE(
      has(validate_review(process_, project_, targets(), {"feasible", "beaucoup", "", ""}).errors,
          "final_cost", "or empty to keep the estimate"));
}

TEST_F(ReviewRules, InfeasibleAndMergeNeedAPublicExplanation) {
  EXPECT_TRUE(has(validate_review(process_, project_, targets(), {"infeasible", "", "", ""}).errors,
                  "note", "write 10 to 2000"));
  EXPECT_TRUE(
      has(validate_review(process_, project_, targets(), {"infeasible", "", "Non.", ""}).errors,
          "note", "(it has 4)"));
  EXPECT_TRUE(has(
      validate_review(process_, project_, targets(), {"infeasible", "", std::string(2001, 'n'), ""})
          .errors,
      "note", "(it has 2001)"));
  const auto ok =
      validate_review(process_, project_, targets(),
                      {"infeasible", "", "Le terrain n'appartient pas à la ville.", ""});
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.decision.status, ReviewStatus::Infeasible);
  EXPECT_FALSE(ok.decision.final_cost);

  const std::string note = "Même demande que le projet 2.";
  EXPECT_TRUE(has(validate_review(process_, project_, targets(), {"merge", "", note, ""}).errors,
                  "merge_into", "choose the project of the same district"));
  for (const char* wrong : {"1", "3", "4", "99", "x"})  // itself, other unit, merged, unknown
    EXPECT_TRUE(
        has(validate_review(process_, project_, targets(), {"merge", "", note, wrong}).errors,
            "merge_into", "same district"))
        << wrong;
  const auto merged = validate_review(process_, project_, targets(), {"merge", "", note, "2"});
  EXPECT_TRUE(merged.errors.empty());
  EXPECT_EQ(merged.decision.status, ReviewStatus::Merged);
  EXPECT_EQ(merged.decision.merged_into, 2);
  EXPECT_TRUE(has(validate_review(process_, project_, targets(), {"merge", "", "", "2"}).errors,
                  "note", "Public explanation"));

  EXPECT_TRUE(has(validate_review(process_, project_, targets(), {"maybe", "", "", ""}).errors,
                  "decision", "choose feasible, not feasible, or merge"));
}

TEST(TrackingRules, StatusProgressSpent) {
  auto v = validate_tracking({"in-progress", "40", ""});
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.status, ImplementationStatus::InProgress);
  EXPECT_EQ(v.progress, 40);
  EXPECT_FALSE(v.spent);
  v = validate_tracking({"done", "100 %", "0"});
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.spent, 0);
  EXPECT_TRUE(has(validate_tracking({"finished", "10", ""}).errors, "status", "choose planned"));
  for (const char* bad : {"", "101", "-1", "4.5", "half"})
    EXPECT_TRUE(has(validate_tracking({"planned", bad, ""}).errors, "progress", "0 to 100")) << bad;
  EXPECT_TRUE(
      has(validate_tracking({"done", "90", ""}).errors, "progress", "a done project is at 100"));
  EXPECT_TRUE(
      has(validate_tracking({"planned", "0", "trop"}).errors, "spent", "a whole amount in euros"));
}

TEST(TrackingRules, UpdatesNeedBothLanguagesAndAPastDate) {
  auto v = validate_update({"", " Travaux lancés. ", " Work started. "}, "2026-05-10");
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.update.posted_on, "2026-05-10");
  EXPECT_EQ(v.update.body_fr, "Travaux lancés.");
  v = validate_update({"2026-05-01", "", ""}, "2026-05-10");
  EXPECT_TRUE(has(v.errors, "body_fr", "Update in French"));
  EXPECT_TRUE(has(v.errors, "body_en", "Update in English"));
  EXPECT_TRUE(has(validate_update({"2026-05-11", "a", "b"}, "2026-05-10").errors, "posted_on",
                  "today or earlier"));
  EXPECT_TRUE(has(validate_update({"2026-02-30", "a", "b"}, "2026-05-10").errors, "posted_on",
                  "dd/mm/yyyy, for example 31/03/2027"));
  // The date as people type it.
  v = validate_update({"01/05/2026", "a", "b"}, "2026-05-10");
  EXPECT_TRUE(v.errors.empty());
  EXPECT_EQ(v.update.posted_on, "2026-05-01");
}

// ---- Actions on both backends

class ProposalStore : public test::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    centre_ = residency::insert_district(*db_, {"centre", "Centre-ville", "Town centre"});
    nord_ = residency::insert_district(*db_, {"nord", "Nord", "North"});
    alice_ = person("alice@example.org", Role::Resident, "Alice", centre_, Lang::Fr);
    bob_ = person("bob@example.org", Role::Resident, "Bob", centre_, Lang::En);
    reviewer_ = person("rita@example.org", Role::Reviewer, "Rita", std::nullopt, Lang::Fr);
    admin_ = person("ada@example.org", Role::Administrator, "Ada", std::nullopt, Lang::Fr);
    process_ = make_process(Phase::Proposals);
  }

  Account person(const std::string& email, Role role, const std::string& name,
                 std::optional<std::int64_t> district, Lang lang) {
    const auto id = accounts::insert_account(*db_, email, "not-a-hash", name, role, lang);
    if (district)
      db_->execute(
          "UPDATE accounts SET district_id = $2, verified_at = '2026-01-01T00:00:00Z', "
          "verification_method = 'online' WHERE id = $1",
          {id, *district});
    return *accounts::find_account(*db_, id);
  }

  Process make_process(Phase phase) {
    Process p;
    p.slug = "bp-" + std::to_string(++processes_);
    p.title_fr = "Budget participatif";
    p.title_en = "Participatory budget";
    p.description_fr = p.description_en = "…";
    p.total_amount = 150'000;
    p.schedule = schedule_in(phase);
    p.units = {{0, centre_, "", "", "", 50'000},
               {0, nord_, "", "", "", 30'000},
               {0, std::nullopt, "", "", "", 70'000}};
    insert_process(*db_, p);
    return *find_process(*db_, p.slug);
  }

  void move_to(Phase phase) {
    process_.schedule = schedule_in(phase);
    update_process(*db_, process_);
  }

  static std::string now() { return "2026-06-01T12:00:00Z"; }

  Submission submission(const std::string& unit = "centre",
                        const std::string& title = "Des bancs au parc") const {
    Submission s;
    s.form = {unit, title, "Installer dix bancs à l'ombre dans le parc.", "12500", ""};
    return s;
  }

  std::int64_t submit(const Account& who, const Submission& s) {
    const ActionResult r = submit_proposal(*db_, process_, who, s, now());
    EXPECT_EQ(r.outcome, Outcome::Done);
    return r.project_id;
  }

  std::vector<store::Row> outbox() {
    return db_->query("SELECT recipient, subject, body FROM outbox ORDER BY id");
  }

  std::int64_t centre_ = 0, nord_ = 0;
  Account alice_, bob_, reviewer_, admin_;
  Process process_;
  int processes_ = 0;
};

TEST_P(ProposalStore, SubmitStoresTheProjectItsImageAndTheAuthorsFollow) {
  Submission s = submission();
  s.image = kPng + std::string("\0\x01\x02\xff rest of the picture", 24);
  const std::int64_t id = submit(alice_, s);
  const auto project = find_project(*db_, process_.id, id);
  ASSERT_TRUE(project);
  EXPECT_EQ(project->title, "Des bancs au parc");
  EXPECT_EQ(project->author_id, alice_.id);
  EXPECT_EQ(project->author_name, "Alice");
  EXPECT_EQ(project->status, ReviewStatus::Submitted);
  EXPECT_EQ(project->unit_id, process_.unit_by_slug("centre")->id);
  ASSERT_TRUE(project->image_id);
  const auto image = find_image(*db_, *project->image_id);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->content_type, "image/png");
  EXPECT_EQ(image->bytes, s.image) << "the bytes come back exactly, NULs and all";
  EXPECT_TRUE(is_following(*db_, id, alice_.id));
  EXPECT_EQ(count_followers(*db_, id), 1);
}

TEST_P(ProposalStore, SubmitRefusals) {
  const auto count = [&] { return count_projects(*db_, process_.id); };
  Account unverified = person("u@example.org", Role::Resident, "U", std::nullopt, Lang::Fr);
  EXPECT_EQ(submit_proposal(*db_, process_, unverified, submission(), now()).outcome,
            Outcome::NotVerified);
  EXPECT_EQ(submit_proposal(*db_, process_, reviewer_, submission(), now()).outcome,
            Outcome::NotAllowed);
  // Alice lives in the centre: not the north, but the whole city.
  const auto north = submit_proposal(*db_, process_, alice_, submission("nord"), now());
  EXPECT_EQ(north.outcome, Outcome::InvalidForm);
  EXPECT_TRUE(north.errors.contains("unit"));
  Submission text_as_png = submission();
  text_as_png.image = "Not a picture, only text renamed photo.png\n";
  const auto refused = submit_proposal(*db_, process_, alice_, text_as_png, now());
  EXPECT_EQ(refused.outcome, Outcome::InvalidForm);
  EXPECT_TRUE(has(refused.errors, "image", "PNG, JPEG or WebP"));
  EXPECT_EQ(count(), 0);
  EXPECT_EQ(store::integer(db_->query("SELECT COUNT(*) FROM budget_images").at(0).at(0)), 0);

  submit(alice_, submission("city-wide"));
  EXPECT_EQ(count(), 1);

  for (Phase phase : {Phase::Upcoming, Phase::Review, Phase::Vote, Phase::Implementation}) {
    move_to(phase);
    EXPECT_EQ(submit_proposal(*db_, process_, alice_, submission(), now()).outcome,
              Outcome::NotOpen);
  }
  EXPECT_EQ(count(), 1);
}

TEST_P(ProposalStore, OrganisationsProposeAnywhereWithoutResidency) {
  const Account org =
      person("asso@example.org", Role::Organisation, "Asso", std::nullopt, Lang::Fr);
  EXPECT_GT(submit(org, submission("nord")), 0);
  EXPECT_GT(submit(org, submission("centre")), 0);
}

TEST_P(ProposalStore, OnlyTheAuthorEditsWhileProposalsAreOpenAndUnreviewed) {
  Submission first = submission();
  first.image = kJpeg;
  const std::int64_t id = submit(alice_, first);
  const auto old_image = find_project(*db_, process_.id, id)->image_id;

  Submission changed = submission("city-wide", "Des bancs et des arbres");
  EXPECT_EQ(edit_proposal(*db_, process_, bob_, id, changed, now()).outcome, Outcome::NotAuthor);
  EXPECT_EQ(edit_proposal(*db_, process_, alice_, 9999, changed, now()).outcome, Outcome::NotFound);
  changed.image = kWebp;
  ASSERT_EQ(edit_proposal(*db_, process_, alice_, id, changed, now()).outcome, Outcome::Done);
  auto project = find_project(*db_, process_.id, id);
  EXPECT_EQ(project->title, "Des bancs et des arbres");
  EXPECT_EQ(project->unit_id, process_.city_wide_unit()->id);
  ASSERT_TRUE(project->image_id);
  EXPECT_EQ(find_image(*db_, *project->image_id)->content_type, "image/webp");
  EXPECT_FALSE(find_image(*db_, *old_image)) << "the replaced image is deleted";

  Submission removed = changed;
  removed.image.clear();
  removed.remove_image = true;
  ASSERT_EQ(edit_proposal(*db_, process_, alice_, id, removed, now()).outcome, Outcome::Done);
  EXPECT_FALSE(find_project(*db_, process_.id, id)->image_id);

  Submission bad = changed;
  bad.form.title = "Oui";
  const auto invalid = edit_proposal(*db_, process_, alice_, id, bad, now());
  EXPECT_EQ(invalid.outcome, Outcome::InvalidForm);
  EXPECT_TRUE(invalid.errors.contains("title"));

  ASSERT_EQ(review_project(*db_, process_, reviewer_, id, {"feasible", "", "", ""},
                           "https://example.org", now())
                .outcome,
            Outcome::Done);
  EXPECT_EQ(edit_proposal(*db_, process_, alice_, id, changed, now()).outcome, Outcome::Reviewed);

  const std::int64_t other = submit(alice_, submission());
  move_to(Phase::Review);
  EXPECT_EQ(edit_proposal(*db_, process_, alice_, other, changed, now()).outcome, Outcome::NotOpen);
  EXPECT_EQ(find_project(*db_, process_.id, other)->title, "Des bancs au parc");
}

TEST_P(ProposalStore, ReviewDecisionsAreStoredAndMailedInTheAuthorsLanguage) {
  const std::int64_t alice_project = submit(alice_, submission("centre", "Un jardin partagé"));
  const std::int64_t bob_project = submit(bob_, submission("centre", "A shared garden"));
  move_to(Phase::Review);

  // Infeasible: the explanation is required, and nothing changes without it.
  auto refused = review_project(*db_, process_, reviewer_, alice_project,
                                {"infeasible", "", "", ""}, "https://example.org", now());
  EXPECT_EQ(refused.outcome, Outcome::InvalidForm);
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(review_project(*db_, process_, bob_, alice_project, {"feasible", "", "", ""},
                           "https://example.org", now())
                .outcome,
            Outcome::NotAllowed);

  auto done = review_project(*db_, process_, reviewer_, alice_project,
                             {"infeasible", "", "Le terrain est privé.\nVoir le cadastre.", ""},
                             "https://example.org", now());
  ASSERT_EQ(done.outcome, Outcome::Done);
  EXPECT_EQ(done.mails, 1);
  auto project = find_project(*db_, process_.id, alice_project);
  EXPECT_EQ(project->status, ReviewStatus::Infeasible);
  EXPECT_EQ(project->review_note, "Le terrain est privé.\nVoir le cadastre.");
  EXPECT_EQ(store::integer(
                db_->query("SELECT reviewed_by FROM budget_projects WHERE id = $1", {alice_project})
                    .at(0)
                    .at(0)),
            reviewer_.id);
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(store::text(mails[0][0]), "alice@example.org");
  EXPECT_EQ(store::text(mails[0][1]),
            "Votre projet «\u202fUn jardin partagé\u202f»\u202f: analyse de faisabilité");
  const std::string body = store::text(mails[0][2]);
  EXPECT_NE(body.find("Non réalisable"), std::string::npos);
  EXPECT_NE(body.find("Le terrain est privé."), std::string::npos);
  EXPECT_NE(body.find("https://example.org/budgets/" + process_.slug + "/projects/" +
                      std::to_string(alice_project)),
            std::string::npos);

  // Merge Bob's into Alice's (changing Alice's review back to feasible first).
  ASSERT_EQ(review_project(*db_, process_, reviewer_, alice_project, {"feasible", "14000", "", ""},
                           "https://example.org", now())
                .outcome,
            Outcome::Done);
  EXPECT_EQ(find_project(*db_, process_.id, alice_project)->cost(), 14'000);
  EXPECT_EQ(find_project(*db_, process_.id, alice_project)->review_note, "");
  done = review_project(
      *db_, process_, reviewer_, bob_project,
      {"merge", "", "Same garden as another proposal.", std::to_string(alice_project)},
      "https://example.org", now());
  ASSERT_EQ(done.outcome, Outcome::Done);
  project = find_project(*db_, process_.id, bob_project);
  EXPECT_EQ(project->status, ReviewStatus::Merged);
  EXPECT_EQ(project->merged_into, alice_project);
  const auto here = merged_into(*db_, process_, alice_project);
  ASSERT_EQ(here.size(), 1u);
  EXPECT_EQ(here[0].id, bob_project);
  mails = outbox();
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_EQ(store::text(mails[2][0]), "bob@example.org");
  EXPECT_EQ(store::text(mails[2][1]), "Your project “A shared garden”: feasibility review");
  EXPECT_NE(store::text(mails[2][2]).find("Merged with: “Un jardin partagé”"), std::string::npos);

  // A merge is undone by another decision.
  ASSERT_EQ(review_project(*db_, process_, reviewer_, bob_project, {"feasible", "", "", ""},
                           "https://example.org", now())
                .outcome,
            Outcome::Done);
  EXPECT_FALSE(find_project(*db_, process_.id, bob_project)->merged_into);

  // Once the vote has opened, reviews are final.
  move_to(Phase::Vote);
  EXPECT_EQ(review_project(*db_, process_, reviewer_, bob_project,
                           {"infeasible", "", "Trop tard pour changer.", ""}, "https://example.org",
                           now())
                .outcome,
            Outcome::NotOpen);
  EXPECT_EQ(find_project(*db_, process_.id, bob_project)->status, ReviewStatus::Feasible);
  EXPECT_EQ(outbox().size(), 4u);
}

TEST_P(ProposalStore, FollowAndUnfollowAreIdempotent) {
  const std::int64_t id = submit(alice_, submission());
  set_following(*db_, id, bob_.id, true);
  set_following(*db_, id, bob_.id, true);
  EXPECT_TRUE(is_following(*db_, id, bob_.id));
  EXPECT_EQ(count_followers(*db_, id), 2);
  set_following(*db_, id, bob_.id, false);
  set_following(*db_, id, bob_.id, false);
  EXPECT_FALSE(is_following(*db_, id, bob_.id));
  EXPECT_EQ(count_followers(*db_, id), 1);
}

TEST_P(ProposalStore, OnlyFundedProjectsAreTrackedAndFollowersHearOfUpdates) {
  const std::int64_t id = submit(alice_, submission());
  set_following(*db_, id, bob_.id, true);
  move_to(Phase::Implementation);
  const UpdateForm update{"2026-05-20", "Les bancs sont commandés.", "The benches are ordered."};
  EXPECT_EQ(update_tracking(*db_, process_, admin_, id, {"in-progress", "30", ""}).outcome,
            Outcome::NotFunded);
  EXPECT_EQ(post_update(*db_, process_, admin_, id, update, "https://example.org", now()).outcome,
            Outcome::NotFunded);

  db_->execute("UPDATE budget_projects SET implementation = 'planned' WHERE id = $1", {id});
  EXPECT_EQ(update_tracking(*db_, process_, reviewer_, id, {"in-progress", "30", ""}).outcome,
            Outcome::NotAllowed);
  EXPECT_EQ(update_tracking(*db_, process_, admin_, id, {"done", "30", ""}).outcome,
            Outcome::InvalidForm);
  ASSERT_EQ(update_tracking(*db_, process_, admin_, id, {"in-progress", "30", "4000"}).outcome,
            Outcome::Done);
  auto project = find_project(*db_, process_.id, id);
  EXPECT_EQ(project->implementation, ImplementationStatus::InProgress);
  EXPECT_EQ(project->progress, 30);
  EXPECT_EQ(project->spent, 4000);

  const auto posted = post_update(*db_, process_, admin_, id, update, "https://example.org", now());
  ASSERT_EQ(posted.outcome, Outcome::Done);
  EXPECT_EQ(posted.mails, 2);  // Alice (the author follows) and Bob
  ASSERT_EQ(post_update(*db_, process_, admin_, id, {"", "Posés.", "Installed."},
                        "https://example.org", now())
                .outcome,
            Outcome::Done);
  const auto updates = list_updates(*db_, id);
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0].posted_on, "2026-06-01") << "newest first; empty date is today";
  EXPECT_EQ(updates[1].body(Lang::En), "The benches are ordered.");

  const auto mails = outbox();
  ASSERT_EQ(mails.size(), 4u);
  EXPECT_EQ(store::text(mails[0][0]), "alice@example.org");
  EXPECT_EQ(store::text(mails[0][1]), "Du nouveau sur le projet «\u202fDes bancs au parc\u202f»");
  EXPECT_NE(store::text(mails[0][2]).find("Les bancs sont commandés."), std::string::npos);
  EXPECT_EQ(store::text(mails[1][0]), "bob@example.org");
  EXPECT_EQ(store::text(mails[1][1]), "News of the project “Des bancs au parc”");
  EXPECT_NE(store::text(mails[1][2]).find("The benches are ordered."), std::string::npos);
  EXPECT_EQ(store::text(mails[1][2]).find("commandés"), std::string::npos);
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(ProposalStore);

}  // namespace
}  // namespace fabrique::budgets
