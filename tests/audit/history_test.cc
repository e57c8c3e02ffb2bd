// Reading histories: EDN as Jepsen writes it, JSON lines, and one clear
// error, with its line, for every malformed input.
#include <gtest/gtest.h>

#include "audit/history.h"

namespace crosscheck::audit {
namespace {

History edn(const std::string& text) {
  return pair_events("h.edn", read_edn_history("h.edn", text));
}
History jsonl(const std::string& text) {
  return pair_events("h.jsonl", read_jsonl_history("h.jsonl", text));
}

// The error a malformed EDN history gets: "h.edn:LINE: problem".
std::string edn_error(const std::string& text) {
  try {
    edn(text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

std::string jsonl_error(const std::string& text) {
  try {
    jsonl(text);
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Edn, ReadsTheValuesHistoriesUse) {
  EXPECT_EQ(parse_edn("nil"), Value::nil());
  EXPECT_EQ(parse_edn("-42"), Value::of_int(-42));
  EXPECT_EQ(parse_edn("7N"), Value::of_int(7));
  EXPECT_EQ(parse_edn("1.5"), Value::of_float(1.5));
  EXPECT_EQ(parse_edn("\"a\\\"b\\n\\u00e9\""), Value::of_string("a\"b\n\xc3\xa9"));
  EXPECT_EQ(parse_edn(":cas"), Value::of_keyword("cas"));
  EXPECT_EQ(
      parse_edn("[1 (2 3)]"),
      Value::of_vector({Value::of_int(1), Value::of_vector({Value::of_int(2), Value::of_int(3)})}));
  EXPECT_EQ(parse_edn("#{3 1 3}"), Value::of_set({Value::of_int(1), Value::of_int(3)}));
  EXPECT_EQ(parse_edn("{:b 2, :a 1}"), parse_edn("{:a 1 :b 2}"));
  EXPECT_EQ(parse_edn("#inst \"2026-12-06\""), Value::of_string("2026-12-06"));
  EXPECT_EQ(parse_edn("[1 #_2 3] ; a comment"), parse_edn("[1 3]"));
  EXPECT_EQ(parse_edn("#{1 2}").edn(), "#{1 2}");
  EXPECT_EQ(parse_edn("{:f :read, :value [1 nil]}").edn(), "{:f :read, :value [1 nil]}");
}

TEST(Edn, PairsJepsensOperationsIntoOperations) {
  const History history =
      edn("{:process 0, :type :invoke, :f :write, :value 3, :time 10, :index 0}\n"
          "{:process :nemesis, :type :info, :f :kill, :value nil}\n"
          "{:process 1, :type :invoke, :f :read, :value nil}\n"
          "{:process 0, :type :ok, :f :write, :value 3}\n"
          "{:process 1, :type :info, :f :read, :value nil, :error :timeout}\n"
          "{:process 1, :type :invoke, :f :cas, :value [3 4]}\n"
          "#jepsen.history.Op{:process 2, :type :invoke, :f :write, :value 5}\n"
          "{:process 2, :type :fail, :f :write, :value 5}\n");
  ASSERT_EQ(history.operations.size(), 4u);
  EXPECT_EQ(history.other_processes, 1);
  EXPECT_EQ(history.events, 7);
  const Operation& write = history.operations[0];
  EXPECT_EQ(write.outcome, Operation::Outcome::kOk);
  EXPECT_EQ(write.invoke_line, 1);
  EXPECT_EQ(write.complete_line, 4);
  EXPECT_EQ(history.operations[1].outcome, Operation::Outcome::kIndeterminate);
  EXPECT_TRUE(history.operations[1].completed);
  // An :info closes the process's operation: it may invoke again.
  EXPECT_EQ(history.operations[2].outcome, Operation::Outcome::kIndeterminate);
  EXPECT_FALSE(history.operations[2].completed);
  EXPECT_EQ(history.operations[2].complete_position, -1);
  EXPECT_EQ(history.operations[3].outcome, Operation::Outcome::kFail);
}

TEST(Jsonl, ReadsTheSameOperationsAsEdn) {
  const History from_edn =
      edn("{:process 0, :type :invoke, :f :write, :value [1 3], :key 1}\n"
          "{:process 0, :type :ok, :f :write, :value [1 3]}\n");
  const History from_json = jsonl(
      "{\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":[1,3],\"key\":1}\n"
      "\n"
      "{\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":[1,3]}\n");
  ASSERT_EQ(from_json.operations.size(), 1u);
  EXPECT_EQ(from_json.operations[0].invocation, from_edn.operations[0].invocation);
  EXPECT_EQ(from_json.operations[0].key, from_edn.operations[0].key);
  EXPECT_EQ(from_json.operations[0].complete_line, 3);
}

TEST(Malformed, EveryProblemIsOneLineNamingTheFileAndLine) {
  const std::string invoke = "{:process 0, :type :invoke, :f :read, :value nil}\n";
  EXPECT_EQ(edn_error("{:process 0, :type :ok, :f :read, :value 1}\n"),
            "h.edn:1: a :ok completion of process 0 with no open invocation");
  EXPECT_EQ(edn_error(invoke + invoke),
            "h.edn:2: process 0 invokes while its operation invoked on line 1 is still open");
  EXPECT_EQ(
      edn_error(invoke + "{:process 0, :type :ok, :f :write, :value 1}\n"),
      "h.edn:2: the :ok of process 0 has :f :write, but its invocation (line 1) has :f :read");
  EXPECT_EQ(edn_error(invoke + "{:process 0, :type :done, :f :read}\n"),
            "h.edn:2: unknown :type :done (known: :invoke :ok :fail :info)");
  EXPECT_EQ(edn_error(invoke + "\n{:process 0, :type :ok, :f :read, :value 1\n"),
            "h.edn:3: the '{' here is never closed by '}'");
  EXPECT_EQ(edn_error(invoke + "{:type :ok, :f :read}\n"),
            "h.edn:2: an operation with no :process");
  EXPECT_EQ(edn_error("{:process 0, :type :invoke, :value 1}\n"),
            "h.edn:1: an operation with no :f");
  EXPECT_EQ(edn_error("{:process 0, :type :invoke, :f :read, :value 99999999999999999999}\n"),
            "h.edn:1: the integer 99999999999999999999 does not fit in 64 bits");
  EXPECT_EQ(edn_error("[1 2]\n"), "h.edn:1: a history is a sequence of operation maps, not [1 2]");
  EXPECT_EQ(edn_error("{:process 0 :process 1}"), "h.edn:1: a map with the key :process twice");
  EXPECT_EQ(edn_error("{:process 0 :type :invoke :f :r :value [:::]}"),
            "h.edn:1: a keyword starting with ':::'");
  EXPECT_EQ(edn_error(""), "h.edn: no client operations in the history");
  EXPECT_EQ(edn_error("; only a comment\n"), "h.edn: no client operations in the history");
  EXPECT_EQ(edn_error("\"never closed\n\n"), "h.edn:1: a string that never ends");
  EXPECT_EQ(edn_error(std::string(200, '[')), "h.edn:1: nested deeper than 64 levels");
  EXPECT_EQ(edn_error("{:process 0, :type :invoke, :f :read, :value @x}"),
            "h.edn:1: unexpected character '@'");
  EXPECT_EQ(edn_error("{:process 1.5, :type :invoke, :f :read}"),
            "h.edn:1: a :process is an integer or a name such as :nemesis, not 1.5");
}

TEST(Malformed, JsonLinesNameTheLineToo) {
  EXPECT_EQ(
      jsonl_error("{\"process\":0,\"type\":\"invoke\",\"f\":\"read\"}\n{\"process\":0,\"type\":\n"),
      "h.jsonl:2: not JSON: column 21: syntax error while parsing value - unexpected end of input; "
      "expected '[', '{', or a literal");
  // Found by the fuzzer: nlohmann says out_of_range, not parse_error.
  EXPECT_EQ(jsonl_error("{\"process\":1e999}\n"),
            "h.jsonl:1: not JSON: number overflow parsing '1e999'");
  EXPECT_EQ(jsonl_error("[1,2]\n"), "h.jsonl:1: an operation is a JSON object, one a line");
  EXPECT_EQ(jsonl_error("\n\n{\"process\":0,\"type\":\"ok\",\"f\":\"read\"}\n"),
            "h.jsonl:3: a :ok completion of process 0 with no open invocation");
  EXPECT_EQ(jsonl_error(""), "h.jsonl: no client operations in the history");
}

TEST(ReadHistory, ChoosesTheReaderByExtensionOrSaysItCannot) {
  try {
    read_history("history.txt");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(
        error.what(),
        "history.txt: cannot tell the format from the name: use --input edn or --input jsonl");
  }
  try {
    read_history("/nonexistent/history.edn");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(), "/nonexistent/history.edn: cannot open the file");
  }
  try {
    read_history(::testing::TempDir(), "edn");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 (::testing::TempDir() + ": a directory, not a history file").c_str());
  }
}

}  // namespace
}  // namespace crosscheck::audit
