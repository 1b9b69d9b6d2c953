/**
 * Cachet against its peers (issue 13): the workload every peer runs ({@link dev.cachet.benchmarks.peers.Workload}),
 * the contract a peer implements ({@link dev.cachet.benchmarks.peers.Peer}, {@link
 * dev.cachet.benchmarks.peers.PeerCache}), the JMH benchmark that runs in each peer's own JVM ({@link
 * dev.cachet.benchmarks.peers.PeerBenchmark}), the worker main that JVM runs ({@link
 * dev.cachet.benchmarks.peers.PeerWorker}) and the driver that starts redis-server and one JVM per peer and writes the
 * report ({@link dev.cachet.benchmarks.peers.PeersDriver}).
 *
 * <p>Each peer lives in its own Maven module with its own class path, since the peers' Redis clients clash; a module
 * registers its {@code Peer} through {@code META-INF/services}.
 */
package dev.cachet.benchmarks.peers;
