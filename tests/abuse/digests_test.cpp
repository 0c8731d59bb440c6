// Issue 10, item 10: a published result anyone can point to. Each district's
// published .pb shows its SHA-256 on the results page, in the results API and
// in the JSON export (web and command line), and the digests are in the
// audit log from the publication on: two recounters can tell they hold the
// same file, and anyone can notice a file changed after publication. The
// digest is that of the very bytes the download serves. On both backends.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "core/crypto.hpp"
#include "support/budget_vote.hpp"
#include "support/cli_run.hpp"
#include "support/results_scenario.hpp"

namespace fabrique {
namespace {

namespace json = boost::json;
using test::contains;

class AbuseDigests : public test::WebOnBackend {
 protected:
  void SetUp() override {
    WebOnBackend::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    scenario = test::closed_vote(db(), "quartiers");
    admin = web().signed_in(web().add_account("admin@example.org", accounts::Role::Administrator));
    ASSERT_EQ(web().get("/admin/budgets/quartiers/results", admin).status, 200);  // counts
  }
  void publish() {
    ASSERT_EQ(
        web().post("/admin/budgets/quartiers/results/publish", admin, {{"confirm", "yes"}}).status,
        303);
  }
  test::ResultsScenario scenario;
  test::Client admin;
};

TEST(AbuseSha256, IsTheStandardDigest) {
  // FIPS 180-2's examples, as `sha256sum` prints them.
  EXPECT_EQ(crypto::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(crypto::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_P(AbuseDigests, EachPublishedFileShowsTheDigestOfTheBytesDownloaded) {
  publish();
  const std::string page = web().get("/budgets/quartiers/results", web().visitor()).body;
  const json::object api =
      json::parse(web().get("/api/budgets/quartiers/results").body).as_object();
  const auto& districts = api.at("districts").as_array();
  ASSERT_EQ(districts.size(), 2u);
  const std::string audit = store::text(
      db().query("SELECT detail FROM audit_log WHERE action = 'budget.publish'").at(0).at(0));

  std::set<std::string> digests;
  for (const auto& district : districts) {
    const std::string slug(district.at("district").as_string());
    SCOPED_TRACE(slug);
    const http::Response pb =
        web().get("/budgets/quartiers/export?district=" + slug + "&format=pb");
    ASSERT_EQ(pb.status, 200);
    const std::string digest = crypto::sha256_hex(pb.body);
    digests.insert(digest);

    // The results page, the API, the JSON exports (web and command line).
    EXPECT_TRUE(contains(page, "<code class=\"digest\">" + digest + "</code>")) << page;
    EXPECT_EQ(district.at("pabulib_sha256").as_string(), digest);
    const http::Response exported =
        web().get("/budgets/quartiers/export?district=" + slug + "&format=json");
    EXPECT_EQ(json::parse(exported.body).at("pabulib_sha256").as_string(), digest);
    const test::CliRun cli =
        test::run_fabrique({"budgets", "export", "--database", database_->url(), "--process",
                            "quartiers", "--district", slug, "--format", "json"});
    ASSERT_EQ(cli.status, 0) << cli.err;
    EXPECT_EQ(json::parse(cli.out).at("pabulib_sha256").as_string(), digest);
    const test::CliRun cli_pb =
        test::run_fabrique({"budgets", "export", "--database", database_->url(), "--process",
                            "quartiers", "--district", slug, "--format", "pb"});
    EXPECT_EQ(crypto::sha256_hex(cli_pb.out), digest);

    // The audit entry of the publication holds it, with the file's name.
    EXPECT_TRUE(contains(audit, "quartiers-" + slug + ".pb sha256=" + digest)) << audit;
  }
  EXPECT_EQ(digests.size(), 2u);
  // The page tells a recounter how to check the file.
  EXPECT_TRUE(contains(page, "sha256sum FICHIER.pb"));

  // A stored file changed after publication no longer matches the audit log:
  // the page shows the digest of what is served now.
  db().execute("UPDATE budget_results SET pabulib = pabulib || ' ' WHERE unit_id = $1",
               {scenario.process.units.at(0).id});
  const std::string served = web().get("/budgets/quartiers/export?district=centre&format=pb").body;
  const std::string after = web().get("/budgets/quartiers/results", web().visitor()).body;
  EXPECT_TRUE(contains(after, crypto::sha256_hex(served)));
  EXPECT_FALSE(contains(audit, crypto::sha256_hex(served)));
}

FABRIQUE_INSTANTIATE_ON_BACKENDS(AbuseDigests);

}  // namespace
}  // namespace fabrique
