#pragma once
// "Did you mean" for misspelled keys and enum values.
#include <string>
#include <string_view>
#include <vector>

namespace dmasim::cfg {

// Edit distance with adjacent transpositions (optimal string alignment), case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a likely typo, else empty.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or ", expected one of: a, b, c" — ready to append to a message.
std::string suggestion_suffix(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace dmasim::cfg
