#pragma once
// Address mapping: which physical address bits select byte, column, bank group, bank, rank,
// channel and row, with optional XOR folding of bits (bank hashing).
#include <cstdint>
#include <vector>

#include "models/common/config/schema.h"
#include "models/dram/memspec.h"

namespace dmasim::dram {

// A list of address bit positions, least significant first. In YAML: [3, 4, 5] or ranges
// written as strings ["3-12"].
struct BitList {
  std::vector<unsigned> bits;
  friend bool operator==(const BitList&, const BitList&) = default;
};

// Before decoding, address bit `bit` is replaced by bit XOR bit `with`.
struct XorFold {
  unsigned bit = 0;
  unsigned with = 0;
  static void describe(cfg::Fields<XorFold>& f);
};

struct AddressMappingConfig {
  BitList byte, column, bank_group, bank, rank, channel, row;
  std::vector<XorFold> xor_folds;
  static void describe(cfg::Fields<AddressMappingConfig>& f);
  void validate(cfg::Validator& v) const;
  // Checks that the field widths match the organisation and that every bit below the
  // memory size is used exactly once. Errors name the key under `v`'s path.
  void check_against(const Organisation& org, const cfg::Validator& v) const;
};

struct DecodedAddress {
  unsigned channel = 0;
  unsigned rank = 0;
  unsigned bank_group = 0;
  unsigned bank = 0;  // bank within the rank: bank_group * banks_per_group + bank-in-group
  unsigned row = 0;
  unsigned column = 0;
};

class AddressMapper {
 public:
  AddressMapper(const AddressMappingConfig& config, const Organisation& org);
  DecodedAddress decode(std::uint64_t address) const;
  // Addresses at or above this are outside the configured memory.
  std::uint64_t size() const { return size_; }

 private:
  struct Field {
    std::vector<unsigned> bits;
    // Contiguous ascending bits decode with one shift and mask.
    bool contiguous = false;
    unsigned shift = 0;
    std::uint64_t mask = 0;
    unsigned extract(std::uint64_t address) const;
  };
  static Field make_field(const BitList& list);

  Field column_, bank_group_, bank_, rank_, channel_, row_;
  std::vector<XorFold> xor_folds_;
  unsigned banks_per_group_;
  std::uint64_t size_;
};

}  // namespace dmasim::dram

namespace dmasim::cfg {
template <>
struct Codec<dram::BitList> {
  static constexpr std::string_view type_name = "bit list (e.g. [3-12] or [13, 14])";
  static dram::BitList read(const Node& n, const std::string& path);
  static Node write(const dram::BitList& v);
};
}  // namespace dmasim::cfg
