/** The JetCache peer, without Spring: a remote cache, and a two-level cache kept in step by {@code syncLocal}. */
package dev.cachet.benchmarks.peers.jetcache;
