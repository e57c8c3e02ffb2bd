// mc::Json (model_check/json.h): the bytes it prints, which `--format json`
// makes an interface, and what its reader accepts, refuses and says.
#include "model_check/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace crosscheck::mc {
namespace {

std::string parse_error(std::string_view text, Json::ParseOptions options = {}) {
  std::string error;
  const std::optional<Json> parsed = Json::parse(text, &error, options);
  EXPECT_FALSE(parsed) << "accepted: " << text;
  return error;
}

Json parsed(std::string_view text) {
  std::string error;
  std::optional<Json> value = Json::parse(text, &error);
  EXPECT_TRUE(value) << error;
  return value ? std::move(*value) : Json();
}

TEST(JsonPrinting, DoublesHaveSixSignificantDigits) {
  EXPECT_EQ(Json(3.0).dump(), "3");
  EXPECT_EQ(Json(0.1).dump(), "0.1");
  EXPECT_EQ(Json(1.0 / 3).dump(), "0.333333");
  EXPECT_EQ(Json(1234567.0).dump(), "1.23457e+06");
  EXPECT_EQ(Json(1e20).dump(), "1e+20");
  EXPECT_EQ(Json(2.5e-6).dump(), "2.5e-06");
  EXPECT_EQ(Json(-0.0).dump(), "-0");
  EXPECT_EQ(Json(std::numeric_limits<double>::quiet_NaN()).dump(), "null");
  EXPECT_EQ(Json(-std::numeric_limits<double>::infinity()).dump(), "null");
}

TEST(JsonPrinting, IntegersAreInt64AndUint64KeepsItsBits) {
  EXPECT_EQ(Json(std::numeric_limits<int64_t>::min()).dump(), "-9223372036854775808");
  EXPECT_EQ(Json(std::numeric_limits<uint64_t>::max()).dump(), "-1");
  EXPECT_EQ(Json(uint64_t{1} << 63).dump(), "-9223372036854775808");
  EXPECT_EQ(Json(uint64_t{42}).dump(), "42");
}

TEST(JsonPrinting, StringsEscapeControlCharactersAndDeleteButNotOtherBytes) {
  EXPECT_EQ(Json("q\" b\\ n\n t\t r\r").dump(), R"("q\" b\\ n\n t\t r\r")");
  EXPECT_EQ(Json("\b\f\x01\x1f\x7f").dump(), R"("\u0008\u000c\u0001\u001f\u007f")");
  EXPECT_EQ(Json("caf\xc3\xa9 \xf0\x9f\x98\x80").dump(), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Json("not UTF-8: \xff\xfe").dump(), "\"not UTF-8: \xff\xfe\"");
}

TEST(JsonPrinting, CompactFormSpacesItsSeparators) {
  Json value = Json::object();
  value.set("a", Json(Json::Array{1, "x", nullptr, true}));
  value.set("b", Json::object());
  value.set("c", Json::array());
  EXPECT_EQ(value.dump(), R"({"a": [1, "x", null, true], "b": {}, "c": []})");
}

TEST(JsonPrinting, PrettyIndentsTwoSpacesAndKeepsEmptyContainersShort) {
  Json value = Json::object();
  value.set("empty", Json::array());
  value.set("nested", Json(Json::Array{Json::object(), Json(Json::Object{{"k", Json::array()}})}));
  EXPECT_EQ(value.pretty(),
            "{\n"
            "  \"empty\": [],\n"
            "  \"nested\": [\n"
            "    {},\n"
            "    {\n"
            "      \"k\": []\n"
            "    }\n"
            "  ]\n"
            "}");
  EXPECT_EQ(Json::array().pretty(), "[]");
}

TEST(JsonReading, ValuesReadBackAsThemselves) {
  Json value = Json::object();
  value.set("int", int64_t{-9223372036854775807 - 1});
  value.set("double", 0.25);
  value.set("text", "tab\t quote\" \xc3\xa9");
  value.set("list", Json(Json::Array{true, false, nullptr, Json::object()}));
  EXPECT_EQ(parsed(value.pretty()), value);
  EXPECT_EQ(parsed(value.dump()), value);
  EXPECT_TRUE(parsed("1.0").is_double());
  EXPECT_TRUE(parsed("-0").is_int());
  EXPECT_EQ(parsed("1E+2").as_double(), 100.0);
  EXPECT_EQ(parsed("9223372036854775807").as_int(), std::numeric_limits<int64_t>::max());
}

TEST(JsonReading, EscapesDecodeToUtf8AndSurrogatePairsToOneCharacter) {
  EXPECT_EQ(parsed(R"("\u00e9\u0800\/")").as_string(), "\xc3\xa9\xe0\xa0\x80/");
  EXPECT_EQ(parsed(R"("\ud83d\ude00")").as_string(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(parsed(R"("a\u0000b")").as_string(), std::string("a\0b", 3));
}

TEST(JsonReading, ARepeatedMemberKeepsItsFirstPlaceAndItsLastValue) {
  const Json value = parsed(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_EQ(value.as_object().size(), 2u);
  EXPECT_EQ(value.as_object()[0].first, "a");
  EXPECT_EQ(value["a"].as_int(), 3);
  EXPECT_EQ(parse_error(R"({"a": 1, "b": 2, "a": 3})", {.reject_duplicate_members = true}),
            "duplicate member \"a\" at line 1, column 18 (offset 17)");
}

TEST(JsonReading, ErrorsSayWhatAndWhere) {
  EXPECT_EQ(parse_error("[1,\n ]"), "unexpected character ']' at line 2, column 2 (offset 5)");
  EXPECT_EQ(parse_error("{\"a\" 1}"), "expected ':' at line 1, column 6 (offset 5)");
  EXPECT_EQ(parse_error("{1: 2}"), "expected a member name at line 1, column 2 (offset 1)");
  EXPECT_EQ(parse_error("{\"a\": 1,}"), "expected a member name at line 1, column 9 (offset 8)");
  EXPECT_EQ(parse_error("{\"a\": 1 ]"), "expected ',' or '}' at line 1, column 9 (offset 8)");
  EXPECT_EQ(parse_error("[true false]"), "expected ',' or ']' at line 1, column 7 (offset 6)");
  EXPECT_EQ(parse_error("null x"),
            "trailing characters after the JSON value at line 1, column 6 (offset 5)");
  EXPECT_EQ(parse_error("[tru]"), "unexpected character 't' at line 1, column 2 (offset 1)");
  EXPECT_EQ(parse_error("NaN"), "unexpected character 'N' at line 1, column 1 (offset 0)");
  EXPECT_EQ(parse_error("[1, \x02]"),
            "unexpected character '\\x02' at line 1, column 5 (offset 4)");
  EXPECT_EQ(parse_error("   "), "unexpected end of input at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("[\"ab"), "unterminated string at line 1, column 5 (offset 4)");
  EXPECT_EQ(parse_error("\"a\\"), "unterminated escape at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("\"\\x\""), "unknown escape '\\x' at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("\"\\u12g4\""), "malformed \\u escape at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("\"\\u12"), "short \\u escape at line 1, column 4 (offset 3)");
}

TEST(JsonReading, NumbersOutsideTheGrammarOrTheirTypeAreMalformed) {
  EXPECT_EQ(parse_error("[-]"), "malformed number '-' at line 1, column 3 (offset 2)");
  EXPECT_EQ(parse_error("[01]"), "malformed number '01' at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("[1.]"), "malformed number '1.' at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("1.5.3"), "malformed number '1.5.3' at line 1, column 6 (offset 5)");
  EXPECT_EQ(parse_error("[1e]"), "malformed number '1e' at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("[1-2]"), "malformed number '1-2' at line 1, column 5 (offset 4)");
  EXPECT_EQ(parse_error("9223372036854775808"),
            "malformed number '9223372036854775808' at line 1, column 20 (offset 19)");
  EXPECT_EQ(parse_error("-9223372036854775809"),
            "malformed number '-9223372036854775809' at line 1, column 21 (offset 20)");
  EXPECT_EQ(parse_error("1e400"), "malformed number '1e400' at line 1, column 6 (offset 5)");
  EXPECT_EQ(parse_error("1e-400"), "malformed number '1e-400' at line 1, column 7 (offset 6)");
}

TEST(JsonReading, StringsAreUtf8WithControlCharactersEscaped) {
  EXPECT_EQ(parse_error("[\"a\nb\"]"),
            "unescaped control character '\\x0a' in a string at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("\"ok \xc3\xa9, not \xc3(\""),
            "invalid UTF-8 in a string at line 1, column 13 (offset 12)");
  EXPECT_EQ(parse_error("\"\xed\xa0\x80\""),
            "invalid UTF-8 in a string at line 1, column 2 (offset 1)");
  EXPECT_EQ(parse_error(R"("\ud800")"),
            "unpaired UTF-16 surrogate in a \\u escape at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error(R"("x\udc00\ud800")"),
            "unpaired UTF-16 surrogate in a \\u escape at line 1, column 5 (offset 4)");
}

TEST(JsonReading, OnlyRfc8259WhitespaceSurroundsTokens) {
  EXPECT_TRUE(parsed(" \t\r\n[ 1 ,\n2 ] \n").is_array());
  EXPECT_EQ(parse_error("[1,\f2]"), "unexpected character '\\x0c' at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error("\xef\xbb\xbf{}"),
            "unexpected character '\\xef' at line 1, column 1 (offset 0)");
  EXPECT_EQ(parse_error(std::string("[1]\0", 4)),
            "trailing characters after the JSON value at line 1, column 4 (offset 3)");
  EXPECT_EQ(parse_error(std::string("[1,\0]", 5)),
            "unexpected character '\\x00' at line 1, column 4 (offset 3)");
}

TEST(JsonReading, NestingStopsAt512Levels) {
  const std::string deepest(512, '[');
  EXPECT_TRUE(parsed(deepest + std::string(512, ']')).is_array());
  EXPECT_EQ(parse_error(deepest + "1" + std::string(512, ']')),
            "JSON nested too deeply at line 1, column 513 (offset 512)");
  // After a separator the place is just past it, not at the value.
  EXPECT_EQ(parse_error(std::string(511, '[') + "{\"a\": 1}" + std::string(511, ']')),
            "JSON nested too deeply at line 1, column 517 (offset 516)");
  EXPECT_EQ(parse_error(deepest), "JSON nested too deeply at line 1, column 513 (offset 512)");
}

}  // namespace
}  // namespace crosscheck::mc
