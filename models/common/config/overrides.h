#pragma once
// --set KEY=VALUE: overrides applied to the configuration tree after the file is read and
// before the schema checks it, so an override of an unknown key is reported like a typo in the
// file, pointing at the --set that caused it.
#include <string>
#include <vector>

#include "models/common/config/node.h"

namespace dmasim::cfg {

struct Override {
  std::string path;   // dotted key path; list items by index ("devices.0.name")
  std::string value;  // YAML text: a scalar, or a flow list/map such as [17, 18]
  std::string origin; // the text the user typed, for error messages
};

// Parses "a.b.c=value"; malformed text is a UserError.
Override parse_override(const std::string& text);

// Sets the value, creating maps along the way and loading an included file when the path
// descends into one. The new nodes carry the override as their origin.
void apply_override(Node& root, const Override& o);
void apply_overrides(Node& root, const std::vector<std::string>& texts);

}  // namespace dmasim::cfg
