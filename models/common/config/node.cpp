#include "models/common/config/node.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dmasim::cfg {

std::string Location::str() const {
  if (!origin.empty()) return origin;
  if (file.empty()) return "<built-in>";
  if (line == 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

Node Node::scalar(std::string value, Location loc) {
  Node n;
  n.kind_ = Kind::Scalar;
  n.value_ = std::move(value);
  n.loc_ = std::move(loc);
  return n;
}

Node Node::map(Location loc) {
  Node n;
  n.kind_ = Kind::Map;
  n.loc_ = std::move(loc);
  return n;
}

Node Node::seq(Location loc) {
  Node n;
  n.kind_ = Kind::Seq;
  n.loc_ = std::move(loc);
  return n;
}

const Node* Node::find(std::string_view key) const {
  for (const auto& e : entries_)
    if (e.key == key) return &e.node;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  for (auto& e : entries_)
    if (e.key == key) return &e.node;
  return nullptr;
}

Node& Node::set(std::string key, Node node, Location key_loc) {
  if (kind_ != Kind::Map) {
    kind_ = Kind::Map;
    value_.clear();
    items_.clear();
  }
  for (auto& e : entries_) {
    if (e.key == key) {
      e.node = std::move(node);
      return e.node;
    }
  }
  entries_.push_back({std::move(key), std::move(key_loc), std::move(node)});
  return entries_.back().node;
}

ConfigError::ConfigError(const Location& loc, const std::string& key_path, const std::string& message)
    : UserError(key_path.empty() ? fmt::format("{}: {}", loc.str(), message)
                                 : fmt::format("{}: key '{}': {}", loc.str(), key_path, message)),
      key_path_(key_path) {}

namespace {

Location location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.is_null()) return {file, 0, 0, {}};
  return {file, mark.line + 1, mark.column + 1, {}};
}

// `path` is the dotted key path of `y` ("controller.read_queue", "items[2]"), for errors.
Node convert(const YAML::Node& y, const std::string& file, const std::string& path) {
  const Location loc = location_of(y.Mark(), file);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return [&] {
        Node n;
        n.set_loc(loc);
        return n;
      }();
    case YAML::NodeType::Scalar:
      return Node::scalar(y.Scalar(), loc);
    case YAML::NodeType::Sequence: {
      Node n = Node::seq(loc);
      for (const auto& item : y)
        n.push_back(convert(item, file, fmt::format("{}[{}]", path, n.items().size())));
      return n;
    }
    case YAML::NodeType::Map: {
      Node n = Node::map(loc);
      for (const auto& kv : y) {
        const Location key_loc = location_of(kv.first.Mark(), file);
        if (!kv.first.IsScalar()) throw ConfigError(key_loc, path, "map keys must be plain scalars");
        const std::string key = kv.first.Scalar();
        const std::string key_path = path.empty() ? key : fmt::format("{}.{}", path, key);
        if (n.find(key) != nullptr) throw ConfigError(key_loc, key_path, "duplicate key");
        n.entries().push_back({key, key_loc, convert(kv.second, file, key_path)});
      }
      return n;
    }
  }
  return Node{};
}

Node parse(const std::string& text, const std::string& name) {
  try {
    return convert(YAML::Load(text), name, "");
  } catch (const YAML::Exception& e) {
    throw ConfigError(location_of(e.mark, name), "", fmt::format("YAML syntax error: {}", e.msg));
  }
}

void emit(YAML::Emitter& out, const Node& n) {
  switch (n.kind()) {
    case Node::Kind::Null:
      out << YAML::Null;
      break;
    case Node::Kind::Scalar:
      out << n.value();
      break;
    case Node::Kind::Seq:
      out << YAML::BeginSeq;
      for (const auto& item : n.items()) emit(out, item);
      out << YAML::EndSeq;
      break;
    case Node::Kind::Map:
      out << YAML::BeginMap;
      for (const auto& e : n.entries()) {
        out << YAML::Key << e.key << YAML::Value;
        emit(out, e.node);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

Node load_yaml_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))  // opens fine and reads as an empty file otherwise
    throw ConfigError(Location{path, 0, 0, {}}, "", "is a directory, not a file");
  std::ifstream in(path);
  if (!in) throw ConfigError(Location{path, 0, 0, {}}, "", "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

Node load_yaml_string(std::string_view text, const std::string& name) {
  return parse(std::string(text), name);
}

std::string to_yaml(const Node& root) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, root);
  return std::string(out.c_str()) + "\n";
}

}  // namespace dmasim::cfg
