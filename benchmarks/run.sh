#!/usr/bin/env bash
# Runs the whole ratio report (issue 6) and writes RESULTS.md, results.csv and results.png into this directory.
# About 6 minutes on 2 cores; run it on an otherwise idle machine. Traces are read from ../../shared/traces (next to
# the repository root); point elsewhere with `./run.sh -Dcachet.traces.dir=/path/to/traces`.
set -euo pipefail
cd "$(dirname "$0")"
start=$SECONDS
flags=(-B -q -Dstyle.color=never -Dspotless.check.skip=true -Djacoco.skip=true)

# This checkout's cache-core, cache-test (P5's stampede harness) and cache-redis (main code only: their tests are not
# needed here), installed to ~/.m2 so this module builds whether or not the root pom lists it yet. The Redis figures
# (P5-P7) need redis-server on the PATH.
mvn "${flags[@]}" -f ../pom.xml install -pl cache-core,cache-test,cache-redis -Dmaven.test.skip=true
mvn "${flags[@]}" compile exec:exec "$@"

echo "run.sh: done in $((SECONDS - start)) s (build included)"
