// Stats registry and JSON writer. JSON output is checked by parsing it back with yaml-cpp (JSON is
// YAML) and comparing values exactly, plus one byte-exact golden for formatting.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <locale>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/common/stats/json_writer.h"
#include "models/common/stats/registry.h"

namespace dmasim::stats {
namespace {

std::string json_of(const Registry& r) {
  std::ostringstream out;
  r.write_json(out);
  return out.str();
}

std::vector<std::string> keys_of(const YAML::Node& map) {
  std::vector<std::string> keys;
  for (const auto& entry : map) keys.push_back(entry.first.as<std::string>());
  return keys;
}

TEST(StatsRegistry, ReferencesStayValidAcrossManyRegistrations) {
  Registry r;
  Counter& first = r.counter("soc.first", "events", "registered first");
  Histogram& lat = r.histogram("soc.lat", "cycles", "a latency");
  for (int i = 0; i < 5000; ++i) {
    r.counter("soc.many.c" + std::to_string(i), "events", "filler").inc(i);
  }
  first.inc();
  first.inc(41);
  lat.sample(12);
  EXPECT_EQ(r.find("soc.first")->counter().value(), 42u);
  EXPECT_EQ(r.find("soc.lat")->histogram().count(), 1u);
  EXPECT_EQ(r.find("soc.many.c4999")->counter().value(), 4999u);
  EXPECT_EQ(r.size(), 5002u);
}

TEST(StatsRegistry, DuplicateNamesAreLogicErrors) {
  Registry r;
  r.counter("a.b", "x", "");
  EXPECT_THROW(r.counter("a.b", "x", ""), std::logic_error);
  EXPECT_THROW(r.scalar("a.b", "x", ""), std::logic_error);  // across kinds too
  EXPECT_EQ(r.size(), 1u);
}

TEST(StatsRegistry, LeafAndGroupCannotShareAName) {
  Registry r;
  r.counter("a.b", "x", "");
  EXPECT_THROW(r.counter("a.b.c", "x", ""), std::logic_error);  // a.b is a leaf
  r.counter("p.q.r", "x", "");
  EXPECT_THROW(r.counter("p.q", "x", ""), std::logic_error);  // p.q is a group
  EXPECT_THROW(r.counter("p", "x", ""), std::logic_error);
  r.counter("a.bc", "x", "");  // a prefix of the text but not of the segments: fine
  r.counter("p.qr", "x", "");
  EXPECT_EQ(r.size(), 4u);
  EXPECT_EQ(r.find("p.q"), nullptr);  // groups are not statistics
}

TEST(StatsRegistry, MalformedNamesAreLogicErrors) {
  Registry r;
  for (const char* bad : {"", ".", ".a", "a.", "a..b"}) {
    EXPECT_THROW(r.counter(bad, "x", ""), std::logic_error) << "'" << bad << "'";
  }
  EXPECT_EQ(r.size(), 0u);
}

TEST(StatsRegistry, GroupsPrefixNames) {
  Registry r;
  Group soc(r, "soc");
  Group ctrl = soc.group("dram0").group("ctrl");
  Counter& hits = ctrl.counter("row_hits", "commands", "column commands without ACT");
  ctrl.group("bank0").counter("acts", "commands", "ACT commands");
  Group root(r, "");
  root.scalar("runtime", "s", "simulated time");
  EXPECT_EQ(ctrl.prefix(), "soc.dram0.ctrl");
  hits.inc(3);
  const Stat* found = r.find("soc.dram0.ctrl.row_hits");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->counter().value(), 3u);
  EXPECT_EQ(found->unit(), "commands");
  EXPECT_EQ(found->description(), "column commands without ACT");
  EXPECT_NE(r.find("soc.dram0.ctrl.bank0.acts"), nullptr);
  EXPECT_NE(r.find("runtime"), nullptr);
  EXPECT_THROW(ctrl.counter("row_hits", "commands", ""), std::logic_error);
}

TEST(StatsRegistry, WrongKindAccessThrows) {
  Registry r;
  r.counter("c", "x", "");
  EXPECT_THROW(r.find("c")->histogram(), std::logic_error);
  EXPECT_NO_THROW(r.find("c")->counter());
}

TEST(StatsRegistry, ForEachVisitsInRegistrationOrderWithMetadata) {
  Registry r;
  r.text("z.policy", "", "scheduling policy").set("frfcfs");
  r.counter("a.count", "events", "events seen").inc(2);
  r.average("m.util", "fraction", "utilisation").sample(0.5);
  r.histogram("m.lat", "cycles", "latency");
  r.scalar("m.bw", "GB/s", "bandwidth").set(12.5);
  std::vector<std::string> seen;
  r.for_each([&](const Stat& s) {
    seen.push_back(s.name() + "|" + std::string(kind_name(s.kind())) + "|" + s.unit() + "|" +
                   s.description());
  });
  const std::vector<std::string> expected = {
      "z.policy|text||scheduling policy", "a.count|counter|events|events seen",
      "m.util|average|fraction|utilisation", "m.lat|histogram|cycles|latency",
      "m.bw|scalar|GB/s|bandwidth"};
  EXPECT_EQ(seen, expected);
}

TEST(StatsRegistry, JsonNestsFollowingDotsInFirstRegistrationOrder) {
  Registry r;
  r.counter("soc.b.x", "", "").inc(1);
  r.counter("soc.a.y", "", "").inc(2);
  r.counter("soc.b.z", "", "").inc(3);  // joins soc.b, which keeps its first place
  r.counter("top", "", "").inc(4);
  const YAML::Node doc = YAML::Load(json_of(r));
  EXPECT_EQ(keys_of(doc), (std::vector<std::string>{"soc", "top"}));
  EXPECT_EQ(keys_of(doc["soc"]), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(keys_of(doc["soc"]["b"]), (std::vector<std::string>{"x", "z"}));
  EXPECT_EQ(doc["soc"]["b"]["z"].as<std::uint64_t>(), 3u);
  EXPECT_EQ(doc["soc"]["a"]["y"].as<std::uint64_t>(), 2u);
  EXPECT_EQ(doc["top"].as<std::uint64_t>(), 4u);
}

TEST(StatsRegistry, JsonValuesRoundTripExactly) {
  Registry r;
  Group g(r, "soc.dram0");
  g.counter("big", "", "").inc(UINT64_MAX);
  g.counter("zero", "", "");
  g.scalar("third", "", "").set(1.0 / 3.0);
  g.scalar("tiny", "", "").set(-1.25e-300);
  g.scalar("huge", "", "").set(6.02214076e23);
  g.scalar("unset", "", "");
  g.scalar("inf", "", "").set(std::numeric_limits<double>::infinity());
  Average& util = g.average("util", "", "");
  util.sample(0.1);
  util.sample(0.2);
  util.sample(0.4);
  g.average("never", "", "");
  g.text("policy", "", "").set("fr-fcfs \"open\" \\ page\n\t\x01 caf\xc3\xa9");
  Histogram& lat = g.histogram("lat", "cycles", "");
  for (std::uint64_t v = 1; v <= 1000; ++v) lat.sample(v);
  lat.sample(1u << 20);
  g.histogram("empty", "cycles", "");

  const YAML::Node d = YAML::Load(json_of(r))["soc"]["dram0"];
  EXPECT_EQ(d["big"].as<std::uint64_t>(), UINT64_MAX);
  EXPECT_EQ(d["zero"].as<std::uint64_t>(), 0u);
  EXPECT_EQ(d["third"].as<double>(), 1.0 / 3.0);  // exact: shortest round-trip repr
  EXPECT_EQ(d["tiny"].as<double>(), -1.25e-300);
  EXPECT_EQ(d["huge"].as<double>(), 6.02214076e23);
  EXPECT_TRUE(d["unset"].IsNull());
  EXPECT_TRUE(d["inf"].IsNull());
  EXPECT_EQ(d["util"].as<double>(), (0.1 + 0.2 + 0.4) / 3.0);
  EXPECT_TRUE(d["never"].IsNull());
  EXPECT_EQ(d["policy"].as<std::string>(), "fr-fcfs \"open\" \\ page\n\t\x01 caf\xc3\xa9");

  const YAML::Node h = d["lat"];
  EXPECT_EQ(keys_of(h), (std::vector<std::string>{"count", "mean", "min", "p50", "p90", "p99",
                                                  "max"}));
  EXPECT_EQ(h["count"].as<std::uint64_t>(), 1001u);
  EXPECT_EQ(h["mean"].as<double>(), (500500.0 + 1048576.0) / 1001.0);
  EXPECT_EQ(h["min"].as<std::uint64_t>(), 1u);
  EXPECT_EQ(h["p50"].as<std::uint64_t>(), 501u);  // rank ceil(500.5) = 501
  EXPECT_EQ(h["p90"].as<std::uint64_t>(), 901u);  // rank ceil(900.9) = 901
  EXPECT_EQ(h["p99"].as<std::uint64_t>(), 991u);  // rank ceil(990.99) = 991
  EXPECT_EQ(h["max"].as<std::uint64_t>(), 1048576u);

  const YAML::Node e = d["empty"];
  EXPECT_EQ(e["count"].as<std::uint64_t>(), 0u);
  for (const char* key : {"mean", "min", "p50", "p90", "p99", "max"}) {
    EXPECT_TRUE(e[key].IsNull()) << key;
  }
}

TEST(StatsRegistry, JsonGoldenFormatting) {
  Registry r;
  r.counter("a.n", "", "").inc(7);
  r.scalar("a.x", "", "").set(2.0);
  r.text("b", "", "").set("s");
  EXPECT_EQ(json_of(r),
            "{\n"
            "  \"a\": {\n"
            "    \"n\": 7,\n"
            "    \"x\": 2\n"
            "  },\n"
            "  \"b\": \"s\"\n"
            "}\n");
  EXPECT_EQ(json_of(Registry{}), "{}\n");
}

TEST(StatsRegistry, ResetValuesKeepsRegistrations) {
  Registry r;
  Counter& c = r.counter("c", "", "");
  Histogram& h = r.histogram("h", "", "");
  Scalar& s = r.scalar("s", "", "");
  c.inc(5);
  h.sample(9);
  s.set(1.5);
  r.reset_values();
  EXPECT_EQ(c.value(), 0u);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(std::isnan(s.value()));
  EXPECT_EQ(r.size(), 3u);
  c.inc();
  EXPECT_EQ(r.find("c")->counter().value(), 1u);
}

TEST(StatsRegistryJsonWriter, CompactNestedDocument) {
  std::ostringstream out;
  JsonWriter w(out, 0);
  w.begin_object();
  w.key("ints");
  w.begin_array();
  w.value(-3);
  w.value(std::uint64_t{18446744073709551615u});
  w.value(std::int64_t{INT64_MIN});
  w.end_array();
  w.key("empty_array");
  w.begin_array();
  w.end_array();
  w.key("empty_object");
  w.begin_object();
  w.end_object();
  w.key("flags");
  w.begin_array();
  w.value(true);
  w.value(false);
  w.null();
  w.end_array();
  w.key("d");
  w.value(0.1);
  w.key("nan");
  w.value(std::nan(""));
  w.key("s");
  w.value("a\"b\\c\x1f");
  w.end_object();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(out.str(),
            "{\"ints\":[-3,18446744073709551615,-9223372036854775808],\"empty_array\":[],"
            "\"empty_object\":{},\"flags\":[true,false,null],\"d\":0.1,\"nan\":null,"
            "\"s\":\"a\\\"b\\\\c\\u001f\"}");
}

TEST(StatsRegistryJsonWriter, ConstCharIsAStringNotABool) {
  std::ostringstream out;
  JsonWriter w(out, 0);
  w.value("text");
  EXPECT_EQ(out.str(), "\"text\"");
}

TEST(StatsRegistryJsonWriter, NumbersIgnoreTheStreamLocale) {
  // A locale with digit grouping would turn 1234567 into "1,234,567" through operator<<.
  struct Grouping : std::numpunct<char> {
    char do_thousands_sep() const override { return ','; }
    std::string do_grouping() const override { return "\3"; }
    char do_decimal_point() const override { return ','; }
  };
  std::ostringstream out;
  out.imbue(std::locale(out.getloc(), new Grouping));
  JsonWriter w(out, 0);
  w.begin_array();
  w.value(1234567);
  w.value(1234.5);
  w.end_array();
  EXPECT_EQ(out.str(), "[1234567,1234.5]");
}

}  // namespace
}  // namespace dmasim::stats
