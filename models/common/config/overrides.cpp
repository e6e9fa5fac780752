#include "models/common/config/overrides.h"

#include <fmt/format.h>

#include "models/common/config/schema.h"
#include "models/common/config/units.h"

namespace dmasim::cfg {
namespace {

void stamp_origin(Node& n, const std::string& origin) {
  n.set_loc(Location{{}, 0, 0, origin});
  for (auto& e : n.entries()) {
    e.key_loc = Location{{}, 0, 0, origin};
    stamp_origin(e.node, origin);
  }
  for (auto& item : n.items()) stamp_origin(item, origin);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

}  // namespace

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UserError(fmt::format("--set {}: expected KEY=VALUE (for example controller.read_queue=16)", text));
  Override o{text.substr(0, eq), text.substr(eq + 1), "--set " + text};
  for (const auto& part : split_path(o.path))
    if (part.empty()) throw UserError(fmt::format("--set {}: empty component in key '{}'", text, o.path));
  return o;
}

void apply_override(Node& root, const Override& o) {
  Node value = load_yaml_string(o.value, o.origin);
  stamp_origin(value, o.origin);
  const auto parts = split_path(o.path);
  Node* node = &root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    walked = join_path(walked, parts[i]);
    Node* child = nullptr;
    if (node->is_seq()) {
      const auto index = units::parse_unsigned(parts[i]);
      if (!index || *index >= node->items().size())
        throw ConfigError(Location{{}, 0, 0, o.origin}, walked,
                          fmt::format("no list item {} (the list has {})", parts[i], node->items().size()));
      child = &node->items()[*index];  // an item may be an include or a plain value too: checked below
    } else {
      child = node->is_map() ? node->find(parts[i]) : nullptr;
    }
    if (child == nullptr) {
      if (!node->is_map() && !node->is_null())
        throw ConfigError(Location{{}, 0, 0, o.origin}, walked, "cannot set a key below a plain value");
      Node fresh = Node::map(Location{{}, 0, 0, o.origin});
      child = &node->set(parts[i], std::move(fresh), Location{{}, 0, 0, o.origin});
    } else if (looks_like_include(*child)) {
      *child = load_include(*child, walked);
    } else if (child->is_scalar()) {
      throw ConfigError(Location{{}, 0, 0, o.origin}, walked,
                        fmt::format("cannot set '{}': '{}' is a plain value ({})", o.path, walked, child->value()));
    }
    node = child;
  }
  if (node->is_seq()) {
    const auto index = units::parse_unsigned(parts.back());
    if (!index || *index >= node->items().size())
      throw ConfigError(Location{{}, 0, 0, o.origin}, o.path, "no such list item");
    node->items()[*index] = std::move(value);
    return;
  }
  if (node->is_scalar())  // only the document root can still be one here
    throw ConfigError(Location{{}, 0, 0, o.origin}, o.path, "cannot set a key below a plain value");
  node->set(parts.back(), std::move(value), Location{{}, 0, 0, o.origin});
}

void apply_overrides(Node& root, const std::vector<std::string>& texts) {
  for (const auto& t : texts) apply_override(root, parse_override(t));
}

}  // namespace dmasim::cfg
