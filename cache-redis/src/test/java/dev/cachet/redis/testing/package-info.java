/**
 * Redis for the project's tests: {@link dev.cachet.redis.testing.RedisExtension} (or the {@link
 * dev.cachet.redis.testing.RedisTest @RedisTest} annotation) resolves {@link dev.cachet.redis.testing.RedisServer}
 * and {@link dev.cachet.redis.testing.RedisCluster} parameters; {@link dev.cachet.redis.testing.Dedicated @Dedicated}
 * asks for a server the test may kill and restart. It ships in cache-redis's test jar so other modules'
 * tests reuse it. Everything here but those public types is an implementation detail.
 */
package dev.cachet.redis.testing;
