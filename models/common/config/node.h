#pragma once
// The configuration tree every model reads. YAML files are converted into Nodes that remember
// where each value came from (file, line, column, or a --set override), so that every error can
// point at its source after includes and overrides have been merged.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/common/error.h"

namespace dmasim::cfg {

struct Location {
  std::string file;    // empty for values that did not come from a file
  int line = 0;        // 1-based; 0 when unknown
  int column = 0;      // 1-based
  std::string origin;  // e.g. "--set controller.read_queue=16"; empty for file values

  std::string str() const;  // "file:line:col", or the origin
};

struct MapEntry;

class Node {
 public:
  enum class Kind { Null, Scalar, Map, Seq };

  Node() = default;
  static Node scalar(std::string value, Location loc = {});
  static Node map(Location loc = {});
  static Node seq(Location loc = {});

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_scalar() const { return kind_ == Kind::Scalar; }
  bool is_map() const { return kind_ == Kind::Map; }
  bool is_seq() const { return kind_ == Kind::Seq; }
  const Location& loc() const { return loc_; }
  void set_loc(Location loc) { loc_ = std::move(loc); }

  // Scalar text (valid for scalars).
  const std::string& value() const { return value_; }

  // Map entries in file order, each with the location of its key.
  using Entry = MapEntry;
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  // Inserts or replaces an entry; returns the stored node.
  Node& set(std::string key, Node node, Location key_loc = {});

  const std::vector<Node>& items() const { return items_; }
  std::vector<Node>& items() { return items_; }
  void push_back(Node n) { items_.push_back(std::move(n)); }

 private:
  Kind kind_ = Kind::Null;
  std::string value_;
  std::vector<Entry> entries_;
  std::vector<Node> items_;
  Location loc_;
};

struct MapEntry {
  std::string key;
  Location key_loc;
  Node node;
};

// Error in a configuration value: names where it is, the full key path, and what is wrong.
class ConfigError : public UserError {
 public:
  ConfigError(const Location& loc, const std::string& key_path, const std::string& message);
  const std::string& key_path() const { return key_path_; }

 private:
  std::string key_path_;
};

// Parses a YAML file or text into a Node tree. Syntax errors and duplicate keys raise
// ConfigError with the position.
Node load_yaml_file(const std::string& path);
Node load_yaml_string(std::string_view text, const std::string& name);

// Writes a tree as YAML (used for resolved.yaml).
std::string to_yaml(const Node& root);

}  // namespace dmasim::cfg
