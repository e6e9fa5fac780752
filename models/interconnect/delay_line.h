#pragma once
// A delay line: items that become ready at a known time, handed out in ready-time order. The
// interconnect keeps one per path with a fixed latency (request, forward, response) and one per
// response path, where a target's response arrives with a TLM timing annotation and is only
// visible at arrival + annotation. Fixed latencies keep arrival order, so insertion is a
// push_back; an item that arrives later but is ready earlier (a response with a shorter
// annotation) walks back past the later ones only, keeping items with equal ready times in
// arrival order. No sorted list and no event per item (DESIGN.md, "Speed").
//
// Times are plain integers in the owner's unit (cycles or picoseconds).
#include <cstdint>
#include <deque>
#include <iterator>
#include <limits>
#include <type_traits>
#include <utility>

namespace dmasim::interconnect {

template <class T>
class DelayLine {
 public:
  static constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  // Adds an item ready at `ready`. O(1) when ready is not earlier than the last item's.
  void push(std::uint64_t ready, T item) {
    auto it = items_.end();
    while (it != items_.begin() && std::prev(it)->ready > ready) --it;
    if (it == items_.end()) {
      items_.push_back(Entry{ready, std::move(item)});  // (an insert at begin() of an empty deque
      return;                                           // allocates a block each time)
    }
    ++reordered_;
    items_.insert(it, Entry{ready, std::move(item)});
  }
  // A fixed latency: ready at now + latency.
  void push_after(std::uint64_t now, std::uint64_t latency, T item) { push(now + latency, std::move(item)); }

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  // The ready time of the first item, or kNever when empty: when the owner must wake up next.
  std::uint64_t next_ready() const { return items_.empty() ? kNever : items_.front().ready; }
  bool has_ready(std::uint64_t now) const { return !items_.empty() && items_.front().ready <= now; }

  const T& front() const { return items_.front().item; }
  std::uint64_t front_ready() const { return items_.front().ready; }
  T pop_front() {
    T out = std::move(items_.front().item);
    items_.pop_front();
    return out;
  }

  // Hands every item ready at or before `now` to f(item) (or f(ready, item) when f takes two
  // arguments), in order; returns how many. Each item is removed before f sees it, so f may
  // push onto this line (an item it pushes ready by `now` is handed out in the same call).
  template <class F>
  std::size_t pop_ready(std::uint64_t now, F&& f) {
    std::size_t n = 0;
    while (has_ready(now)) {
      Entry e = std::move(items_.front());
      items_.pop_front();
      if constexpr (std::is_invocable_v<F&, std::uint64_t, T&&>) f(e.ready, std::move(e.item));
      else f(std::move(e.item));
      ++n;
    }
    return n;
  }

  // Items that had to be inserted ahead of an earlier arrival (for statistics and tests).
  std::uint64_t reordered() const { return reordered_; }
  void clear() { items_.clear(); }

 private:
  struct Entry {
    std::uint64_t ready;
    T item;
  };
  std::deque<Entry> items_;
  std::uint64_t reordered_ = 0;
};

}  // namespace dmasim::interconnect
