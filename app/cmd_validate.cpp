// dmasim validate: checks a configuration file without running it.
#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "app/cli.h"
#include "models/common/config/schema.h"
#include "models/common/error.h"
#include "models/dram/dram_config.h"
#include "platform/scenario.h"

namespace po = boost::program_options;

namespace dmasim::app {

int cmd_validate(const std::vector<std::string>& args) {
  std::vector<std::string> files, overrides;
  bool print = false;
  po::options_description opts(
      "usage: dmasim validate FILE... [--set KEY=VALUE]... [--print]\n\n"
      "Checks each file against the schema its top-level keys imply (a scenario with 'platform', a\n"
      "platform with 'clusters', a DRAM configuration with 'memspec', a memspec with 'standard');\n"
      "the first error names file, line, column and key.\n\n"
      "options");
  opts.add_options()("help,h", "show this help")("set,s", po::value(&overrides)->value_name("KEY=VALUE")->composing(),
                                                 "override a key before checking")(
      "print,p", po::bool_switch(&print), "print the resolved configuration (every default filled in)");
  po::options_description hidden;
  hidden.add_options()("file", po::value(&files));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UserError(fmt::format("{} (see 'dmasim validate --help')", e.what()));
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (files.empty()) throw UserError("no file given (see 'dmasim validate --help')");
  for (const auto& file : files) {
    const cfg::Node tree = load_config(file, overrides);
    std::string kind, resolved;
    if (tree.is_map() && tree.find("memspec") != nullptr) {
      const auto c = cfg::read<dram::DramConfig>(tree);
      kind = fmt::format("DRAM configuration ({}, {} channel(s), {} scheduler, {} page policy)", c.memspec.name,
                         c.memspec.organisation.channels, cfg::enum_name(c.controller.scheduler),
                         cfg::enum_name(c.controller.page_policy));
      resolved = cfg::to_yaml(cfg::write(c));
    } else if (tree.is_map() && tree.find("standard") != nullptr) {
      const auto m = cfg::read<dram::MemSpecConfig>(tree);
      kind = fmt::format("memspec ({}, {})", m.name, cfg::enum_name(m.standard));
      resolved = cfg::to_yaml(cfg::write(m));
    } else if (tree.is_map() && tree.find("platform") != nullptr) {
      const auto s = cfg::read<platform::ScenarioConfig>(tree);
      kind = fmt::format("scenario (platform {}, {} buffer)", s.platform.name, cfg::enum_name(s.buffer.type));
      resolved = cfg::to_yaml(cfg::write(s));
    } else if (tree.is_map() && tree.find("clusters") != nullptr) {
      const auto p = cfg::read<platform::PlatformConfig>(tree);
      kind = fmt::format("platform ({}, {} cores)", p.name, p.core_count());
      resolved = cfg::to_yaml(cfg::write(p));
    } else {
      throw cfg::ConfigError(tree.loc(), "",
                             "cannot tell what this file configures: expected a scenario (with a 'platform' key), "
                             "a platform (with 'clusters'), a DRAM configuration (with a 'memspec' key) or a "
                             "memspec (with a 'standard' key)");
    }
    if (print) std::cout << resolved;
    else fmt::print("{}: valid {}\n", file, kind);
  }
  return 0;
}

}  // namespace dmasim::app
