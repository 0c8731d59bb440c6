// core/url.hpp: the one percent-decoder (forms, query strings, path
// segments) and the one encoder of the links the platform writes.
#include "core/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fabrique {
namespace {

TEST(CoreUrl, DecodesEscapesOfAnyCase) {
  EXPECT_EQ(percent_decode("a%20b%2fc%2Fd"), "a b/c/d");
  EXPECT_EQ(percent_decode("%C3%A9t%C3%A9"), "été");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain"), "plain");
  // Any byte: checking it is the caller's business.
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("%FF"), "\xFF");
}

TEST(CoreUrl, PlusIsASpaceOnlyInForms) {
  EXPECT_EQ(percent_decode("a+b%2B"), "a+b+");
  EXPECT_EQ(percent_decode("a+b%2B", Plus::Space), "a b+");
}

TEST(CoreUrl, MalformedEscapesAreRefusedOrKeptAsWritten) {
  for (const char* bad : {"%zz", "%", "%4", "a%", "%g0", "%0g", "100%"}) {
    EXPECT_FALSE(percent_decode(bad)) << bad;
    EXPECT_EQ(percent_decode_lenient(bad), bad) << bad;
  }
  EXPECT_EQ(percent_decode_lenient("%41%zz%42"), "A%zzB");
  EXPECT_EQ(percent_decode_lenient("a+b"), "a+b");
}

TEST(CoreUrl, EncodesAllButUnreservedInUpperCaseHex) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("/a b?c=d&e"), "%2Fa%20b%3Fc%3Dd%26e");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
  EXPECT_EQ(percent_encode(std::string(1, '\0')), "%00");
}

TEST(CoreUrl, EveryByteRoundTrips) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  EXPECT_EQ(percent_decode(percent_encode(all)), all);
  EXPECT_EQ(percent_decode_lenient(percent_encode(all)), all);
}

}  // namespace
}  // namespace fabrique
