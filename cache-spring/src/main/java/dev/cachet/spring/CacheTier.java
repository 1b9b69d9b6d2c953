package dev.cachet.spring;

/** Where a cache declared in {@code cachet.caches.<name>.tier} keeps its values. */
public enum CacheTier {
    /** In this process only, on Caffeine: the default. */
    LOCAL,
    /** In Redis only, shared by every process; values cross the network encoded by the cache's codec. */
    REMOTE,
    /** In Redis, with a bounded local copy in each process that other processes' writes invalidate. */
    NEAR
}
