// --set KEY=VALUE overrides: applied to the Node tree before the schema reads it; every node an
// override creates carries the --set text as its origin, so errors point at the command line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/config/overrides.h"
#include "models/common/config/schema.h"

namespace dmasim::test_overrides {

struct Timing {
  unsigned CL = 0;
  unsigned tRCD = 0;
  friend bool operator==(const Timing&, const Timing&) = default;
  static void describe(cfg::Fields<Timing>& f) {
    f("CL", &Timing::CL, "read latency").required().range(1, 64);
    f("tRCD", &Timing::tRCD, "ACT to column command");
  }
};

struct Spec {
  std::string name;
  Timing timing;
  static void describe(cfg::Fields<Spec>& f) {
    f("name", &Spec::name, "device").required();
    f("timing", &Spec::timing, "timings").required();
  }
};

struct Item {
  std::string name;
  ByteSize size{64};
  static void describe(cfg::Fields<Item>& f) {
    f("name", &Item::name, "item").required();
    f("size", &Item::size, "bytes");
  }
};

struct Inner {
  unsigned b = 1;
  unsigned c = 2;
  static void describe(cfg::Fields<Inner>& f) {
    f("b", &Inner::b, "b");
    f("c", &Inner::c, "c").range(0, 10);
  }
};

struct Root {
  Inner a;
  std::vector<unsigned> xs;
  std::vector<Item> items;
  std::optional<Spec> spare;  // an optional struct
  Spec memspec;
  std::string label = "none";
  static void describe(cfg::Fields<Root>& f) {
    f("a", &Root::a, "inner");
    f("xs", &Root::xs, "list");
    f("items", &Root::items, "items");
    f("memspec", &Root::memspec, "device spec");
    f("label", &Root::label, "label");
    f("spare", &Root::spare, "optional struct");
  }
};

namespace {

using cfg::ConfigError;

class ConfigOverrides : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("dmasim_config_overrides_") + info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write("spec.yaml", "name: ddr\ntiming:\n  CL: 16\n  tRCD: 16\n");
    main_ = write("main.yaml",
                  "a:\n  b: 5\n  c: 6\nxs: [7, 8]\nitems:\n  - name: first\n  - item.yaml\n  - name: third\n    size: 128\n"
                  "memspec: spec.yaml\n");
    write("item.yaml", "name: from_file\nsize: 4KiB\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& rel, const std::string& text) {
    const auto p = dir_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

  cfg::Node load() const { return cfg::load_yaml_file(main_); }

  Root read_with(const std::vector<std::string>& sets) const {
    cfg::Node root = load();
    cfg::apply_overrides(root, sets);
    return cfg::read<Root>(root);
  }

  // what() of the ConfigError raised by applying `sets` and reading.
  std::string error_with(const std::vector<std::string>& sets) const {
    try {
      read_with(sets);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no ConfigError";
    return {};
  }

  std::filesystem::path dir_;
  std::string main_;
};

TEST(ConfigOverrideParse, SplitsKeyAndValue) {
  const cfg::Override o = cfg::parse_override("a.b=3");
  EXPECT_EQ(o.path, "a.b");
  EXPECT_EQ(o.value, "3");
  EXPECT_EQ(o.origin, "--set a.b=3");
  const cfg::Override eq = cfg::parse_override("label=x=y");
  EXPECT_EQ(eq.path, "label");
  EXPECT_EQ(eq.value, "x=y");
  const cfg::Override empty = cfg::parse_override("label=");
  EXPECT_EQ(empty.path, "label");
  EXPECT_EQ(empty.value, "");
}

TEST(ConfigOverrideParse, MalformedTextIsAUserError) {
  for (const char* bad : {"novalue", "=3", "", "a..b=3", ".a=3", "a.=3", "."}) {
    try {
      cfg::parse_override(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("--set"), std::string::npos) << e.what();
    }
  }
  try {
    cfg::parse_override("novalue");
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("KEY=VALUE"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("novalue"), std::string::npos) << e.what();
  }
}

TEST_F(ConfigOverrides, NoOverridesReadsTheFile) {
  const Root r = read_with({});
  EXPECT_EQ(r.a.b, 5u);
  EXPECT_EQ(r.a.c, 6u);
  EXPECT_EQ(r.xs, (std::vector<unsigned>{7, 8}));
  ASSERT_EQ(r.items.size(), 3u);
  EXPECT_EQ(r.items[1].name, "from_file");
  EXPECT_EQ(r.memspec.timing, (Timing{16, 16}));
}

TEST_F(ConfigOverrides, ReplacesAValue) {
  const Root r = read_with({"a.b=3"});
  EXPECT_EQ(r.a.b, 3u);
  EXPECT_EQ(r.a.c, 6u);
}

TEST_F(ConfigOverrides, LaterOverridesWin) {
  EXPECT_EQ(read_with({"a.b=3", "a.b=4"}).a.b, 4u);
}

TEST_F(ConfigOverrides, AddsAKeyTheFileDoesNotHaveAndCreatesMaps) {
  EXPECT_EQ(read_with({"label=hello"}).label, "hello");
  cfg::Node root = cfg::load_yaml_string("xs: [1]\n", "t.yaml");
  cfg::apply_overrides(root, {"a.c=9"});
  EXPECT_EQ(cfg::read<Root>(root).a.c, 9u);
  EXPECT_EQ(cfg::read<Root>(root).a.b, 1u);
}

TEST_F(ConfigOverrides, ErrorInTheValueCitesTheSetOrigin) {
  EXPECT_EQ(error_with({"a.b=abc"}), "--set a.b=abc: key 'a.b': expected an unsigned integer, got 'abc'");
  EXPECT_EQ(error_with({"a.c=11"}), "--set a.c=11: key 'a.c': value 11 is out of range [0, 10]");
  EXPECT_EQ(error_with({"a={b: x}"}), "--set a={b: x}: key 'a.b': expected an unsigned integer, got 'x'");
}

TEST_F(ConfigOverrides, UnknownKeyCitesTheSetOrigin) {
  EXPECT_EQ(error_with({"a.typo=3"}), "--set a.typo=3: key 'a.typo': unknown key; expected one of: b, c");
  EXPECT_EQ(error_with({"lable=x"}), "--set lable=x: key 'lable': unknown key; did you mean 'label'?");
  EXPECT_EQ(error_with({"memspec.timing.tRDC=3"}),
            "--set memspec.timing.tRDC=3: key 'memspec.timing.tRDC': unknown key; did you mean 'tRCD'?");
}

TEST_F(ConfigOverrides, SetsInsideAnIncludedFile) {
  const Root r = read_with({"memspec.timing.CL=17"});
  EXPECT_EQ(r.memspec.timing.CL, 17u);
  EXPECT_EQ(r.memspec.timing.tRCD, 16u);  // the rest of the included file is kept
  EXPECT_EQ(r.memspec.name, "ddr");
}

TEST_F(ConfigOverrides, ErrorsInAnIncludedFileStillNameIt) {
  write("spec.yaml", "name: ddr\ntiming:\n  CL: 16\n  tRCD: x\n");
  const std::string what = error_with({"memspec.timing.CL=17"});
  EXPECT_EQ(what, (dir_ / "spec.yaml").string() + ":4:9: key 'memspec.timing.tRCD': expected an unsigned integer, got 'x'");
  EXPECT_EQ(error_with({"memspec.timing.CL=0"}),
            "--set memspec.timing.CL=0: key 'memspec.timing.CL': value 0 is out of range [1, 64]");
}

TEST_F(ConfigOverrides, FlowListsAndMaps) {
  EXPECT_EQ(read_with({"xs=[1,2,3]"}).xs, (std::vector<unsigned>{1, 2, 3}));
  EXPECT_EQ(read_with({"xs=[1, 2, 3]"}).xs, (std::vector<unsigned>{1, 2, 3}));
  EXPECT_TRUE(read_with({"xs=[]"}).xs.empty());
  const Root r = read_with({"a={b: 9}"});
  EXPECT_EQ(r.a.b, 9u);
  EXPECT_EQ(r.a.c, 2u);  // the whole map was replaced, so c is back to its default
  EXPECT_EQ(error_with({"xs=[1,x,3]"}), "--set xs=[1,x,3]: key 'xs[1]': expected an unsigned integer, got 'x'");
}

TEST_F(ConfigOverrides, ListItemsByIndex) {
  EXPECT_EQ(read_with({"xs.1=99"}).xs, (std::vector<unsigned>{7, 99}));
  EXPECT_EQ(read_with({"items.2.size=8KiB"}).items[2].size.bytes, 8192u);
  EXPECT_EQ(read_with({"items.0.size=256"}).items[0].size.bytes, 256u);
}

TEST_F(ConfigOverrides, ListItemThatIsAnIncludeIsLoaded) {
  const Root r = read_with({"items.1.size=128"});
  EXPECT_EQ(r.items[1].size.bytes, 128u);
  EXPECT_EQ(r.items[1].name, "from_file");  // the include is not dropped
}

TEST_F(ConfigOverrides, BadListIndex) {
  cfg::Node root = load();
  EXPECT_THROW(cfg::apply_overrides(root, {"items.7.size=1"}), ConfigError);
  try {
    cfg::apply_overrides(root, {"items.7.size=1"});
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("--set items.7.size=1: ", 0), 0u) << what;
    EXPECT_NE(what.find("the list has 3"), std::string::npos) << what;
  }
  EXPECT_THROW(cfg::apply_overrides(root, {"xs.5=1"}), ConfigError);
  EXPECT_THROW(cfg::apply_overrides(root, {"xs.first=1"}), ConfigError);
  EXPECT_THROW(cfg::apply_overrides(root, {"items.x.size=1"}), ConfigError);
}

TEST_F(ConfigOverrides, SettingBelowAScalarIsAnError) {
  for (const char* set : {"memspec.name.x=1", "a.b.deeper=1", "a.b.d.e=1", "xs.0.a=1", "xs.0.a.b=1"}) {
    cfg::Node root = load();
    try {
      cfg::apply_overrides(root, {set});
      ADD_FAILURE() << set << " accepted; tree now:\n" << cfg::to_yaml(root);
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(std::string("--set ") + set + ": ", 0), 0u) << what;
    }
  }
}

TEST_F(ConfigOverrides, MalformedValueIsAConfigError) {
  cfg::Node root = load();
  try {
    cfg::apply_overrides(root, {"xs=[1,2"});
    FAIL();
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--set xs=[1,2"), std::string::npos) << what;
    EXPECT_NE(what.find("YAML syntax error"), std::string::npos) << what;
  }
  EXPECT_THROW(cfg::apply_overrides(root, {"=3"}), UserError);
  EXPECT_THROW(cfg::apply_overrides(root, {"novalue"}), UserError);
}

TEST_F(ConfigOverrides, NodesCreatedByAnOverrideCarryItsOrigin) {
  cfg::Node root = load();
  cfg::apply_overrides(root, {"a.new={x: [1, 2]}"});
  const cfg::Node* a = root.find("a");
  ASSERT_NE(a, nullptr);
  const cfg::MapEntry& e = a->entries().back();
  EXPECT_EQ(e.key, "new");
  EXPECT_EQ(e.key_loc.str(), "--set a.new={x: [1, 2]}");
  EXPECT_EQ(e.node.loc().str(), "--set a.new={x: [1, 2]}");
  EXPECT_EQ(e.node.find("x")->items()[1].loc().str(), "--set a.new={x: [1, 2]}");
  // untouched values keep their file location
  EXPECT_EQ(a->find("b")->loc().str(), main_ + ":2:6");
}

TEST_F(ConfigOverrides, CreatesAnOptionalStructWhichIsThenChecked) {
  EXPECT_FALSE(read_with({}).spare.has_value());
  const Root r = read_with({"spare.name=s", "spare.timing.CL=4"});
  ASSERT_TRUE(r.spare.has_value());
  EXPECT_EQ(r.spare->name, "s");
  EXPECT_EQ(r.spare->timing.CL, 4u);
  EXPECT_EQ(error_with({"spare.name=s"}), "--set spare.name=s: key 'spare.timing': missing required key");
}

TEST_F(ConfigOverrides, EmptyValueMeansUnset) {
  EXPECT_EQ(read_with({"label="}).label, "none");
  const std::string what = error_with({"memspec.name="});
  EXPECT_NE(what.find("key 'memspec.name': missing required key"), std::string::npos) << what;
}

}  // namespace
}  // namespace dmasim::test_overrides
