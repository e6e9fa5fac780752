#pragma once
// Reading a Config struct from YAML text in a test, and catching the error it should raise.
#include <gtest/gtest.h>

#include <string>

#include "models/common/config/schema.h"
#include "models/common/error.h"

namespace dmasim::testing {

// Reads `text` as file `file_name`, the struct sitting at key path `path`.
template <class T>
T read_config_text(const std::string& text, const std::string& file_name, const std::string& path) {
  return cfg::read<T>(cfg::load_yaml_string(text, file_name), path);
}

// The message of the UserError reading `text` raises; a test failure when it raises none.
template <class T>
std::string config_error(const std::string& text, const std::string& file_name, const std::string& path) {
  try {
    read_config_text<T>(text, file_name, path);
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return {};
}

}  // namespace dmasim::testing
