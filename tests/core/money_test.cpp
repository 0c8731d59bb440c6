// core/money.hpp: amounts as people type them (never guessed) and read them.
#include "core/money.hpp"

#include <gtest/gtest.h>

#include "support/text.hpp"

namespace fabrique {
namespace {

using test::nb;

TEST(CoreMoney, WholeAmountsAsPeopleWriteThem) {
  for (const char* typed :
       {"12500", "12 500", "12\u00a0500", "12\u202f500", "12500 €", "€12 500", "12'500",
        " 12 500 € ", "12 500,00", "12,500.00", "12.500,00", "12 500,0"})
    EXPECT_EQ(read_amount(typed).value, 12500) << typed;
  EXPECT_EQ(parse_amount("12.500.000"), 12500000);
  EXPECT_EQ(parse_amount("1,250,000"), 1250000);
  EXPECT_EQ(parse_amount("0", true), 0);
  EXPECT_EQ(parse_amount("1 000 000 000 000"), 1'000'000'000'000);
}

TEST(CoreMoney, CentsAreRefusedNotReadAsMore) {
  // "12,5" was once saved as 125.
  const AmountReading half = read_amount("12,5");
  EXPECT_FALSE(half.value);
  ASSERT_TRUE(half.problem);
  EXPECT_EQ(half.problem->fr, nb("Les montants sont en euros entiers‿: écrivez 12 ou 13."));
  EXPECT_EQ(half.problem->en, "Amounts are in whole euros: write 12 or 13.");
  for (const char* typed : {"12.5", "12,50", "12 500,50", "12.500,50", "12,500.50"})
    EXPECT_FALSE(read_amount(typed).value) << typed;
}

TEST(CoreMoney, OneSeparatorBeforeThreeDigitsIsAskedAgain) {
  // Twelve thousand five hundred, or twelve and a half? Never guessed.
  for (const char* typed : {"12,500", "12.500", "1,000", "€12,500"}) {
    const AmountReading reading = read_amount(typed);
    EXPECT_FALSE(reading.value) << typed;
    ASSERT_TRUE(reading.problem) << typed;
  }
  EXPECT_EQ(read_amount("12,500").problem->fr,
            nb("«‿12,500‿»‿: s’agit-il de 12‿500·€ ou de 12,50·€‿? Écrivez le montant sans "
               "virgule ni point, par exemple 12500."));
  EXPECT_EQ(read_amount("12.500").problem->en,
            "“12.500”: is it 12,500 euros or 12.50 euros? Write the amount without a comma or a "
            "dot, for example 12500.");
}

TEST(CoreMoney, WhatIsNotAnAmount) {
  for (const char* typed : {"", "  ", "douze", "12 500 $", "-12", ",5", "12,,5", "12,", "1,2,3",
                            "12.50.000", "1,25,000", "12,500.000", "12.500,000", "1.250,000.00"})
    EXPECT_FALSE(read_amount(typed).value) << typed;
  EXPECT_EQ(read_amount("douze").problem->fr,
            "Écrivez un montant entier en euros, par exemple 12500 ou 12 500.");
  EXPECT_FALSE(read_amount("0").value);
  EXPECT_FALSE(read_amount("1 000 000 000 001").value);
  EXPECT_FALSE(read_amount("99999999999999999999").value);
}

TEST(CoreMoney, AmountsAsEachLanguageWritesThem) {
  EXPECT_EQ(format_amount(1234567, Lang::En), "€1,234,567");
  EXPECT_EQ(format_amount(1234567, Lang::Fr), nb("1‿234‿567·€"));
  EXPECT_EQ(format_amount(500, Lang::Fr), nb("500·€"));
  EXPECT_EQ(format_amount(0, Lang::En), "€0");
}

}  // namespace
}  // namespace fabrique
