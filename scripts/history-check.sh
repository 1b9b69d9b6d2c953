#!/usr/bin/env bash
# Runs the cross-process history checker (cache-redis, dev.cachet.redis.history) for a long time: worker JVMs read and
# write through the Redis tier and a near cache while Redis is partitioned, reset, slowed, and workers are killed and
# stopped; the history is then held to the consistency contract. Writes a Markdown report.
#
#   scripts/history-check.sh [minutes] [seed]      defaults: 10 minutes, a seed from the clock (printed)
#
# Extra Maven flags go in MVN_FLAGS, e.g. MVN_FLAGS=-o for an offline build. Exits non-zero if it found a violation.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-10}"
seed="${2:-$(date +%s)}"
report="$PWD/cache-redis/target/history-report-$seed.md"
echo "== history check: $minutes min, seed $seed, report $report"

status=0
# The test's own timeout is for CI's short run; this run is bounded by its length instead.
# shellcheck disable=SC2086
mvn -B ${MVN_FLAGS:-} -pl cache-redis -am test \
    -Dtest=HistoryCheckTest -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true \
    -Dhistory.seconds="$((minutes * 60))" -Dhistory.seed="$seed" -Dhistory.report="$report" \
    -Djunit.jupiter.execution.timeout.mode=disabled || status=$?

if [[ -f "$report" ]]; then
    echo "== report ($report):"
    awk '/^## / { exit } /^[#-]/ { print }' "$report"   # the summary lines, before the violations
else
    echo "== no report: the run did not get to the check; see cache-redis/target/surefire-reports"
fi
exit "$status"
