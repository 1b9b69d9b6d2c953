#!/usr/bin/env bash
# Runs Cachet against its peers (issue 13) and writes the "Against the peers" section of ../RESULTS.md (the ratio
# report's other sections stay) and the chart ../peers.png. About 35 minutes on 2 cores (P15 alone, 21); run it on an
# otherwise idle machine. Needs redis-server on the PATH. JVM options go to the driver, e.g.
#   benchmarks/peers/run.sh -Dpeers.rounds=3 -Dpeers.measurements=8
#   benchmarks/peers/run.sh -Dpeers.figures=P12,P13,P15
#   benchmarks/peers/run.sh -Dpeers.figures=P15 -Dpeers.variants=cachet,jetcache-remote
# (see PeersDriver: peers.rounds, peers.warmups, peers.measurements, peers.iterationMs, peers.heapEntries,
# peers.expiries, peers.staleWrites, peers.outageMs, peers.afterRestartMs, peers.outages, peers.figures, peers.variants).
set -euo pipefail
cd "$(dirname "$0")"
start=$SECONDS
flags=(-B -q -Dstyle.color=never -Dspotless.check.skip=true -Djacoco.skip=true)

# Every peer module, with this checkout's cache-core and cache-redis in the same reactor: each module writes its class
# path to target/classpath.txt for the driver, and the Cachet peer's points at this checkout's jars, not at ~/.m2.
modules=benchmarks/environment,benchmarks/peers,benchmarks/peers/harness,benchmarks/peers/cachet,benchmarks/peers/spring-data-redis
modules+=,benchmarks/peers/redisson,benchmarks/peers/jetcache
mvn "${flags[@]}" -f ../../pom.xml package -pl "$modules" -am -DskipTests

java -cp "harness/target/classes:$(cat harness/target/classpath.txt)" "$@" \
    dev.cachet.benchmarks.peers.PeersDriver . ../RESULTS.md

echo "run.sh: done in $((SECONDS - start)) s (build included)"
