/**
 * Redis for the project's tests: {@link dev.cachet.testing.redis.RedisExtension} (or the {@link
 * dev.cachet.testing.redis.RedisTest @RedisTest} annotation) resolves {@link dev.cachet.testing.redis.RedisServer}
 * and {@link dev.cachet.testing.redis.RedisCluster} parameters; {@link dev.cachet.testing.redis.Dedicated @Dedicated}
 * asks for a server the test may kill and restart; {@link dev.cachet.testing.redis.FaultProxy} puts network faults
 * (blackhole, reset, latency) between a client and a server. It needs Jedis on the test class path, and
 * Testcontainers to start a container (both optional dependencies of cache-test); the proxy needs neither. Everything
 * here but those public types is an implementation detail.
 */
@NullMarked
package dev.cachet.testing.redis;

import org.jspecify.annotations.NullMarked;
