// Decoding what browsers send: urlencoded and multipart forms, cookies.
#include <gtest/gtest.h>

#include "web/form.hpp"

namespace fabrique::web {
namespace {

TEST(FormDecoding, UrlencodedWithPlusPercentAndRepeats) {
  const auto form = parse_urlencoded("name=Zo%C3%A9+Martin&a=1&a=2&empty=&flag");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->get("name"), "Zoé Martin");
  EXPECT_EQ(form->all("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(form->has("empty"));
  EXPECT_EQ(form->get("empty"), "");
  EXPECT_TRUE(form->has("flag"));
  EXPECT_FALSE(form->has("missing"));
  EXPECT_EQ(form->get("missing"), "");
}

TEST(FormDecoding, RefusesBrokenEncodingAndBadUtf8) {
  EXPECT_FALSE(parse_urlencoded("a=%zz"));
  EXPECT_FALSE(parse_urlencoded("a=%C3"));        // truncated UTF-8
  EXPECT_FALSE(parse_urlencoded("a=%C0%AF"));     // overlong
  EXPECT_FALSE(parse_urlencoded("a=%ED%A0%80"));  // surrogate
  EXPECT_FALSE(parse_urlencoded("a=x%00y"));      // NUL
  EXPECT_FALSE(parse_urlencoded("a=%1B%5B31m"));  // terminal escape
  EXPECT_TRUE(parse_urlencoded("a=line%0D%0Anext%09tab"));
  // Raw bytes a browser would have encoded: refused, not truncated.
  EXPECT_FALSE(parse_urlencoded(std::string("a=1\0b=2", 7)));
  EXPECT_FALSE(parse_urlencoded("a=caf\xc3\xa9"));
  EXPECT_FALSE(parse_urlencoded("a=with space"));
}

TEST(FormDecoding, Multipart) {
  const std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
      "tok\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"census\"; filename=\"census 2026.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n"
      "document_number,birth_date\r\nA1,2000-01-01\r\n"
      "\r\n--XyZ--\r\n";
  const auto form = parse_multipart("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(form);
  EXPECT_EQ(form->get("csrf"), "tok");
  const UploadedFile* file = form->file("census");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename, "census 2026.csv");
  EXPECT_EQ(file->content_type, "text/csv");
  EXPECT_EQ(file->content, "document_number,birth_date\r\nA1,2000-01-01\r\n");
}

TEST(FormDecoding, MultipartRefusesMalformedBodies) {
  EXPECT_FALSE(parse_multipart("multipart/form-data", "--x\r\n"));  // no boundary
  EXPECT_FALSE(parse_multipart("multipart/form-data; boundary=x", "no delimiter"));
  EXPECT_FALSE(
      parse_multipart("multipart/form-data; boundary=x",
                      "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunclosed"));
  EXPECT_FALSE(parse_multipart("multipart/form-data; boundary=x",
                               "--x\r\nContent-Type: text/plain\r\n\r\nv\r\n--x--"));  // no name
}

TEST(Cookies, ReadsTheNamedCookieOnly) {
  http::Request request;
  request.headers = {{"Cookie", "a=1; fabrique_session=abc; other=fabrique_session=no"}};
  EXPECT_EQ(cookie(request, "fabrique_session"), "abc");
  EXPECT_EQ(cookie(request, "a"), "1");
  EXPECT_FALSE(cookie(request, "session"));
}

TEST(Cookies, SetCookieCarriesTheFlags) {
  EXPECT_EQ(set_cookie("s", "v", {}), "s=v; Path=/; SameSite=Lax; HttpOnly");
  EXPECT_EQ(set_cookie("s", "v", {.secure = true, .max_age_seconds = 60}),
            "s=v; Path=/; SameSite=Lax; Max-Age=60; HttpOnly; Secure");
}

}  // namespace
}  // namespace fabrique::web
