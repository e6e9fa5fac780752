#include "app/cli.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "models/common/error.h"

namespace dmasim::app {

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

}  // namespace dmasim::app
