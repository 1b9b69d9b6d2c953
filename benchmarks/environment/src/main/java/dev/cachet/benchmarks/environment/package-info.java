/**
 * What every benchmark report shares, whichever JVM runs it: the machine it was measured on ({@link
 * dev.cachet.benchmarks.environment.MachineInfo}) and a throw-away {@code redis-server} ({@link
 * dev.cachet.benchmarks.environment.RedisServerProcess}). No dependencies, so the peers' harness can use it without
 * bringing Cachet or a Redis client onto a peer's class path.
 */
package dev.cachet.benchmarks.environment;
