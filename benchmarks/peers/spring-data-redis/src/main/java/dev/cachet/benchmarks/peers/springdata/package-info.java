/** The Spring Data Redis peer: Spring Boot's {@code RedisCacheManager}, with the default and the locking writer. */
package dev.cachet.benchmarks.peers.springdata;
