#pragma once
// Drives a ChannelController without SystemC: requests enter at their cycle when the queue has
// room (later ones wait behind a refused one, as with the TLM socket), and the loop jumps from
// one event to the next. Every command goes through the independent CommandChecker.
#include <cstdint>
#include <string>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/stats/registry.h"
#include "models/dram/channel_controller.h"
#include "models/dram/command_checker.h"
#include "models/dram/dram_config.h"

namespace dmasim::dram::testing {

inline std::string memspec_path(const std::string& file) {
  return std::string(DMASIM_SOURCE_DIR) + "/scenarios/memspecs/" + file;
}

inline MemSpec load_spec(const std::string& file) { return load_memspec(memspec_path(file)); }

struct Req {
  std::uint64_t cycle = 0;
  std::uint64_t address = 0;
  bool write = false;
};

struct Done {
  std::uint64_t address = 0;
  std::uint64_t arrival = 0;
  std::uint64_t done = 0;
  bool write = false;
};

class CommandLog : public CommandObserver {
 public:
  void on_command(const IssuedCommand& c) override { commands.push_back(c); }
  std::size_t count(Command c) const {
    std::size_t n = 0;
    for (const auto& x : commands) n += x.command == c;
    return n;
  }
  std::vector<IssuedCommand> commands;
};

struct Harness {
  Harness(const MemSpec& s, const ControllerConfig& c, const AddressMappingConfig& m)
      : spec(s),
        config(c),
        mapper(m, s.org),
        controller(spec, config, 0, stats::Group(registry, "ch")),
        checker(spec) {
    controller.add_observer(&checker);
    controller.add_observer(&log);
  }

  // Runs the requests to completion; returns the cycle of the last completion.
  std::uint64_t run(const std::vector<Req>& reqs) {
    std::uint64_t now = 0, last = 0;
    std::size_t i = 0;
    while (i < reqs.size() || !controller.idle()) {
      while (i < reqs.size() && reqs[i].cycle <= now && controller.has_room(reqs[i].write)) {
        controller.enqueue(reqs[i].address, mapper.decode(reqs[i].address), reqs[i].write, now, nullptr);
        ++i;
      }
      std::uint64_t next = controller.step(now);
      Completion c;
      while (controller.pop_completion(now, c)) {
        done.push_back({c.address, c.arrival, c.done, c.is_write});
        last = c.done;
      }
      if (i == reqs.size() && controller.idle()) break;
      next = std::min(next, controller.next_completion());
      if (i < reqs.size() && controller.has_room(reqs[i].write)) next = std::min(next, std::max(reqs[i].cycle, now + 1));
      if (next == kNever) break;
      now = std::max(next, now + 1);
    }
    controller.finish(now);
    return last;
  }

  double stat(const std::string& name) const {
    const stats::Stat* s = registry.find("ch." + name);
    if (s == nullptr) return -1;
    return s->kind() == stats::Kind::Counter ? static_cast<double>(s->counter().value()) : s->scalar().value();
  }

  MemSpec spec;
  ControllerConfig config;
  AddressMapper mapper;
  stats::Registry registry;
  ChannelController controller;
  CommandChecker checker;
  CommandLog log;
  std::vector<Done> done;
};

// Row above bank above bank group above column: the reference DDR4 mapping, generalised.
inline AddressMappingConfig linear_mapping(const Organisation& org) {
  AddressMappingConfig m;
  unsigned bit = 0;
  const auto take = [&](BitList& list, unsigned count) {
    for (unsigned n = count; n > 1; n /= 2) list.bits.push_back(bit++);
  };
  take(m.byte, org.bus_width / 8);
  take(m.column, org.columns);
  take(m.bank_group, org.bank_groups);
  take(m.bank, org.banks_per_group());
  take(m.rank, org.ranks);
  take(m.channel, org.channels);
  take(m.row, org.rows);
  return m;
}

// Builds an address from its fields under linear_mapping.
inline std::uint64_t address_of(const Organisation& org, unsigned bank_group, unsigned bank_in_group, unsigned row,
                                unsigned column, unsigned rank = 0) {
  std::uint64_t a = row;
  a = a * org.ranks + rank;
  a = a * org.banks_per_group() + bank_in_group;
  a = a * org.bank_groups + bank_group;
  a = a * org.columns + column;
  return a * (org.bus_width / 8);
}

}  // namespace dmasim::dram::testing
