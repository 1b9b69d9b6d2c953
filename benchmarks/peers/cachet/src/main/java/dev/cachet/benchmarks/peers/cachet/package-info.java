/** Cachet itself, as the peers' driver runs it: the numerator of every ratio in "Against the peers". */
package dev.cachet.benchmarks.peers.cachet;
