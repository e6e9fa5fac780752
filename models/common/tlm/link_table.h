#pragma once
// What a model remembers about each payload it has in flight below it, keyed by the payload's
// address: an open-addressing hash table with linear probing and backward-shift deletion. It
// allocates only when it grows (in-flight counts are small and bounded), where a node-based map
// would allocate on every request; lookups touch one or two cache lines.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dmasim {

template <class Key, class Value>
class LinkTable {
 public:
  explicit LinkTable(std::size_t capacity = 64) : slots_(std::bit_ceil(capacity < 8 ? 8 : capacity)) {}

  // `key` must not be in the table.
  void add(const Key* key, const Value& value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(key, value);
    ++size_;
  }

  // Removes `key`; false (and `out` untouched) if it was not there.
  bool take(const Key* key, Value& out) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask) {
      if (slots_[i].key == nullptr) return false;
      if (slots_[i].key == key) break;
    }
    out = slots_[i].value;
    // Backward shift: move later members of the probe run into the hole so lookups need no
    // tombstones.
    for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
      if (slots_[j].key == nullptr) break;
      const std::size_t h = home(slots_[j].key);
      const bool movable = ((j - h) & mask) >= ((j - i) & mask);
      if (movable) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  const Value* find(const Key* key) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = home(key);; i = (i + 1) & mask) {
      if (slots_[i].key == nullptr) return nullptr;
      if (slots_[i].key == key) return &slots_[i].value;
    }
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    const Key* key = nullptr;
    Value value{};
  };

  std::size_t home(const Key* key) const {
    // Fibonacci hashing of the address: payloads are allocated at regular strides.
    const auto a = reinterpret_cast<std::uintptr_t>(key);
    return static_cast<std::size_t>((a * 0x9E3779B97F4A7C15ull) >> shift()) & (slots_.size() - 1);
  }
  unsigned shift() const { return 64 - static_cast<unsigned>(std::countr_zero(slots_.size())); }

  void place(const Key* key, const Value& value) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(key);
    while (slots_[i].key != nullptr) i = (i + 1) & mask;
    slots_[i] = Slot{key, value};
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.key != nullptr) place(s.key, s.value);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace dmasim
