#!/usr/bin/env bash
# Runs the in-memory demo (examples/src/main/java/dev/cachet/examples/Demo.java); no Redis needed.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -Dstyle.color=never -Dmaven.test.skip=true -Dspotless.check.skip=true -Djacoco.skip=true install -pl examples -am
exec mvn -B -q -Dstyle.color=never -pl examples exec:exec
