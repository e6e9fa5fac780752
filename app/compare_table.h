#pragma once
// The comparison `dmasim compare` prints and writes: one run per strategy, their summary rows
// side by side (compare.md, compare.csv) and the sentence naming the winner and the component of
// the time that decided it.
#include <string>
#include <utility>
#include <vector>

namespace dmasim::app {

struct StrategyRun {
  std::string strategy;
  std::string status;  // "ok", "n/a: <why>", "failed: <why>"
  std::vector<std::pair<std::string, std::string>> columns;  // the run's summary row
  std::string value(const std::string& column) const;  // "" when absent
  double number(const std::string& column) const;       // 0 when absent or empty
};

// The columns, in this order, then every other column of the runs.
std::vector<std::string> compare_columns(const std::vector<StrategyRun>& runs);
std::string compare_csv(const std::vector<StrategyRun>& runs);
std::string compare_markdown(const std::vector<StrategyRun>& runs, const std::string& scenario);
// A terminal table: one line per column, one column per strategy.
std::string compare_text(const std::vector<StrategyRun>& runs);
// "streaming wins (...): coherent spends 34.1 ms more in CPU stalls ..." or why nothing won.
std::string winner_sentence(const std::vector<StrategyRun>& runs);

}  // namespace dmasim::app
