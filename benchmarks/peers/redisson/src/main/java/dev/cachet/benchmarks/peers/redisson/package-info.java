/** The Redisson peer: {@code RBucket}, {@code RMapCache}, {@code RLocalCachedMap} and its Spring cache manager. */
package dev.cachet.benchmarks.peers.redisson;
