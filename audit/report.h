// How an audit is told: text for a person, JSON for a program (an
// interface: fields are added, never renamed), and the chart.
#pragma once

#include <string>

#include "audit/audit.h"
#include "audit/chart.h"
#include "audit/history.h"

namespace crosscheck::audit {

struct RunInfo {
  int threads = 1;
  double timeout_seconds = 0;
  uint64_t memory_limit_bytes = 0;
  std::string chart_file;  // empty: none drawn
};

std::string text_report(const History& history, const AuditResult& result, const RunInfo& run);
std::string json_report(const History& history, const AuditResult& result, const RunInfo& run);

// The failing key's operations with the prefix found and the culprit; for
// a linearizable history, the largest key's operations in witness order.
// Unknown: every judged operation of the first unknown key, unplaced.
Chart chart_of(const History& history, const AuditResult& result);

}  // namespace crosscheck::audit
