// dmasim: the command line. `dmasim SUBCOMMAND [options]`; each subcommand has --help.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <systemc>

#include "app/cli.h"
#include "models/common/error.h"
#include "models/common/sim_time.h"

namespace {

struct Subcommand {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>&);
};

constexpr Subcommand kSubcommands[] = {
    {"run", "run a scenario on its platform and write its results (stats, summary, violations)",
     dmasim::app::cmd_run},
    {"compare", "run a scenario under several mapping strategies and print them side by side",
     dmasim::app::cmd_compare},
    {"sweep", "run a scenario over the product of configuration values and collect sweep.csv",
     dmasim::app::cmd_sweep},
    {"dram", "run the DRAM subsystem on a request trace and report its figures", dmasim::app::cmd_dram},
    {"validate", "check a configuration file (scenario, DRAM config or memspec) and show it resolved",
     dmasim::app::cmd_validate},
    {"schema", "print the configuration reference (every key, type, default) as Markdown",
     dmasim::app::cmd_schema},
};

void print_usage(std::FILE* out) {
  fmt::print(out,
             "usage: dmasim [--version] [--help] SUBCOMMAND [options]\n\n"
             "dmasim simulates an ARM SoC memory subsystem (CPU caches, interconnect, SYSMMU, DRAM)\n"
             "running the Linux DMA-mapping API, and reports what each mapping strategy costs.\n\n"
             "subcommands:\n");
  for (const auto& s : kSubcommands) fmt::print(out, "  {:<10} {}\n", s.name, s.summary);
  fmt::print(out, "\n'dmasim SUBCOMMAND --help' describes a subcommand's options.\n");
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  dmasim::init_time_resolution();
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_usage(stderr);
    return dmasim::kUserErrorExitCode;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(stdout);
    return 0;
  }
  if (first == "--version") {
    fmt::print("dmasim {}\n", DMASIM_VERSION);
    return 0;
  }
  for (const auto& s : kSubcommands) {
    if (s.name != first) continue;
    try {
      return s.run(std::vector<std::string>(args.begin() + 1, args.end()));
    } catch (const dmasim::UserError& e) {
      fmt::print(stderr, "dmasim {}: error: {}\n", first, e.what());
      return dmasim::kUserErrorExitCode;
    } catch (const std::exception& e) {
      fmt::print(stderr, "dmasim {}: internal error: {}\n", first, e.what());
      return 3;
    }
  }
  fmt::print(stderr, "dmasim: unknown subcommand '{}'\n\n", first);
  print_usage(stderr);
  return dmasim::kUserErrorExitCode;
}

// Our own main, so the SystemC banner can be switched off before the kernel starts (it prints
// on the first use of the simulation context, ahead of sc_main).
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
