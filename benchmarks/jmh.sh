#!/usr/bin/env bash
# Runs JMH's own command line on these benchmarks, for digging into one figure, e.g.
#   ./jmh.sh CacheHitBenchmark -t 2 -prof stack
#   ./jmh.sh MemoizedHitBenchmark.memoized -prof gc
# Options are JMH's (`./jmh.sh -h`); defaults come from the benchmarks' annotations (1 fork, 4 x 1 s + 4 x 1 s).
# Uses the Cachet modules run.sh last installed to ~/.m2; set CACHET_INSTALL_CORE=1 to install this checkout's first.
set -euo pipefail
cd "$(dirname "$0")"
flags=(-B -q -Dstyle.color=never -Dspotless.check.skip=true -Djacoco.skip=true)

if [[ "${CACHET_INSTALL_CORE:-0}" == 1 ]]; then
    mvn "${flags[@]}" -f ../pom.xml install -pl cache-core,cache-test,cache-redis -Dmaven.test.skip=true
fi
mvn "${flags[@]}" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -cp "target/classes:$(cat target/classpath.txt)" org.openjdk.jmh.Main "$@"
