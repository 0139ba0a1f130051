// json_object_in: the JSON object in a model's answer, with or without a ```json fence and prose
// around it, and clear errors when there is none or it is broken.
#include "llm/json_object.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tg4::llm {
namespace {

using ::testing::HasSubstr;

boost::json::object must(std::string_view text) {
  auto r = json_object_in(text);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : boost::json::object{};
}

std::string error_of(std::string_view text) {
  const auto r = json_object_in(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? std::string() : r.error().message;
}

TEST(JsonObjectIn, APlainObject) {
  const auto o = must(R"({"action":"BUY","confidence":0.8})");
  EXPECT_EQ(o.at("action").as_string(), "BUY");
  EXPECT_DOUBLE_EQ(o.at("confidence").as_double(), 0.8);
}

TEST(JsonObjectIn, AFencedObjectWithProseAround) {
  const auto o = must(
      "Here is my analysis:\n```json\n{\"action\": \"SELL\",\n \"size_pct\": 2}\n```\n"
      "Let me know if you need more.");
  EXPECT_EQ(o.at("action").as_string(), "SELL");
  EXPECT_EQ(o.at("size_pct").as_int64(), 2);
}

TEST(JsonObjectIn, APlainFence) {
  EXPECT_EQ(must("```\n{\"a\":1}\n```").at("a").as_int64(), 1);
}

TEST(JsonObjectIn, ProseBeforeAndAfterWithoutAFence) {
  EXPECT_EQ(must("Sure! {\"action\":\"HOLD\"} Hope that helps.").at("action").as_string(), "HOLD");
}

TEST(JsonObjectIn, BracesAndQuotesInsideStrings) {
  const auto o = must(
      R"(Answer: {"reasoning":"range {low} to } high, \"quoted }\"","n":{"x":[1,{"y":2}]}} end)");
  EXPECT_EQ(o.at("reasoning").as_string(), "range {low} to } high, \"quoted }\"");
  EXPECT_EQ(o.at("n").at("x").as_array()[1].at("y").as_int64(), 2);
}

TEST(JsonObjectIn, ABracedPhraseBeforeTheObjectIsSkipped) {
  EXPECT_EQ(
      must(R"(I filled in {placeholders} as asked: {"action":"BUY"})").at("action").as_string(),
      "BUY");
}

TEST(JsonObjectIn, AFenceWithoutAnObjectDoesNotHideOneOutsideIt) {
  EXPECT_EQ(must("```\nno json here\n```\n{\"a\":2}").at("a").as_int64(), 2);
}

TEST(JsonObjectIn, TrailingCommasAndCommentsAreForgiven) {
  const auto o = must("{\"a\": 1, // the size\n \"b\": [1, 2,],}");
  EXPECT_EQ(o.at("a").as_int64(), 1);
  EXPECT_EQ(o.at("b").as_array().size(), 2u);
}

TEST(JsonObjectIn, NoObject) {
  EXPECT_THAT(error_of("I think you should buy."), HasSubstr("no JSON object in the answer"));
  EXPECT_THAT(error_of("[1, 2, 3]"), HasSubstr("no JSON object"));
}

TEST(JsonObjectIn, EmptyText) {
  EXPECT_THAT(error_of(""), HasSubstr("empty"));
  EXPECT_THAT(error_of(" \n\t"), HasSubstr("empty"));
}

TEST(JsonObjectIn, ABrokenObjectNamesTheParserMessageAndOffset) {
  const std::string e = error_of(R"(Result: {"action": BUY, "levels": {"stop": 1}})");
  EXPECT_THAT(e, HasSubstr("does not parse"));
  EXPECT_THAT(e, HasSubstr("offset 8"));   // where the object starts
  EXPECT_THAT(e, HasSubstr("offset 19"));  // where the parser stopped: BUY
}

TEST(JsonObjectIn, ATruncatedObjectSaysItNeverCloses) {
  EXPECT_THAT(error_of("```json\n{\"action\":\"BUY\",\"reasoning\":\"the tr"),
              HasSubstr("never closes"));
  EXPECT_THAT(error_of(R"({"a":{"b":1})"), HasSubstr("never closes"));
}

}  // namespace
}  // namespace tg4::llm
