package dev.cachet.examples.spring;

import dev.cachet.Cache;
import dev.cachet.CacheRegistry;
import java.util.List;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application that caches a slow service's answers with {@code @Cached} in a near cache over Redis,
 * configured only in {@code application.yml} (the Redis URL, and the {@code quotes} cache: tier, time to live, the
 * near tier's size and staleness bound, and the JSON value type). Cachet's auto-configuration builds the cache at
 * startup and proxies {@link QuoteService}; nothing here calls Cachet's API except to print the statistics.
 *
 * <p>The tour quotes a few symbols twice (the first call computes, the second is a near-tier hit), invalidates one
 * with {@code @CacheInvalidate}, and prints the cache's statistics. Run it with a Redis server at hand, twice: the
 * second run finds every quote in Redis, priced by the first process.
 *
 * <pre>
 * mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl examples -am
 * mvn -B -q -pl examples exec:exec -Ddemo.mainClass=dev.cachet.examples.spring.QuotesApplication
 * mvn -B -q -pl examples exec:exec -Ddemo.mainClass=dev.cachet.examples.spring.QuotesApplication \
 *     -Ddemo.args=--cachet.redis.url=redis://127.0.0.1:6380      # another server
 * </pre>
 *
 * <p>Without Redis the application still runs: the cache fails open, so every call computes its quote, and Redis's
 * unavailability is logged once per outage.
 */
@SpringBootApplication
public class QuotesApplication {
    private static final List<String> SYMBOLS = List.of("AAPL", "MSFT", "NFLX");

    /**
     * Runs the tour and exits, closing the context (and with it the Redis connections).
     *
     * @param args Spring Boot arguments, such as {@code --cachet.redis.url=redis://host:port}
     */
    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(QuotesApplication.class, args)));
    }

    @Bean
    QuoteService quoteService() {
        return new QuoteService();
    }

    @Bean
    CommandLineRunner tour(QuoteService quotes, CacheRegistry caches) {
        return args -> {
            for (String symbol : SYMBOLS) {
                timed(symbol, () -> quotes.quote(symbol));
                timed(symbol, () -> quotes.quote(symbol));
            }
            quotes.reprice("AAPL");
            System.out.println("repriced AAPL");
            timed("AAPL", () -> quotes.quote("AAPL"));

            Cache<?, ?> cache = caches.find("quotes").orElseThrow();
            System.out.printf("computed here: %d%n", quotes.computed());
            System.out.println("stats:        " + cache.stats());
            cache.nearStats().ifPresent(near -> System.out.println("near tier:    " + near));
            cache.remoteStats().ifPresent(remote -> System.out.println("Redis tier:   " + remote));
        };
    }

    private static void timed(String symbol, QuoteCall call) throws InterruptedException {
        long start = System.nanoTime();
        Quote quote = call.get();
        System.out.printf(
                "%-5s %6d cents, priced by %s, in %4d ms%n",
                symbol, quote.cents(), quote.pricedBy(), (System.nanoTime() - start) / 1_000_000);
    }

    /** A call of the quote service. */
    @FunctionalInterface
    private interface QuoteCall {
        Quote get() throws InterruptedException;
    }
}
