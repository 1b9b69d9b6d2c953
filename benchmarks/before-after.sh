#!/usr/bin/env bash
# Measures the hit figures P1, P2 and P10 (P6 at 8 threads too) of two commits side by side, for a before/after
# comparison of a change (issue 13), and prints a Markdown table:
#   benchmarks/before-after.sh <before-commit> [<after-commit>, default HEAD]
# Each commit is checked out into a temporary work tree and built there (nothing is installed into ~/.m2); then
# ROUNDS rounds (default 4) run one JMH fork per benchmark, thread count and commit, the two commits taking turns to
# go first, so that a change in the machine's speed during the run falls on both alike. Run on an otherwise idle
# machine; about 6 minutes per round on 2 cores. FIGURES picks some of them (default "P1 P2 P10"), THREADS some
# thread counts (default 1 and 2 for P1 and P2, 1, 2 and 8 for P10), e.g.
#   ROUNDS=6 FIGURES=P2 benchmarks/before-after.sh b635a04
#   ROUNDS=22 FIGURES="P1 P2" THREADS=1 benchmarks/before-after.sh b635a04
# Raw JMH results are kept in benchmarks/target/before-after/.
set -euo pipefail
cd "$(dirname "$0")"
before=$(git rev-parse --short "${1:?usage: before-after.sh <before-commit> [<after-commit>]}")
after=$(git rev-parse --short "${2:-HEAD}")
rounds=${ROUNDS:-4}
figures=" ${FIGURES:-P1 P2 P10} "
out=$PWD/target/before-after
trees=$(mktemp -d "${TMPDIR:-/tmp}/cachet-before-after.XXXXXX")
trap 'git worktree remove --force "$trees/before" 2>/dev/null; git worktree remove --force "$trees/after" 2>/dev/null; rm -rf "$trees"' EXIT
rm -rf "$out" && mkdir -p "$out"
flags=(-B -q -Dstyle.color=never -Dspotless.check.skip=true -Djacoco.skip=true -DskipTests)

for version in before after; do
    commit=${!version}
    git worktree add -q --detach "$trees/$version" "$commit"
    echo "== building $version ($commit)"
    mvn "${flags[@]}" -f "$trees/$version/pom.xml" -pl benchmarks -am package \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
done

# fork <version> <figure> <threads> <round> <benchmark regex> [JMH options]
fork() {
    local version=$1 figure=$2 threads=$3 round=$4 regex=$5
    shift 5
    [[ $figures == *" $figure "* ]] || return 0
    local module=$trees/$version/benchmarks
    java -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" org.openjdk.jmh.Main "$regex" \
        -t "$threads" -f 1 -wi 4 -w 1 "$@" -rf json -rff "$out/$version-$figure-t$threads-r$round.json" \
        > "$out/$version-$figure-t$threads-r$round.log" 2>&1
    echo "$(date +%T) $version $figure, $threads threads, round $round"
}

for round in $(seq 1 "$rounds"); do
    if ((round % 2)); then order="before after"; else order="after before"; fi
    for version in $order; do
        for threads in ${THREADS:-1 2}; do
            fork "$version" P1 "$threads" "$round" 'CacheHitBenchmark\.(cachet|caffeine)$' -i 4 -r 1
            fork "$version" P2 "$threads" "$round" 'MemoizedHitBenchmark\.(memoized|caffeine)$' -i 4 -r 1
        done
        for threads in ${THREADS:-1 2 8}; do
            fork "$version" P10 "$threads" "$round" 'RedisHitBenchmark\.(redisTier|jedisGet)$' -i 5 -r 2
        done
    done
done

module=$trees/after/benchmarks
java -cp "$module/target/classes:$(cat "$module/target/classpath.txt")" dev.cachet.benchmarks.BeforeAfterReport \
    "$out" "$before" "$after"
