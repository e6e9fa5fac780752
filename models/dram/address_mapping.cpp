#include "models/dram/address_mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>

namespace dmasim::cfg {

dram::BitList Codec<dram::BitList>::read(const Node& n, const std::string& path) {
  if (!n.is_seq()) fail(n, path, "expected a list of bit positions such as [3-12] or [13, 14]");
  dram::BitList out;
  for (std::size_t i = 0; i < n.items().size(); ++i) {
    const Node& item = n.items()[i];
    const std::string item_path = fmt::format("{}[{}]", path, i);
    const std::string text = expect_scalar(item, item_path, "a bit position or range");
    if (const auto bit = units::parse_unsigned(text)) {
      if (*bit > 63) fail(item, item_path, fmt::format("bit {} is beyond a 64-bit address", *bit));
      out.bits.push_back(static_cast<unsigned>(*bit));
      continue;
    }
    const auto dash = text.find('-');
    const auto lo = dash == std::string::npos ? std::nullopt : units::parse_unsigned(text.substr(0, dash));
    const auto hi = dash == std::string::npos ? std::nullopt : units::parse_unsigned(text.substr(dash + 1));
    if (!lo || !hi || *lo > *hi || *hi > 63)
      fail(item, item_path, fmt::format("expected a bit position or an ascending range like 3-12, got '{}'", text));
    for (auto b = *lo; b <= *hi; ++b) out.bits.push_back(static_cast<unsigned>(b));
  }
  return out;
}

Node Codec<dram::BitList>::write(const dram::BitList& v) {
  Node out = Node::seq();
  std::size_t i = 0;
  while (i < v.bits.size()) {
    std::size_t j = i;
    while (j + 1 < v.bits.size() && v.bits[j + 1] == v.bits[j] + 1) ++j;
    out.push_back(Node::scalar(j == i ? std::to_string(v.bits[i]) : fmt::format("{}-{}", v.bits[i], v.bits[j])));
    i = j + 1;
  }
  return out;
}

}  // namespace dmasim::cfg

namespace dmasim::dram {

void XorFold::describe(cfg::Fields<XorFold>& f) {
  f("bit", &XorFold::bit, "address bit that is replaced").required().range(0, 63);
  f("with", &XorFold::with, "address bit XORed into it").required().range(0, 63);
}

void AddressMappingConfig::describe(cfg::Fields<AddressMappingConfig>& f) {
  f("byte", &AddressMappingConfig::byte, "bits inside one bus beat (log2 of bus width in bytes)");
  f("column", &AddressMappingConfig::column, "column bits (log2 columns)");
  f("bank_group", &AddressMappingConfig::bank_group, "bank group bits (log2 bank groups)");
  f("bank", &AddressMappingConfig::bank, "bank-in-group bits (log2 banks per group)");
  f("rank", &AddressMappingConfig::rank, "rank bits (log2 ranks)");
  f("channel", &AddressMappingConfig::channel, "channel bits (log2 channels)");
  f("row", &AddressMappingConfig::row, "row bits (log2 rows)");
  f("xor", &AddressMappingConfig::xor_folds, "XOR folds applied before decoding: [{bit: 13, with: 20}]");
}

void AddressMappingConfig::validate(cfg::Validator& v) const {
  for (std::size_t i = 0; i < xor_folds.size(); ++i)
    if (xor_folds[i].bit == xor_folds[i].with)
      v.fail(fmt::format("xor"), fmt::format("xor[{}] folds bit {} into itself", i, xor_folds[i].bit));
}

void AddressMappingConfig::check_against(const Organisation& org, const cfg::Validator& v) const {
  const struct {
    const char* key;
    const BitList& list;
    unsigned count;
  } fields[] = {
      {"byte", byte, org.bus_width / 8},
      {"column", column, org.columns},
      {"bank_group", bank_group, org.bank_groups},
      {"bank", bank, org.banks_per_group()},
      {"rank", rank, org.ranks},
      {"channel", channel, org.channels},
      {"row", row, org.rows},
  };
  std::map<unsigned, const char*> owner;
  for (const auto& f : fields) {
    const unsigned need = static_cast<unsigned>(std::countr_zero(f.count));
    if (f.list.bits.size() != need)
      v.fail(f.key, fmt::format("has {} bit(s) but the organisation needs {} (log2 of {})", f.list.bits.size(), need,
                                f.count));
    for (unsigned b : f.list.bits) {
      const auto [it, fresh] = owner.emplace(b, f.key);
      if (!fresh) v.fail(f.key, fmt::format("bit {} is already used by '{}'", b, it->second));
    }
  }
  const unsigned total = static_cast<unsigned>(std::countr_zero(org.total_bytes()));
  for (unsigned b = 0; b < total; ++b)
    if (!owner.contains(b))
      v.fail("row", fmt::format("address bit {} is not mapped, but the memory ({} bytes) needs bits 0-{}", b,
                                org.total_bytes(), total - 1));
  for (std::size_t i = 0; i < xor_folds.size(); ++i) {
    if (xor_folds[i].bit >= total || xor_folds[i].with >= total)
      v.fail("xor", fmt::format("xor[{}] uses a bit outside the memory's {} address bits", i, total));
  }
}

unsigned AddressMapper::Field::extract(std::uint64_t address) const {
  if (contiguous) return static_cast<unsigned>((address >> shift) & mask);
  unsigned v = 0;
  for (std::size_t i = 0; i < bits.size(); ++i) v |= static_cast<unsigned>((address >> bits[i]) & 1u) << i;
  return v;
}

AddressMapper::Field AddressMapper::make_field(const BitList& list) {
  Field f;
  f.bits = list.bits;
  f.contiguous = true;
  for (std::size_t i = 1; i < f.bits.size(); ++i) f.contiguous = f.contiguous && f.bits[i] == f.bits[i - 1] + 1;
  f.shift = f.bits.empty() ? 0 : f.bits.front();
  f.mask = f.bits.empty() ? 0 : (f.bits.size() >= 64 ? ~0ull : (1ull << f.bits.size()) - 1);
  return f;
}

AddressMapper::AddressMapper(const AddressMappingConfig& config, const Organisation& org)
    : column_(make_field(config.column)),
      bank_group_(make_field(config.bank_group)),
      bank_(make_field(config.bank)),
      rank_(make_field(config.rank)),
      channel_(make_field(config.channel)),
      row_(make_field(config.row)),
      xor_folds_(config.xor_folds),
      banks_per_group_(org.banks_per_group()),
      size_(org.total_bytes()) {}

DecodedAddress AddressMapper::decode(std::uint64_t address) const {
  for (const auto& x : xor_folds_) address ^= ((address >> x.with) & 1u) << x.bit;
  DecodedAddress d;
  d.channel = channel_.extract(address);
  d.rank = rank_.extract(address);
  d.bank_group = bank_group_.extract(address);
  d.bank = d.bank_group * banks_per_group_ + bank_.extract(address);
  d.row = row_.extract(address);
  d.column = column_.extract(address);
  return d;
}

}  // namespace dmasim::dram
