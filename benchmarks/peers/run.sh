#!/usr/bin/env bash
# Runs Cachet against its peers (issue 13) and writes the "Against the peers" section of ../RESULTS.md (the ratio
# report's other sections stay). About 6 minutes on 2 cores; run it on an otherwise idle machine. Needs redis-server on
# the PATH. JVM options go to the driver, e.g.
#   benchmarks/peers/run.sh -Dpeers.rounds=3 -Dpeers.measurements=8
# (see PeersDriver: peers.rounds, peers.warmups, peers.measurements, peers.iterationMs, peers.heapEntries).
set -euo pipefail
cd "$(dirname "$0")"
start=$SECONDS
flags=(-B -q -Dstyle.color=never -Dspotless.check.skip=true -Djacoco.skip=true)

# This checkout's cache-core and cache-redis (main code only), installed to ~/.m2 for the Cachet peer; then every peer
# module, each of which writes its own class path to target/classpath.txt for the driver.
mvn "${flags[@]}" -f ../../pom.xml install -pl cache-core,cache-redis -Dmaven.test.skip=true
mvn "${flags[@]}" package -DskipTests

java -cp "harness/target/classes:$(cat harness/target/classpath.txt)" "$@" \
    dev.cachet.benchmarks.peers.PeersDriver . ../RESULTS.md

echo "run.sh: done in $((SECONDS - start)) s (build included)"
