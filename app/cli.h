#pragma once
// Pieces every dmasim subcommand shares: loading a configuration file with --set overrides,
// writing results files, and the subcommand entry points.
#include <memory>
#include <string>
#include <vector>

#include "models/common/config/node.h"
#include "models/common/config/overrides.h"
#include "models/common/stats/registry.h"
#include "models/common/trace/perfetto_recorder.h"

namespace boost::program_options {
class options_description;
}

namespace dmasim::app {

// Parses a subcommand's options and its one positional argument (a scenario for run, compare and
// sweep; left as it was when absent). Prints the options and returns false for --help; a parse
// error, or a missing scenario when `scenario_required`, is a UserError naming the subcommand's help.
bool parse_subcommand_args(const std::vector<std::string>& args, const boost::program_options::options_description& opts,
                           const std::string& subcommand, std::string& positional, bool scenario_required = true);

// `s` without leading and trailing blanks and line ends.
std::string trim(std::string_view s);

// A configuration tree as the user gave it: the file with every --set applied.
cfg::Node load_config(const std::string& path, const std::vector<std::string>& overrides);

// Creates the directory (and parents) or raises a UserError naming it.
void ensure_directory(const std::string& path);
void write_text_file(const std::string& path, const std::string& text);
// DIR/stats.json: every statistic of the run.
void write_stats_json(const std::string& dir, const stats::Registry& registry);
// The Perfetto recorder of --perfetto (null when the path is empty); a file that cannot be
// opened is a UserError.
std::unique_ptr<trace::PerfettoRecorder> open_perfetto(const std::string& path);

int cmd_dram(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_validate(const std::vector<std::string>& args);
int cmd_schema(const std::vector<std::string>& args);

}  // namespace dmasim::app
