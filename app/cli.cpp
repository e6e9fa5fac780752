#include "app/cli.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "models/common/error.h"

namespace dmasim::app {

namespace po = boost::program_options;

bool parse_subcommand_args(const std::vector<std::string>& args, const po::options_description& opts,
                           const std::string& subcommand, std::string& positional, bool scenario_required) {
  po::options_description hidden;
  hidden.add_options()("positional", po::value(&positional));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional_args;
  positional_args.add("positional", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional_args).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UserError(fmt::format("{} (see 'dmasim {} --help')", e.what(), subcommand));
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return false;
  }
  if (positional.empty() && scenario_required) throw UserError(fmt::format("a scenario file is required (see 'dmasim {} --help')", subcommand));
  return true;
}

std::string trim(std::string_view s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return {};
  const auto b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

cfg::Node load_config(const std::string& path, const std::vector<std::string>& overrides) {
  cfg::Node root = cfg::load_yaml_file(path);
  cfg::apply_overrides(root, overrides);
  return root;
}

void ensure_directory(const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw UserError(fmt::format("{}: cannot create directory: {}", path, ec.message()));
}

void write_text_file(const std::string& path, const std::string& text) {
  ensure_directory(std::filesystem::path(path).parent_path().string());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw UserError(fmt::format("{}: cannot write file", path));
}

void write_stats_json(const std::string& dir, const stats::Registry& registry) {
  std::ostringstream json;
  registry.write_json(json);
  write_text_file(dir + "/stats.json", json.str() + "\n");
}

std::unique_ptr<trace::PerfettoRecorder> open_perfetto(const std::string& path) {
  if (path.empty()) return nullptr;
  try {
    return std::make_unique<trace::PerfettoRecorder>(path);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
}

}  // namespace dmasim::app
