#include "models/common/tlm/mem_ext.h"

#include <cassert>
#include <typeinfo>

namespace dmasim {

std::string_view to_string(MemType type) {
  switch (type) {
    case MemType::NormalWriteBack: return "normal-wb";
    case MemType::NormalNonCacheable: return "normal-nc";
    case MemType::Device: return "device";
  }
  return "unknown";
}

std::string_view to_string(Coherence coherence) {
  switch (coherence) {
    case Coherence::NonCoherent: return "non-coherent";
    case Coherence::IoCoherent: return "io-coherent";
    case Coherence::FullyCoherent: return "fully-coherent";
  }
  return "unknown";
}

std::string_view to_string(BusOp op) {
  switch (op) {
    case BusOp::ReadNoSnoop: return "ReadNoSnoop";
    case BusOp::WriteNoSnoop: return "WriteNoSnoop";
    case BusOp::Load: return "Load";
    case BusOp::Store: return "Store";
    case BusOp::ReadShared: return "ReadShared";
    case BusOp::ReadUnique: return "ReadUnique";
    case BusOp::CleanUnique: return "CleanUnique";
    case BusOp::ReadOnce: return "ReadOnce";
    case BusOp::WriteUnique: return "WriteUnique";
    case BusOp::WriteBack: return "WriteBack";
    case BusOp::WriteClean: return "WriteClean";
    case BusOp::CleanShared: return "CleanShared";
    case BusOp::CleanInvalid: return "CleanInvalid";
    case BusOp::MakeInvalid: return "MakeInvalid";
    case BusOp::CleanSetWay: return "CleanSetWay";
    case BusOp::InvalidateSetWay: return "InvalidateSetWay";
    case BusOp::CleanInvalidateSetWay: return "CleanInvalidateSetWay";
  }
  return "unknown";
}

void MemExt::add_version(std::uint64_t version) {
  assert(version_count_ < kMaxLines && "a transaction covers at most kMaxLines lines");
  versions_[version_count_++] = version;
}

void MemExt::set_version(std::size_t line, std::uint64_t version) {
  assert(line < version_count_);
  versions_[line] = version;
}

MemExt& MemExt::of(const tlm::tlm_generic_payload& gp) {
  MemExt* ext = gp.get_extension<MemExt>();
  assert(ext != nullptr && "transaction without a MemExt: not from a PayloadPool?");
  return *ext;
}

tlm::tlm_extension_base* MemExt::clone() const { return new MemExt(*this); }

void MemExt::copy_from(const tlm::tlm_extension_base& other) {
  // TLM-2.0 only calls copy_from with an extension of the same ID, i.e. of the same type.
  assert(typeid(other) == typeid(MemExt));
  *this = static_cast<const MemExt&>(other);
}

}  // namespace dmasim
