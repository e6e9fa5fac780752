#include "models/cache/prefetcher.h"

namespace dmasim::cache {

Prefetcher::Prefetcher(const PrefetchConfig& config, unsigned line_size)
    : config_(config),
      line_mask_(~(std::uint64_t{line_size} - 1)),
      line_bytes_(line_size),
      streams_(config.kind == PrefetchKind::Stride ? config.streams : 0) {}

void Prefetcher::candidates(std::uint64_t addr, std::vector<std::uint64_t>& out) {
  out.clear();
  const std::uint64_t line = addr & line_mask_;
  const std::uint64_t page = addr / kPageBytes;
  auto same_page = [&](std::uint64_t a) { return a / kPageBytes == page; };
  switch (config_.kind) {
    case PrefetchKind::None:
      return;
    case PrefetchKind::NextLine:
      for (unsigned k = 1; k <= config_.degree; ++k) {
        const std::uint64_t a = line + k * line_bytes_;
        if (!same_page(a)) break;
        out.push_back(a);
      }
      return;
    case PrefetchKind::Stride: {
      Stream* s = nullptr;
      Stream* victim = &streams_[0];
      for (auto& st : streams_) {
        if (st.valid && st.page == page) s = &st;
        if (!st.valid || (victim->valid && st.stamp < victim->stamp)) victim = &st;
      }
      ++clock_;
      if (s == nullptr) {
        *victim = Stream{true, page, line, 0, false, clock_};
        return;
      }
      s->stamp = clock_;
      const std::int64_t stride = static_cast<std::int64_t>(line) - static_cast<std::int64_t>(s->last_line);
      if (stride == 0) return;
      s->confirmed = stride == s->stride;
      s->stride = stride;
      s->last_line = line;
      if (!s->confirmed) return;
      for (unsigned k = 1; k <= config_.degree; ++k) {
        const std::int64_t a = static_cast<std::int64_t>(line) + static_cast<std::int64_t>(k) * stride;
        if (a < 0 || !same_page(static_cast<std::uint64_t>(a))) break;
        out.push_back(static_cast<std::uint64_t>(a));
      }
      return;
    }
  }
}

}  // namespace dmasim::cache
