/**
 * Redis for the project's tests: {@link dev.cachet.testing.redis.RedisExtension} (or the {@link
 * dev.cachet.testing.redis.RedisTest @RedisTest} annotation) resolves {@link dev.cachet.testing.redis.RedisServer},
 * {@link dev.cachet.testing.redis.RedisCluster} and {@link dev.cachet.testing.redis.RedisSentinel} parameters; {@link
 * dev.cachet.testing.redis.Dedicated @Dedicated} asks for a server (or a Sentinel topology) the test may kill; {@link
 * dev.cachet.testing.redis.FaultProxy} puts network faults (blackhole, reset, latency) between a client and a server.
 * It needs Jedis on the test class path, and Testcontainers to start a container (both optional dependencies of
 * cache-test); the proxy needs neither. Everything here but those public types is an implementation detail.
 */
@NullMarked
package dev.cachet.testing.redis;

import org.jspecify.annotations.NullMarked;
