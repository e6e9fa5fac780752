// The schema layer: Config structs read from YAML with full checking, includes, write-back for
// resolved.yaml and generated documentation. Error positions are worked out by hand from the
// inline fixtures (line and column are 1-based; a value's column is where its text starts).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/config/schema.h"
#include "models/common/config/suggest.h"
#include "models/common/config/units.h"

namespace dmasim::test_schema {

enum class Policy { Fifo, FrFcfs, RoundRobin };

struct Queue {
  unsigned read_queue = 32;
  unsigned write_queue = 32;
  Duration latency{1000};
  friend bool operator==(const Queue&, const Queue&) = default;
  static void describe(cfg::Fields<Queue>& f) {
    f("read_queue", &Queue::read_queue, "read queue entries").required().range(1, 256);
    f("write_queue", &Queue::write_queue, "write queue entries").range(1, 256);
    f("latency", &Queue::latency, "arrival to service");
  }
  void validate(cfg::Validator& v) const {
    if (write_queue > 4 * read_queue)
      v.fail("write_queue", "must be at most four times read_queue");
  }
};

struct Item {
  std::string name;
  ByteSize size{4096};
  bool cached = false;
  friend bool operator==(const Item&, const Item&) = default;
  static void describe(cfg::Fields<Item>& f) {
    f("name", &Item::name, "item name").required();
    f("size", &Item::size, "bytes").range(64, 1 << 30);
    f("cached", &Item::cached, "cacheable");
  }
};

struct Top {
  std::string name;
  Policy policy = Policy::FrFcfs;
  Queue controller;
  std::vector<Item> items;
  std::vector<unsigned> xs;
  std::optional<unsigned> limit;
  bool enabled = true;
  Duration period{7'800'000};
  ByteSize buffer{8u << 20};
  int offset = -3;
  double ratio = 0.5;
  Frequency clock{933'000'000};
  Voltage vdd{1.2};
  Current idd{0.058};
  std::optional<Duration> timeout;
  std::uint8_t small = 7;
  friend bool operator==(const Top&, const Top&) = default;

  static void describe(cfg::Fields<Top>& f) {
    f("name", &Top::name, "system name").required();
    f("policy", &Top::policy, "scheduling policy");
    f("controller", &Top::controller, "the controller queues");
    f("items", &Top::items, "buffers");
    f("xs", &Top::xs, "numbers");
    f("limit", &Top::limit, "optional limit").range(1, 100);
    f("enabled", &Top::enabled, "switch");
    f("period", &Top::period, "refresh period").min(1);
    f("buffer", &Top::buffer, "buffer size");
    f("offset", &Top::offset, "signed offset");
    f("ratio", &Top::ratio, "a fraction").range(0, 1);
    f("clock", &Top::clock, "clock frequency");
    f("vdd", &Top::vdd, "supply");
    f("idd", &Top::idd, "current");
    f("timeout", &Top::timeout, "optional timeout");
    f("small", &Top::small, "8-bit value");
  }
  void validate(cfg::Validator& v) const {
    if (period.ps < controller.latency.ps) v.fail("controller.latency", "must not exceed the period");
    if (timeout && timeout->ps > period.ps) v.fail("timeout", "must not exceed the period");
  }
};

// A struct whose field is itself given as an include (for nested includes).
struct Wrapper {
  Top soc;
  Queue extra;
  friend bool operator==(const Wrapper&, const Wrapper&) = default;
  static void describe(cfg::Fields<Wrapper>& f) {
    f("soc", &Wrapper::soc, "the system").required();
    f("extra", &Wrapper::extra, "another queue");
  }
};

}  // namespace dmasim::test_schema

namespace dmasim::cfg {
template <>
struct EnumNames<test_schema::Policy> {
  static constexpr std::array<std::pair<test_schema::Policy, std::string_view>, 3> names{{
      {test_schema::Policy::Fifo, "fifo"},
      {test_schema::Policy::FrFcfs, "fr_fcfs"},
      {test_schema::Policy::RoundRobin, "round_robin"},
  }};
};
}  // namespace dmasim::cfg

namespace dmasim::test_schema {
namespace {

using cfg::ConfigError;
using cfg::load_yaml_string;

constexpr const char* kGood = R"(name: soc0
policy: round_robin
controller:
  read_queue: 16
  write_queue: 24
  latency: 1.5ns
items:
  - name: a
    size: 4KiB
  - name: b
    size: 1MiB
    cached: true
  - name: c
    size: 64
xs: [1, 2, 0x10]
limit: 10
enabled: false
period: 3.9us
buffer: 16MiB
offset: -12
ratio: 0.25
clock: 1.6GHz
vdd: 1.1V
idd: 36mA
timeout: 2us
small: 255
)";

Top read_top(const std::string& text) { return cfg::read<Top>(load_yaml_string(text, "test.yaml")); }

// Reads `text` expecting a ConfigError; returns it for inspection.
ConfigError error_of(const std::string& text) {
  try {
    read_top(text);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return ConfigError(cfg::Location{}, "", "none");
}

#define EXPECT_ERROR(text, expected_what)        \
  do {                                           \
    const ConfigError e_ = error_of(text);       \
    EXPECT_EQ(std::string(e_.what()), expected_what); \
  } while (0)

// ---- reading a correct document ------------------------------------------------------------

TEST(ConfigSchema, ReadsACorrectDocument) {
  const Top t = read_top(kGood);
  EXPECT_EQ(t.name, "soc0");
  EXPECT_EQ(t.policy, Policy::RoundRobin);
  EXPECT_EQ(t.controller.read_queue, 16u);
  EXPECT_EQ(t.controller.write_queue, 24u);
  EXPECT_EQ(t.controller.latency.ps, 1500u);
  ASSERT_EQ(t.items.size(), 3u);
  EXPECT_EQ(t.items[0], (Item{"a", ByteSize{4096}, false}));
  EXPECT_EQ(t.items[1], (Item{"b", ByteSize{1u << 20}, true}));
  EXPECT_EQ(t.items[2], (Item{"c", ByteSize{64}, false}));
  EXPECT_EQ(t.xs, (std::vector<unsigned>{1, 2, 16}));
  EXPECT_EQ(t.limit, 10u);
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.period.ps, 3'900'000u);
  EXPECT_EQ(t.buffer.bytes, 16u << 20);
  EXPECT_EQ(t.offset, -12);
  EXPECT_DOUBLE_EQ(t.ratio, 0.25);
  EXPECT_EQ(t.clock.hz, 1'600'000'000u);
  EXPECT_DOUBLE_EQ(t.vdd.volts, 1.1);
  EXPECT_DOUBLE_EQ(t.idd.amps, 0.036);
  ASSERT_TRUE(t.timeout.has_value());
  EXPECT_EQ(t.timeout->ps, 2'000'000u);
  EXPECT_EQ(t.small, 255);
}

TEST(ConfigSchema, AbsentAndNullKeysKeepDefaults) {
  const Top t = read_top("name: x\nlimit: ~\ncontroller:\n  read_queue: 8\n  latency:\n");
  const Top d{};
  EXPECT_EQ(t.name, "x");
  EXPECT_EQ(t.policy, d.policy);
  EXPECT_EQ(t.controller.read_queue, 8u);
  EXPECT_EQ(t.controller.write_queue, 32u);
  EXPECT_EQ(t.controller.latency.ps, 1000u);
  EXPECT_FALSE(t.limit.has_value());
  EXPECT_FALSE(t.timeout.has_value());
  EXPECT_TRUE(t.items.empty());
  EXPECT_EQ(t.period, d.period);
  EXPECT_EQ(t.vdd, d.vdd);
  EXPECT_EQ(t.small, 7);
}

TEST(ConfigSchema, ReadsASubtreeWithItsPathPrefix) {
  const cfg::Node root = load_yaml_string("soc:\n  controller:\n    read_queu: 3\n", "test.yaml");
  const cfg::Node* ctrl = root.find("soc")->find("controller");
  ASSERT_NE(ctrl, nullptr);
  try {
    cfg::read<Queue>(*ctrl, "soc.controller");
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "test.yaml:3:5: key 'soc.controller.read_queu': unknown key; did you mean 'read_queue'?");
    EXPECT_EQ(e.key_path(), "soc.controller.read_queu");
  }
}

TEST(ConfigSchema, BoundaryValuesOfRangesAreAccepted) {
  const Top lo = read_top("name: x\ncontroller:\n  read_queue: 1\n  write_queue: 1\nratio: 0\nlimit: 1\nitems: [{name: a, size: 64}]\n");
  EXPECT_EQ(lo.controller.read_queue, 1u);
  EXPECT_EQ(lo.limit, 1u);
  const Top hi = read_top("name: x\ncontroller:\n  read_queue: 256\n  write_queue: 256\nratio: 1\nlimit: 100\nitems: [{name: a, size: 1GiB}]\n");
  EXPECT_EQ(hi.controller.write_queue, 256u);
  EXPECT_EQ(hi.items[0].size.bytes, 1u << 30);
}

// ---- each kind of error: position, full key path, message ----------------------------------

TEST(ConfigSchemaErrors, ErrorsAreUserErrors) {
  try {
    read_top("name: x\nbogus: 1\n");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos);
  }
}

TEST(ConfigSchemaErrors, UnknownKeySuggestsTheClosest) {
  const ConfigError e = error_of("name: x\ncontroller:\n  read_queu: 16\n");
  EXPECT_EQ(std::string(e.what()), "test.yaml:3:3: key 'controller.read_queu': unknown key; did you mean 'read_queue'?");
  EXPECT_EQ(e.key_path(), "controller.read_queu");
  EXPECT_ERROR("name: x\nplicy: fifo\n", "test.yaml:2:1: key 'plicy': unknown key; did you mean 'policy'?");
  EXPECT_ERROR("name: x\nitems:\n  - name: a\n    cahced: true\n",
               "test.yaml:4:5: key 'items[0].cahced': unknown key; did you mean 'cached'?");
}

TEST(ConfigSchemaErrors, FarOffUnknownKeyListsTheAllowedKeys) {
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: 2\n  completely_different: 16\n",
               "test.yaml:4:3: key 'controller.completely_different': unknown key; expected one of: read_queue, "
               "write_queue, latency");
}

TEST(ConfigSchemaErrors, WrongScalarType) {
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: abc\n",
               "test.yaml:3:15: key 'controller.read_queue': expected an unsigned integer, got 'abc'");
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: -1\n",
               "test.yaml:3:15: key 'controller.read_queue': expected an unsigned integer, got '-1'");
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: 2.5\n",
               "test.yaml:3:15: key 'controller.read_queue': expected an unsigned integer, got '2.5'");
  EXPECT_ERROR("name: x\nenabled: maybe\n", "test.yaml:2:10: key 'enabled': expected true or false, got 'maybe'");
  EXPECT_ERROR("name: x\nperiod: 12\n",
               "test.yaml:2:9: key 'period': expected a duration (e.g. 0.833ns, 7.8us), got '12'");
  EXPECT_ERROR("name: x\nbuffer: 1.3B\n",
               "test.yaml:2:9: key 'buffer': expected a size (e.g. 64, 4KiB, 8MiB), got '1.3B'");
  EXPECT_ERROR("name: x\nclock: 933\n", "test.yaml:2:8: key 'clock': expected a frequency (e.g. 933MHz), got '933'");
  EXPECT_ERROR("name: x\nvdd: 1.2mA\n", "test.yaml:2:6: key 'vdd': expected a voltage (e.g. 1.2V), got '1.2mA'");
  EXPECT_ERROR("name: x\nidd: 58\n", "test.yaml:2:6: key 'idd': expected a current (e.g. 58mA), got '58'");
  EXPECT_ERROR("name: x\noffset: 1.5\n", "test.yaml:2:9: key 'offset': expected an integer, got '1.5'");
  EXPECT_ERROR("name: x\nratio: half\n", "test.yaml:2:8: key 'ratio': expected a number, got 'half'");
  EXPECT_ERROR("name: x\ntimeout: soon\n",
               "test.yaml:2:10: key 'timeout': expected a duration (e.g. 0.833ns, 7.8us), got 'soon'");
}

TEST(ConfigSchemaErrors, IntegerTooLargeForItsType) {
  EXPECT_ERROR("name: x\nsmall: 256\n", "test.yaml:2:8: key 'small': value 256 is too large (maximum 255)");
  EXPECT_ERROR("name: x\nxs: [1, 4294967296]\n",
               "test.yaml:2:9: key 'xs[1]': value 4294967296 is too large (maximum 4294967295)");
  EXPECT_ERROR("name: x\noffset: 3000000000\n",
               "test.yaml:2:9: key 'offset': value 3000000000 is out of range [-2147483648, 2147483647]");
}

TEST(ConfigSchemaErrors, MissingRequiredKeyNamesParentDotChild) {
  const ConfigError e = error_of("name: x\ncontroller:\n  write_queue: 3\n");
  EXPECT_EQ(std::string(e.what()), "test.yaml:3:3: key 'controller.read_queue': missing required key");
  EXPECT_EQ(e.key_path(), "controller.read_queue");
  // a required key given as null is missing too
  EXPECT_ERROR("name: ~\n", "test.yaml:1:1: key 'name': missing required key");
  EXPECT_ERROR("policy: fifo\n", "test.yaml:1:1: key 'name': missing required key");
  EXPECT_ERROR("name: x\nitems:\n  - name: a\n  - size: 128\n",
               "test.yaml:4:5: key 'items[1].name': missing required key");
}

TEST(ConfigSchemaErrors, EmptyDocumentReportsTheFirstRequiredKey) {
  const ConfigError e = error_of("");
  EXPECT_NE(std::string(e.what()).find("test.yaml"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("key 'name': missing required key"), std::string::npos) << e.what();
}

TEST(ConfigSchemaErrors, OutOfRangeNamesTheRange) {
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: 0\n",
               "test.yaml:3:15: key 'controller.read_queue': value 0 is out of range [1, 256]");
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: 257\n",
               "test.yaml:3:15: key 'controller.read_queue': value 257 is out of range [1, 256]");
  EXPECT_ERROR("name: x\nratio: 1.5\n", "test.yaml:2:8: key 'ratio': value 1.5 is out of range [0, 1]");
  EXPECT_ERROR("name: x\nperiod: 0ns\n", "test.yaml:2:9: key 'period': value 0ns is below the minimum 1");
  EXPECT_ERROR("name: x\nitems:\n  - name: a\n    size: 2GiB\n",
               "test.yaml:4:11: key 'items[0].size': value 2GiB is out of range [64, 1073741824]");
}

// A range declared on an optional field applies to the value when it is given.
TEST(ConfigSchemaErrors, RangeAppliesToOptionalFields) {
  EXPECT_ERROR("name: x\nlimit: 0\n", "test.yaml:2:8: key 'limit': value 0 is out of range [1, 100]");
  EXPECT_ERROR("name: x\nlimit: 101\n", "test.yaml:2:8: key 'limit': value 101 is out of range [1, 100]");
  EXPECT_EQ(read_top("name: x\nlimit: 100\n").limit, 100u);
}

TEST(ConfigSchemaErrors, WrongEnumValueSuggestsTheClosestChoice) {
  EXPECT_ERROR("name: x\npolicy: fr_fcsf\n",
               "test.yaml:2:9: key 'policy': 'fr_fcsf' is not a valid choice; did you mean 'fr_fcfs'? (choices: fifo, "
               "fr_fcfs, round_robin)");
  EXPECT_ERROR("name: x\npolicy: lottery_scheduling\n",
               "test.yaml:2:9: key 'policy': 'lottery_scheduling' is not a valid choice; expected one of: fifo, "
               "fr_fcfs, round_robin");
  // the names are exact: a case difference is suggested, not accepted
  const ConfigError e = error_of("name: x\npolicy: FIFO\n");
  EXPECT_NE(std::string(e.what()).find("did you mean 'fifo'?"), std::string::npos) << e.what();
}

TEST(ConfigSchemaErrors, MapOrListWhereAScalarIsExpected) {
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: {a: 1}\n",
               "test.yaml:3:15: key 'controller.read_queue': expected an unsigned integer, got a map");
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue:\n    a: 1\n",
               "test.yaml:4:5: key 'controller.read_queue': expected an unsigned integer, got a map");
  EXPECT_ERROR("name: [a, b]\n", "test.yaml:1:7: key 'name': expected a string, got a list");
  EXPECT_ERROR("name: x\npolicy: [fifo]\n", "test.yaml:2:9: key 'policy': expected one of the listed choices, got a list");
  EXPECT_ERROR("name: x\nenabled: {}\n", "test.yaml:2:10: key 'enabled': expected true or false, got a map");
}

TEST(ConfigSchemaErrors, UnitValueGivenAMapSaysWhatWasExpected) {
  const ConfigError e = error_of("name: x\nperiod: {a: 1}\n");
  const std::string what = e.what();
  EXPECT_EQ(what.rfind("test.yaml:2:9: key 'period': expected ", 0), 0u) << what;
  EXPECT_NE(what.find("duration"), std::string::npos) << what;
  EXPECT_NE(what.find("got a map"), std::string::npos) << what;
}

// An empty list item is neither a map nor a list; the message must not claim it is.
TEST(ConfigSchemaErrors, NullListItemIsReportedAsEmpty) {
  const ConfigError e = error_of("name: x\nxs: [1, ~, 3]\n");
  const std::string what = e.what();
  EXPECT_EQ(what.rfind("test.yaml:2:9: key 'xs[1]': expected an unsigned integer, got ", 0), 0u) << what;
  EXPECT_EQ(what.find("got a list"), std::string::npos) << what;
  EXPECT_EQ(what.find("got a map"), std::string::npos) << what;
}

TEST(ConfigSchemaErrors, ScalarWhereAMapOrListIsExpected) {
  EXPECT_ERROR("name: x\ncontroller: 5\n", "test.yaml:2:13: key 'controller': expected a map of keys");
  EXPECT_ERROR("name: x\ncontroller: [1]\n", "test.yaml:2:13: key 'controller': expected a map of keys");
  EXPECT_ERROR("name: x\nitems: 5\n", "test.yaml:2:8: key 'items': expected a list");
  EXPECT_ERROR("name: x\nxs: {a: 1}\n", "test.yaml:2:5: key 'xs': expected a list");
  EXPECT_ERROR("just a scalar\n", "test.yaml:1:1: expected a map of keys");
  EXPECT_ERROR("- a\n- b\n", "test.yaml:1:1: expected a map of keys");
}

TEST(ConfigSchemaErrors, DuplicateKeyNamesTheFullPath) {
  const std::string text = "name: x\ncontroller:\n  read_queue: 1\n  read_queue: 2\n";
  try {
    load_yaml_string(text, "test.yaml");
    FAIL() << "duplicate key accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "test.yaml:4:3: key 'controller.read_queue': duplicate key");
    EXPECT_EQ(e.key_path(), "controller.read_queue");
  }
  try {
    load_yaml_string("name: x\nname: y\n", "test.yaml");
    FAIL() << "duplicate key accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "test.yaml:2:1: key 'name': duplicate key");
  }
  try {
    load_yaml_string("items:\n  - name: a\n  - name: b\n    size: 1\n    name: c\n", "test.yaml");
    FAIL() << "duplicate key accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "test.yaml:5:5: key 'items[1].name': duplicate key");
  }
}

TEST(ConfigSchemaErrors, YamlSyntaxErrorHasTheLine) {
  try {
    load_yaml_string("name: x\ncontroller:\n  read_queue: 2\n write_queue: 3\n", "test.yaml");
    FAIL() << "syntax error accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("test.yaml:4:", 0), 0u) << what;
    EXPECT_NE(what.find("YAML syntax error"), std::string::npos) << what;
  }
  try {
    // yaml-cpp notices the unterminated flow list where the next key starts
    load_yaml_string("a: 1\nb: [1, 2\nc: 3\n", "test.yaml");
    FAIL() << "syntax error accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("test.yaml:3:", 0), 0u) << what;
    EXPECT_NE(what.find("YAML syntax error"), std::string::npos) << what;
  }
}

TEST(ConfigSchemaErrors, ListItemErrorsNameTheIndex) {
  EXPECT_ERROR("name: x\nitems:\n  - name: a\n  - name: b\n  - name: c\n    size: 12 parsecs\n",
               "test.yaml:6:11: key 'items[2].size': expected a size (e.g. 64, 4KiB, 8MiB), got '12 parsecs'");
  EXPECT_ERROR("name: x\nitems:\n  - name: a\n  - name: b\n  - name: c\n    size: 32\n",
               "test.yaml:6:11: key 'items[2].size': value 32 is out of range [64, 1073741824]");
  EXPECT_ERROR("name: x\nxs: [1, 2, x]\n", "test.yaml:2:12: key 'xs[2]': expected an unsigned integer, got 'x'");
  EXPECT_ERROR("name: x\nitems: [{name: a}, 7]\n", "test.yaml:2:20: key 'items[1]': expected a map of keys");
}

TEST(ConfigSchemaErrors, CrossFieldChecksPointAtTheNamedKey) {
  // nested struct's own validate(): path is relative to the struct
  EXPECT_ERROR("name: x\ncontroller:\n  read_queue: 2\n  write_queue: 9\n",
               "test.yaml:4:16: key 'controller.write_queue': must be at most four times read_queue");
  // a dotted key the user wrote
  EXPECT_ERROR("name: x\nperiod: 1ns\ncontroller:\n  read_queue: 8\n  latency: 2ns\n",
               "test.yaml:5:12: key 'controller.latency': must not exceed the period");
  // a dotted key the user did not write: points at the deepest map that exists
  EXPECT_ERROR("name: x\nperiod: 1ps\n", "test.yaml:1:1: key 'controller.latency': must not exceed the period");
  EXPECT_ERROR("name: x\ntimeout: 1ms\n", "test.yaml:2:10: key 'timeout': must not exceed the period");
}

// ---- includes --------------------------------------------------------------------------------

class ConfigInclude : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("dmasim_config_include_") + info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "sub");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& rel, const std::string& text) {
    const auto p = dir_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& rel) const { return (dir_ / rel).lexically_normal().string(); }

  std::filesystem::path dir_;
};

TEST_F(ConfigInclude, StructValuedKeyMayNameAFileRelativeToTheIncludingFile) {
  write("sub/queue.yaml", "read_queue: 8\nwrite_queue: 9\nlatency: 2ns\n");
  write("sub/item.yaml", "name: from_file\nsize: 2KiB\n");
  const std::string main = write("main.yaml", "name: inc\ncontroller: sub/queue.yaml\nitems:\n  - sub/item.yaml\n  - name: inline\n");
  const Top t = cfg::read<Top>(cfg::load_yaml_file(main));
  EXPECT_EQ(t.controller, (Queue{8, 9, Duration{2000}}));
  ASSERT_EQ(t.items.size(), 2u);
  EXPECT_EQ(t.items[0], (Item{"from_file", ByteSize{2048}, false}));
  EXPECT_EQ(t.items[1].name, "inline");
}

TEST_F(ConfigInclude, NestedIncludesResolveRelativeToTheirOwnFile) {
  write("sub/queue.yaml", "read_queue: 8\n");
  write("sub/top.yaml", "name: nested\ncontroller: queue.yaml\n");
  const std::string main = write("wrapper.yaml", "soc: sub/top.yaml\nextra: sub/queue.yaml\n");
  const Wrapper w = cfg::read<Wrapper>(cfg::load_yaml_file(main));
  EXPECT_EQ(w.soc.name, "nested");
  EXPECT_EQ(w.soc.controller.read_queue, 8u);
  EXPECT_EQ(w.extra.read_queue, 8u);
}

TEST_F(ConfigInclude, ErrorsInsideTheIncludedFileNameThatFileAndLine) {
  write("sub/bad_queue.yaml", "write_queue: 4\nread_queue: lots\n");
  const std::string main = write("main.yaml", "name: inc\ncontroller: sub/bad_queue.yaml\n");
  try {
    cfg::read<Top>(cfg::load_yaml_file(main));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), path("sub/bad_queue.yaml") +
                                         ":2:13: key 'controller.read_queue': expected an unsigned integer, got 'lots'");
  }
  write("sub/typo_queue.yaml", "read_queue: 4\n\nwirte_queue: 4\n");
  write("main2.yaml", "name: inc\ncontroller: sub/typo_queue.yaml\n");
  try {
    cfg::read<Top>(cfg::load_yaml_file(path("main2.yaml")));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              path("sub/typo_queue.yaml") + ":3:1: key 'controller.wirte_queue': unknown key; did you mean 'write_queue'?");
  }
}

TEST_F(ConfigInclude, ErrorsTwoIncludesDeepNameTheInnermostFile) {
  write("sub/queue.yaml", "read_queue: 0\n");
  write("sub/top.yaml", "name: nested\ncontroller: queue.yaml\n");
  const std::string main = write("wrapper.yaml", "soc: sub/top.yaml\n");
  try {
    cfg::read<Wrapper>(cfg::load_yaml_file(main));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              path("sub/queue.yaml") + ":1:13: key 'soc.controller.read_queue': value 0 is out of range [1, 256]");
  }
}

TEST_F(ConfigInclude, CrossFieldErrorInIncludedFileNamesThatFile) {
  write("sub/top.yaml", "name: t\n\ntimeout: 1s\n");
  const std::string main = write("wrapper.yaml", "soc: sub/top.yaml\n");
  try {
    cfg::read<Wrapper>(cfg::load_yaml_file(main));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), path("sub/top.yaml") + ":3:10: key 'soc.timeout': must not exceed the period");
  }
}

TEST_F(ConfigInclude, SyntaxErrorInIncludedFileNamesThatFile) {
  write("sub/broken.yaml", "read_queue: 4\nwrite_queue: [1,\n");
  const std::string main = write("main.yaml", "name: inc\ncontroller: sub/broken.yaml\n");
  try {
    cfg::read<Top>(cfg::load_yaml_file(main));
    FAIL();
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path("sub/broken.yaml") + ":", 0), 0u) << what;
    EXPECT_NE(what.find("YAML syntax error"), std::string::npos) << what;
  }
}

TEST_F(ConfigInclude, MissingIncludedFileIsReportedWhereItIsNamed) {
  const std::string main = write("main.yaml", "name: inc\ncontroller: sub/nothere.yaml\n");
  try {
    cfg::read<Top>(cfg::load_yaml_file(main));
    FAIL();
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path("main.yaml") + ":2:13: ", 0), 0u) << what;
    EXPECT_NE(what.find("nothere.yaml"), std::string::npos) << what;
    EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
    EXPECT_NE(what.find("'controller'"), std::string::npos) << what;
  }
}

TEST_F(ConfigInclude, StringFieldsEndingInYamlAreNotIncludes) {
  const std::string main = write("main.yaml", "name: other.yaml\n");
  EXPECT_EQ(cfg::read<Top>(cfg::load_yaml_file(main)).name, "other.yaml");
}

TEST(ConfigLoad, MissingFileIsAConfigError) {
  EXPECT_THROW(cfg::load_yaml_file("/nonexistent/dir/file.yaml"), ConfigError);
}

// ---- write, to_yaml and round trips --------------------------------------------------------

Top reread(const Top& t) {
  const std::string text = cfg::to_yaml(cfg::write(t));
  return cfg::read<Top>(load_yaml_string(text, "resolved.yaml"));
}

TEST(ConfigWrite, ReadWriteReadGivesAnEqualStruct) {
  const Top t = read_top(kGood);
  EXPECT_EQ(reread(t), t) << cfg::to_yaml(cfg::write(t));
  const Top twice = reread(reread(t));
  EXPECT_EQ(cfg::to_yaml(cfg::write(twice)), cfg::to_yaml(cfg::write(t)));
}

TEST(ConfigWrite, DefaultsRoundTrip) {
  Top t;
  t.name = "defaults";
  EXPECT_EQ(reread(t), t);
}

TEST(ConfigWrite, AwkwardValuesRoundTripExactly) {
  for (const char* name : {"", "null", "~", "yes", "a: b #c", " leading", "multi\nline", "[1]", "- x", "0x40", "'q'"}) {
    Top t;
    t.name = name;
    EXPECT_EQ(reread(t).name, name) << cfg::to_yaml(cfg::write(t));
  }
  Top t;
  t.name = "exact";
  t.period = Duration{1'000'000'001};     // 1 ms + 1 ps
  t.timeout = Duration{1'000'000'000'001};  // would fail validate; keep it below the period
  t.timeout = Duration{999'999'999};
  t.clock = Frequency{1'866'666'667};
  t.vdd = *units::parse_voltage("9mV");
  t.idd = *units::parse_current("0.036A");
  t.ratio = 0.1;
  t.offset = -2147483647 - 1;
  t.xs = {0, 4294967295u};
  t.items = {Item{"i", ByteSize{1536}, true}};
  const Top back = reread(t);
  EXPECT_EQ(back.period, t.period) << units::format(t.period);
  EXPECT_EQ(back.clock, t.clock) << units::format(t.clock);
  EXPECT_EQ(back.vdd, t.vdd) << units::format(t.vdd);
  EXPECT_EQ(back.idd, t.idd) << units::format(t.idd);
  EXPECT_EQ(back, t);
}

TEST(ConfigWrite, OptionalsAreOmittedWhenUnset) {
  Top t;
  t.name = "x";
  const cfg::Node n = cfg::write(t);
  EXPECT_EQ(n.find("limit"), nullptr);
  EXPECT_EQ(n.find("timeout"), nullptr);
  t.limit = 5;
  const cfg::Node m = cfg::write(t);
  ASSERT_NE(m.find("limit"), nullptr);
  EXPECT_EQ(m.find("limit")->value(), "5");
}

TEST(ConfigWrite, ToYamlParsesBackWithYamlCpp) {
  const Top t = read_top(kGood);
  const std::string text = cfg::to_yaml(cfg::write(t));
  YAML::Node y;
  ASSERT_NO_THROW(y = YAML::Load(text)) << text;
  ASSERT_TRUE(y.IsMap());
  EXPECT_EQ(y["name"].as<std::string>(), "soc0");
  EXPECT_EQ(y["policy"].as<std::string>(), "round_robin");
  EXPECT_EQ(y["controller"]["read_queue"].as<unsigned>(), 16u);
  EXPECT_EQ(y["controller"]["latency"].as<std::string>(), "1.5ns");
  ASSERT_TRUE(y["items"].IsSequence());
  EXPECT_EQ(y["items"].size(), 3u);
  EXPECT_EQ(y["items"][1]["size"].as<std::string>(), "1MiB");
  EXPECT_EQ(y["items"][1]["cached"].as<bool>(), true);
  EXPECT_EQ(y["xs"][2].as<unsigned>(), 16u);
  EXPECT_EQ(y["enabled"].as<bool>(), false);
  EXPECT_EQ(y["period"].as<std::string>(), "3.9us");
  EXPECT_EQ(y["buffer"].as<std::string>(), "16MiB");
  EXPECT_EQ(y["offset"].as<int>(), -12);
  EXPECT_DOUBLE_EQ(y["ratio"].as<double>(), 0.25);
  EXPECT_EQ(y["clock"].as<std::string>(), "1.6GHz");
  EXPECT_EQ(y["vdd"].as<std::string>(), "1.1V");
  EXPECT_EQ(y["idd"].as<std::string>(), "36mA");
  EXPECT_EQ(y["small"].as<unsigned>(), 255u);
  // keys keep declaration order
  std::vector<std::string> keys;
  for (const auto& kv : y) keys.push_back(kv.first.as<std::string>());
  EXPECT_EQ(keys.front(), "name");
  EXPECT_EQ(keys.back(), "small");
}

TEST(ConfigWrite, ToYamlOfHandBuiltTrees) {
  cfg::Node root = cfg::Node::map();
  root.set("empty_map", cfg::Node::map());
  root.set("empty_list", cfg::Node::seq());
  root.set("nothing", cfg::Node{});
  cfg::Node list = cfg::Node::seq();
  list.push_back(cfg::Node::scalar("a"));
  list.push_back(cfg::Node::scalar(""));
  root.set("list", std::move(list));
  const YAML::Node y = YAML::Load(cfg::to_yaml(root));
  EXPECT_TRUE(y["empty_map"].IsMap());
  EXPECT_EQ(y["empty_map"].size(), 0u);
  EXPECT_TRUE(y["empty_list"].IsSequence());
  EXPECT_TRUE(y["nothing"].IsNull());
  EXPECT_EQ(y["list"][1].as<std::string>(), "");
  // and our own loader reads it back with the same shape
  const cfg::Node back = load_yaml_string(cfg::to_yaml(root), "x");
  EXPECT_TRUE(back.find("empty_map")->is_map());
  EXPECT_TRUE(back.find("empty_list")->is_seq());
  EXPECT_TRUE(back.find("nothing")->is_null());
  EXPECT_TRUE(back.find("list")->items()[1].is_scalar());
}

// ---- document<T>() -----------------------------------------------------------------------

const cfg::FieldDoc* row(const std::vector<cfg::FieldDoc>& rows, const std::string& path) {
  for (const auto& r : rows)
    if (r.path == path) return &r;
  return nullptr;
}

TEST(ConfigDocument, ListsFieldsWithDefaultsTypesAndDocs) {
  std::vector<cfg::FieldDoc> rows;
  cfg::document<Top>(rows);
  ASSERT_GE(rows.size(), 16u);
  EXPECT_EQ(rows[0].path, "name");
  const auto* name = row(rows, "name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->type, "string");
  EXPECT_EQ(name->default_value, "(required)");
  EXPECT_EQ(name->doc, "system name");
  const auto* policy = row(rows, "policy");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->default_value, "fr_fcfs");
  EXPECT_EQ(row(rows, "period")->default_value, "7.8us");
  EXPECT_NE(row(rows, "period")->type.find("duration"), std::string::npos);
  EXPECT_EQ(row(rows, "buffer")->default_value, "8MiB");
  EXPECT_EQ(row(rows, "clock")->default_value, "933MHz");
  EXPECT_EQ(row(rows, "vdd")->default_value, "1.2V");
  EXPECT_EQ(row(rows, "idd")->default_value, "58mA");
  EXPECT_EQ(row(rows, "enabled")->default_value, "true");
  EXPECT_EQ(row(rows, "offset")->default_value, "-3");
  EXPECT_EQ(row(rows, "ratio")->default_value, "0.5");
  EXPECT_EQ(row(rows, "small")->default_value, "7");
  EXPECT_EQ(row(rows, "limit")->default_value, "");
  EXPECT_EQ(row(rows, "xs")->type, "list");
  EXPECT_EQ(row(rows, "controller")->type, "map");
}

TEST(ConfigDocument, RecursesIntoNestedStructs) {
  std::vector<cfg::FieldDoc> rows;
  cfg::document<Top>(rows, "soc");
  const auto* rq = row(rows, "soc.controller.read_queue");
  ASSERT_NE(rq, nullptr) << "nested fields are not documented";
  EXPECT_EQ(rq->type, "unsigned integer");
  EXPECT_EQ(rq->default_value, "(required)");
  EXPECT_EQ(rq->doc, "read queue entries");
  const auto* wq = row(rows, "soc.controller.write_queue");
  ASSERT_NE(wq, nullptr);
  EXPECT_EQ(wq->default_value, "32");
  ASSERT_NE(row(rows, "soc.controller.latency"), nullptr);
  EXPECT_EQ(row(rows, "soc.controller.latency")->default_value, "1ns");
  // the nested rows follow their parent row
  std::size_t parent = rows.size(), child = rows.size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].path == "soc.controller") parent = i;
    if (rows[i].path == "soc.controller.read_queue") child = i;
  }
  EXPECT_EQ(child, parent + 1);
}

TEST(ConfigDocument, ListsTheFieldsOfListItemsChoicesAndRanges) {
  std::vector<cfg::FieldDoc> rows;
  cfg::document<Top>(rows);
  // a list of structs documents its items' fields under "key[]", right after its own row
  const auto* items = row(rows, "items");
  ASSERT_NE(items, nullptr);
  EXPECT_EQ(items->type, "list of maps");
  EXPECT_EQ(items->default_value, "[]");
  const auto* size = row(rows, "items[].size");
  ASSERT_NE(size, nullptr) << "list items are not documented";
  EXPECT_EQ(size->default_value, "4KiB");
  EXPECT_TRUE(size->range.empty()) << "a size's range is in bytes, not shown as a bare number";
  EXPECT_EQ(row(rows, "items[].name")->default_value, "(required)");
  EXPECT_TRUE(row(rows, "items[].name")->required);
  EXPECT_EQ(row(rows, "items[].name"), items + 1);
  // a list of scalars stays one row
  EXPECT_EQ(row(rows, "xs")->type, "list");
  EXPECT_EQ(row(rows, "xs[]"), nullptr);
  // choice fields list their words; other fields none
  EXPECT_EQ(row(rows, "policy")->choices, (std::vector<std::string>{"fifo", "fr_fcfs", "round_robin"}));
  EXPECT_TRUE(row(rows, "name")->choices.empty());
  // plain numbers show their range; optional ones too
  EXPECT_EQ(row(rows, "limit")->range, "1 to 100");
  EXPECT_EQ(row(rows, "ratio")->range, "0 to 1");
  EXPECT_TRUE(row(rows, "period")->range.empty());
  EXPECT_TRUE(row(rows, "offset")->range.empty());
  std::vector<cfg::FieldDoc> nested;
  cfg::document<Top>(nested, "soc");
  EXPECT_EQ(row(nested, "soc.controller.read_queue")->range, "1 to 256");
  ASSERT_NE(row(nested, "soc.items[].cached"), nullptr);
}

// ---- nodes, locations and suggestions ------------------------------------------------------

TEST(ConfigNode, LocationsOfKeysAndValues) {
  const cfg::Node root = load_yaml_string("a: 1\nb:\n  c: [x, yy]\n  d: {e: f}\n", "loc.yaml");
  ASSERT_TRUE(root.is_map());
  ASSERT_EQ(root.entries().size(), 2u);
  EXPECT_EQ(root.entries()[0].key_loc.str(), "loc.yaml:1:1");
  EXPECT_EQ(root.entries()[0].node.loc().str(), "loc.yaml:1:4");
  const cfg::Node* b = root.find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->entries()[0].key_loc.str(), "loc.yaml:3:3");
  const cfg::Node* c = b->find("c");
  ASSERT_TRUE(c->is_seq());
  EXPECT_EQ(c->loc().str(), "loc.yaml:3:6");
  EXPECT_EQ(c->items()[1].loc().str(), "loc.yaml:3:10");
  EXPECT_EQ(c->items()[1].value(), "yy");
  EXPECT_EQ(b->find("d")->find("e")->loc().str(), "loc.yaml:4:10");
  EXPECT_EQ(root.find("zz"), nullptr);
}

TEST(ConfigNode, LocationStrings) {
  EXPECT_EQ((cfg::Location{"f.yaml", 3, 7, {}}).str(), "f.yaml:3:7");
  EXPECT_EQ((cfg::Location{"f.yaml", 0, 0, {}}).str(), "f.yaml");
  EXPECT_EQ((cfg::Location{"", 0, 0, "--set a=1"}).str(), "--set a=1");
  EXPECT_EQ((cfg::Location{"f.yaml", 3, 7, "--set a=1"}).str(), "--set a=1");
  EXPECT_EQ(cfg::Location{}.str(), "<built-in>");
  const ConfigError e(cfg::Location{}, "", "plain");
  EXPECT_EQ(std::string(e.what()), "<built-in>: plain");
}

TEST(ConfigNode, SetReplacesInPlaceAndKeepsOrder) {
  cfg::Node m = cfg::Node::map();
  m.set("a", cfg::Node::scalar("1"));
  m.set("b", cfg::Node::scalar("2"));
  m.set("a", cfg::Node::scalar("3"));
  ASSERT_EQ(m.entries().size(), 2u);
  EXPECT_EQ(m.entries()[0].key, "a");
  EXPECT_EQ(m.entries()[0].node.value(), "3");
  cfg::Node null_node;
  null_node.set("k", cfg::Node::scalar("v"));
  EXPECT_TRUE(null_node.is_map());
}

TEST(ConfigNode, NonScalarKeysAreRejected) {
  EXPECT_THROW(load_yaml_string("? [a, b]\n: 1\n", "k.yaml"), ConfigError);
}

TEST(ConfigNode, QuotedNullIsAStringNotNull) {
  const cfg::Node root = load_yaml_string("a: null\nb: 'null'\nc: ~\nd: ''\n", "n.yaml");
  EXPECT_TRUE(root.find("a")->is_null());
  EXPECT_TRUE(root.find("b")->is_scalar());
  EXPECT_TRUE(root.find("c")->is_null());
  EXPECT_TRUE(root.find("d")->is_scalar());
  EXPECT_EQ(root.find("d")->value(), "");
}

TEST(ConfigSuggest, EditDistanceAndClosest) {
  EXPECT_EQ(cfg::edit_distance("", ""), 0u);
  EXPECT_EQ(cfg::edit_distance("abc", ""), 3u);
  EXPECT_EQ(cfg::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(cfg::edit_distance("read_queu", "read_queue"), 1u);
  EXPECT_EQ(cfg::edit_distance("wirte", "write"), 1u);  // a transposition is one edit
  EXPECT_EQ(cfg::edit_distance("tRCD", "trcd"), 0u);    // case-insensitive
  const std::vector<std::string> keys{"read_queue", "write_queue", "latency"};
  EXPECT_EQ(cfg::closest("read_queu", keys), "read_queue");
  EXPECT_EQ(cfg::closest("wrte_queue", keys), "write_queue");
  EXPECT_EQ(cfg::closest("latncy", keys), "latency");
  EXPECT_EQ(cfg::closest("completely_different", keys), "");
  EXPECT_EQ(cfg::closest("x", {}), "");
  EXPECT_EQ(cfg::suggestion_suffix("read_queu", keys), "; did you mean 'read_queue'?");
  EXPECT_EQ(cfg::suggestion_suffix("zzzzzzzzzz", keys), "; expected one of: read_queue, write_queue, latency");
  EXPECT_EQ(cfg::suggestion_suffix("zzzz", {}), "");
}

}  // namespace
}  // namespace dmasim::test_schema
