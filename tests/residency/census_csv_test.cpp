// The census file and the identity fields, without storage: the CSV dialect
// (BOM, separators, quotes, line ends), the header, every kind of bad line
// with its exact line number and both languages, duplicates, and the
// normalization shared by the file, the resident's form and the clerk's.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "residency/census.hpp"
#include "residency/rules.hpp"
#include "support/text.hpp"

namespace fabrique::residency {
namespace {

namespace chr = std::chrono;

constexpr chr::year_month_day kToday{chr::year{2026}, chr::month{6}, chr::day{1}};

const DistrictIndex& districts() {
  static const DistrictIndex index{{"centre", 1}, {"port", 2}, {"hauts-de-ville", 3}};
  return index;
}

std::vector<CensusRecord> read_all(std::string_view text) {
  CensusReader reader(text, districts(), kToday);
  EXPECT_FALSE(reader.refusal()) << reader.refusal()->message.en;
  std::vector<CensusRecord> records;
  CensusRecord record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

using fabrique::test::contains;

// The error of `line`, or a failure.
const RowError& error_at(const CensusCheck& check, std::size_t line) {
  for (const RowError& error : check.errors)
    if (error.line == line) return error;
  ADD_FAILURE() << "no error on line " << line;
  static const RowError none;
  return none;
}

TEST(CensusCsv, CommaFileWithBomAndCrlf) {
  const auto records = read_all(
      "\xEF\xBB\xBF"
      "document_number,birth_date,postal_code,district\r\n"
      "ab-123 456,31/12/1990,75 011,Centre\r\n"
      "X9Y8Z7,1985-02-28,sw1a 1aa,port\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].line, 2u);
  EXPECT_FALSE(records[0].error);
  EXPECT_EQ(records[0].identity.document_number, "AB123456");
  EXPECT_EQ(records[0].identity.birth_date, "1990-12-31");
  EXPECT_EQ(records[0].identity.postal_code, "75011");
  EXPECT_EQ(records[0].district_id, 1);
  EXPECT_EQ(records[1].line, 3u);
  EXPECT_EQ(records[1].identity.postal_code, "SW1A1AA");
  EXPECT_EQ(records[1].district_id, 2);
}

TEST(CensusCsv, SemicolonsDetectedFromTheHeader) {
  CensusReader reader(
      "document_number;birth_date;postal_code;district\nAB1234;1/2/1990;75011;port\n", districts(),
      kToday);
  EXPECT_EQ(reader.separator(), ';');
  CensusRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_FALSE(record.error) << record.error->en;
  EXPECT_EQ(record.identity.birth_date, "1990-02-01");
  EXPECT_FALSE(reader.next(record));
}

TEST(CensusCsv, QuotedFieldsWithEscapesSeparatorsAndNewlines) {
  // The note column is ignored, but its quoting must be understood: a
  // separator, a doubled quote, and a line break inside quotes (so the next
  // record starts on line 5, not 4).
  const auto records = read_all(
      "\"Document_Number\";note;\"birth_date\";postal_code;DISTRICT\n"
      "\"AB 1234\";\"a;b \"\"quoted\"\"\";\"1990-01-02\";\"75011\";\"centre\"\n"
      "CD5678;\"two\nlines\";1991-03-04;75012;port\n"
      "EF9012;;1992-05-06;75013;hauts-de-ville\n");
  ASSERT_EQ(records.size(), 3u);
  for (const auto& record : records) EXPECT_FALSE(record.error) << record.error->en;
  EXPECT_EQ(records[0].line, 2u);
  EXPECT_EQ(records[0].identity.document_number, "AB1234");
  EXPECT_EQ(records[1].line, 3u);
  EXPECT_EQ(records[1].identity.document_number, "CD5678");
  EXPECT_EQ(records[2].line, 5u);
  EXPECT_EQ(records[2].district_id, 3);
}

TEST(CensusCsv, ColumnsInAnyOrderAndCaseExtraColumnsIgnored) {
  const auto records = read_all(
      " District ,POSTAL_CODE,extra,Birth_Date,document_number\n"
      "port,75011,whatever,2000-01-01,ZZ0001\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].error);
  EXPECT_EQ(records[0].identity.document_number, "ZZ0001");
  EXPECT_EQ(records[0].district_id, 2);
}

TEST(CensusCsv, BlankLinesAndLinesOfEmptyFieldsAreSkipped) {
  const auto records = read_all(
      "document_number,birth_date,postal_code,district\n"
      "\n"
      "AB1234,1990-01-01,75011,centre\n"
      "   \n"
      ",,,\n"
      ";;;;\r\n"
      "CD5678,1990-01-01,75011,centre");  // no final line end
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].line, 3u);
  // ";;;;" is one field for a comma file: not blank, and too few fields.
  EXPECT_EQ(records[1].line, 6u);
  EXPECT_TRUE(records[1].error);
  EXPECT_EQ(records[2].line, 7u);
  EXPECT_FALSE(records[2].error);
}

TEST(CensusCsv, MissingColumnRefusesTheWholeFile) {
  CensusReader reader("document_number;postal_code;quartier\nAB1234;75011;centre\n", districts(),
                      kToday);
  ASSERT_TRUE(reader.refusal());
  const RowError& refusal = *reader.refusal();
  EXPECT_EQ(refusal.line, 1u);
  EXPECT_TRUE(contains(refusal.message.en, "lacks the columns birth_date, district"))
      << refusal.message.en;
  EXPECT_TRUE(contains(refusal.message.en, "found: document_number, postal_code, quartier"));
  EXPECT_TRUE(contains(refusal.message.fr, "n'a pas les colonnes birth_date, district"))
      << refusal.message.fr;
  CensusRecord record;
  EXPECT_FALSE(reader.next(record));

  const CensusCheck check = check_census("document_number;postal_code\n", districts(), kToday);
  ASSERT_TRUE(check.refusal);
  EXPECT_EQ(check.records, 0u);
}

TEST(CensusCsv, RefusesDuplicateColumnsEmptyFilesAndOtherEncodings) {
  EXPECT_TRUE(contains(CensusReader("document_number,birth_date,postal_code,district,Birth_date\n",
                                    districts(), kToday)
                           .refusal()
                           ->message.en,
                       "names the column birth_date twice"));
  for (std::string_view empty : {"", "\xEF\xBB\xBF", "\n\r\n  \n"}) {
    CensusReader reader(empty, districts(), kToday);
    ASSERT_TRUE(reader.refusal());
    EXPECT_EQ(reader.refusal()->message.en, "The file is empty.");
    EXPECT_EQ(reader.refusal()->message.fr, "Le fichier est vide.");
  }
  // Latin-1 "é" on line 3, as a spreadsheet saving "CSV" (not "CSV UTF-8") writes it.
  CensusReader latin1(
      "document_number,birth_date,postal_code,district\nAB1234,1990-01-01,75011,"
      "centre\nCD5678,1990-01-01,75011,h\xE9rouville\n",
      districts(), kToday);
  ASSERT_TRUE(latin1.refusal());
  EXPECT_EQ(latin1.refusal()->line, 3u);
  EXPECT_TRUE(contains(latin1.refusal()->message.en, "not UTF-8 (line 3)"));
  EXPECT_TRUE(contains(latin1.refusal()->message.fr, "pas en UTF-8 (ligne 3)"));
  // A header only: a file with nothing to import, not an error.
  const CensusCheck header_only =
      check_census("document_number,birth_date,postal_code,district\n", districts(), kToday);
  EXPECT_FALSE(header_only.refusal);
  EXPECT_EQ(header_only.records, 0u);
}

TEST(CensusCsv, EveryKindOfBadLineWithItsLineNumberInBothLanguages) {
  const std::string text =
      "document_number,birth_date,postal_code,district\n"  // 1
      "GOOD0001,1990-01-01,75011,centre\n"                 // 2
      "AB1,1990-01-01,75011,centre\n"                      // 3 document too short
      "AB12/3456,1990-01-01,75011,centre\n"                // 4 document character
      "GOOD0005,1990.01.01,75011,centre\n"                 // 5 date format
      "GOOD0006,1990-02-30,75011,centre\n"                 // 6 not a real date
      "GOOD0007,2030-01-01,75011,centre\n"                 // 7 future
      "GOOD0008,31/12/1899,75011,centre\n"                 // 8 before 1900
      "GOOD0009,1990-01-01,75-011,centre\n"                // 9 postal character
      "GOOD0010,1990-01-01,12,centre\n"                    // 10 postal length
      "GOOD0011,1990-01-01,75011,atlantis\n"               // 11 district
      "GOOD0012,1990-01-01,75011\n"                        // 12 field count
      "\n"                                                 // 13 blank: skipped
      "\"GOOD0014\"x,1990-01-01,75011,centre\n"            // 14 after a closing quote
      "good-0001,1990-01-01,75011,port\n"                  // 15 duplicate of 2
      ",,75011,\n"                                         // 16 several fields missing
      "GOOD0017,1990-01-01,75011,port\n"                   // 17 good
      "GOOD0018,\"1990-01-01,75011,centre\n";              // 18 never closed
  const CensusCheck check = check_census(text, districts(), kToday);
  ASSERT_FALSE(check.refusal);
  EXPECT_EQ(check.records, 16u);
  EXPECT_EQ(check.error_count, 14u);
  ASSERT_EQ(check.errors.size(), 14u);
  std::vector<std::size_t> lines;
  for (const RowError& error : check.errors) {
    lines.push_back(error.line);
    EXPECT_FALSE(error.message.en.empty());
    EXPECT_FALSE(error.message.fr.empty());
    EXPECT_NE(error.message.en, error.message.fr);
    EXPECT_FALSE(contains(error.message.en, "GOOD0") || contains(error.message.fr, "GOOD0"))
        << "a document number is echoed: " << error.message.en;
    EXPECT_FALSE(contains(error.message.en, "AB12") || contains(error.message.en, "AB1,"));
  }
  EXPECT_EQ(lines, (std::vector<std::size_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18}));
  EXPECT_EQ(check.bad, (std::vector<bool>{false, true, true, true, true, true, true, true, true,
                                          true, true, true, true, true, false, true}));

  EXPECT_EQ(error_at(check, 3).message.en,
            "Document number: expected 4 to 20 letters or digits, found 3.");
  EXPECT_EQ(error_at(check, 3).message.fr,
            "Numéro de document\u202f: 4 à 20 lettres ou chiffres attendus, 3 trouvés.");
  EXPECT_TRUE(contains(error_at(check, 4).message.en, "found “/” at position 5"));
  EXPECT_TRUE(contains(error_at(check, 4).message.fr, "«\u202f/\u202f» trouvé en position 5"));
  EXPECT_EQ(error_at(check, 5).message.en,
            "Birth date: expected YYYY-MM-DD or DD/MM/YYYY, found “1990.01.01”.");
  EXPECT_EQ(error_at(check, 5).message.fr,
            "Date de naissance\u202f: AAAA-MM-JJ ou JJ/MM/AAAA attendu, «\u202f1990.01.01\u202f» "
            "trouvé.");
  EXPECT_EQ(error_at(check, 6).message.en, "Birth date: “1990-02-30” is not a real date.");
  EXPECT_EQ(error_at(check, 7).message.en, "Birth date: “2030-01-01” is in the future.");
  EXPECT_EQ(error_at(check, 8).message.fr,
            "Date de naissance\u202f: «\u202f31/12/1899\u202f» est antérieure à 1900.");
  EXPECT_TRUE(contains(error_at(check, 9).message.en,
                       "Postal code: only letters, digits and "
                       "spaces are allowed; found “-”"));
  EXPECT_EQ(error_at(check, 10).message.en,
            "Postal code: expected 3 to 10 letters, digits or spaces, found “12” (2 characters).");
  EXPECT_EQ(error_at(check, 11).message.en,
            "District: no district has the identifier “atlantis” (see the districts page).");
  EXPECT_EQ(error_at(check, 12).message.en, "This line has 3 fields; the header has 4.");
  EXPECT_EQ(error_at(check, 12).message.fr, "Cette ligne a 3 champs\u202f; l'en-tête en a 4.");
  EXPECT_TRUE(contains(error_at(check, 14).message.en, "after a closing quote"));
  EXPECT_EQ(error_at(check, 15).message.en, "Duplicates line 2 (same document number).");
  EXPECT_EQ(error_at(check, 15).message.fr, "Doublon de la ligne 2 (même numéro de document).");
  EXPECT_EQ(error_at(check, 16).message.en,
            "Document number: missing. Birth date: missing. District: missing.");
  EXPECT_EQ(error_at(check, 18).message.en, "A quoted field opened on line 18 is never closed.");
}

TEST(CensusCsv, ErrorsBeyondTheCapAreCountedNotListed) {
  std::string text = "document_number,birth_date,postal_code,district\n";
  for (int i = 0; i < 10; ++i) text += "X,1990-01-01,75011,centre\n";
  const CensusCheck check = check_census(text, districts(), kToday, 3);
  EXPECT_EQ(check.error_count, 10u);
  ASSERT_EQ(check.errors.size(), 3u);
  EXPECT_EQ(check.errors[2].line, 4u);
}

TEST(CensusCsv, LoneCarriageReturnsEndLinesToo) {
  const auto records = read_all(
      "document_number,birth_date,postal_code,district\rAB1234,1990-01-01,75011,centre\r"
      "CD5678,1990-01-01,75011,centre\r");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].line, 3u);
}

TEST(ResidencyRules, DocumentNumbers) {
  EXPECT_EQ(normalize_document_number("  ab-12 34  ").value, "AB1234");
  EXPECT_EQ(normalize_document_number("12345678901234567890").value, "12345678901234567890");
  EXPECT_FALSE(normalize_document_number("123456789012345678901").ok());
  EXPECT_FALSE(normalize_document_number("- - -").ok());
  EXPECT_EQ(normalize_document_number("").error->en, "Document number: missing.");
  const Checked accented = normalize_document_number("ABÉ123");
  ASSERT_FALSE(accented.ok());
  EXPECT_TRUE(contains(accented.error->en, "found “É” at position 3")) << accented.error->en;
  const Checked control = normalize_document_number(
      "AB\x01"
      "123");
  EXPECT_TRUE(contains(control.error->en, "a control character at position 3"));
  const Checked broken = normalize_document_number("AB\xFF");
  EXPECT_TRUE(contains(broken.error->en, "a byte that is not UTF-8"));
}

TEST(ResidencyRules, BirthDates) {
  EXPECT_EQ(normalize_birth_date("2000-02-29", kToday).value, "2000-02-29");
  EXPECT_EQ(normalize_birth_date(" 29/02/2000 ", kToday).value, "2000-02-29");
  EXPECT_EQ(normalize_birth_date("1/2/1990", kToday).value, "1990-02-01");
  EXPECT_EQ(normalize_birth_date("2026-06-01", kToday).value, "2026-06-01");  // today
  EXPECT_EQ(normalize_birth_date("1900-01-01", kToday).value, "1900-01-01");
  EXPECT_FALSE(normalize_birth_date("2026-06-02", kToday).ok());
  EXPECT_FALSE(normalize_birth_date("29/02/2001", kToday).ok());
  EXPECT_FALSE(normalize_birth_date("31/12/90", kToday).ok());
  EXPECT_FALSE(normalize_birth_date("1990-1-1", kToday).ok());
  EXPECT_FALSE(normalize_birth_date("12/31/1990", kToday).ok());  // month 31
  EXPECT_EQ(normalize_birth_date("", kToday).error->fr, "Date de naissance\u202f: manquante.");
}

TEST(ResidencyRules, PostalCodes) {
  EXPECT_EQ(normalize_postal_code(" 75 011 ").value, "75011");
  EXPECT_EQ(normalize_postal_code("sw1a 1aa").value, "SW1A1AA");
  EXPECT_EQ(normalize_postal_code("abc").value, "ABC");
  EXPECT_FALSE(normalize_postal_code("ab").ok());
  EXPECT_FALSE(normalize_postal_code("12345678901").ok());
  EXPECT_FALSE(normalize_postal_code("75-011").ok());
}

TEST(ResidencyRules, IdentityKeyAndAge) {
  const CheckedIdentity checked = check_identity({"ab 1234", "31/12/1990", "75 011"}, kToday);
  EXPECT_TRUE(checked.errors.empty());
  EXPECT_EQ(identity_key(checked.identity), "AB1234|1990-12-31|75011");
  const CheckedIdentity bad = check_identity({"", "soon", "7"}, kToday);
  EXPECT_EQ(bad.errors.size(), 3u);
  EXPECT_TRUE(bad.errors.contains("document_number"));
  EXPECT_TRUE(bad.errors.contains("birth_date"));
  EXPECT_TRUE(bad.errors.contains("postal_code"));

  EXPECT_TRUE(old_enough("2010-06-01", 16, kToday));   // 16 today
  EXPECT_FALSE(old_enough("2010-06-02", 16, kToday));  // 16 tomorrow
  EXPECT_FALSE(old_enough("garbage", 0, kToday));
}

TEST(ResidencyRules, Districts) {
  const NewDistrict district =
      normalize_district({"  Vieille-Ville ", " Vieille ville ", "Old town"});
  EXPECT_EQ(district.slug, "vieille-ville");
  EXPECT_EQ(district.name_fr, "Vieille ville");
  EXPECT_TRUE(check_district(district).empty());
  for (const char* slug : {"a", "-ab", "ab-", "a--b", "a b", "é-ville", ""})
    EXPECT_TRUE(check_district({slug, "x", "y"}).contains("slug")) << slug;
  EXPECT_TRUE(check_district({"ab", "", "y"}).contains("name_fr"));
  EXPECT_TRUE(check_district({"ab", "x", std::string(101, 'y')}).contains("name_en"));
  EXPECT_TRUE(check_district({"ab", "x", "a\x01"}).contains("name_en"));
  EXPECT_TRUE(check_district({"ab", std::string(50, 'x') + "é", "y"}).empty());
}

TEST(ResidencyRules, EveryOutcomeIsExplainedInBothLanguages) {
  for (auto method : {VerificationMethod::Online, VerificationMethod::Counter})
    for (auto outcome : {VerificationOutcome::Verified, VerificationOutcome::InvalidForm,
                         VerificationOutcome::NoMatch, VerificationOutcome::TakenByAnother,
                         VerificationOutcome::UnderAge, VerificationOutcome::AlreadyVerified,
                         VerificationOutcome::NotEligible, VerificationOutcome::TooManyAttempts,
                         VerificationOutcome::EmailNotConfirmed}) {
      const Text message = outcome_message(outcome, method, 16);
      EXPECT_FALSE(message.en.empty());
      EXPECT_FALSE(message.fr.empty());
      EXPECT_NE(message.en, message.fr);
    }
  EXPECT_TRUE(
      contains(outcome_message(VerificationOutcome::UnderAge, VerificationMethod::Online, 18).en,
               "at least 18"));
  // Online, an identity in use reads as a wrong guess (issue 9, item 2).
  EXPECT_EQ(outcome_message(VerificationOutcome::TakenByAnother, VerificationMethod::Online, 16).fr,
            outcome_message(VerificationOutcome::NoMatch, VerificationMethod::Online, 16).fr);
  EXPECT_TRUE(
      contains(outcome_message(VerificationOutcome::NoMatch, VerificationMethod::Online, 16).fr,
               "présentez-vous au guichet"));
}

}  // namespace
}  // namespace fabrique::residency
