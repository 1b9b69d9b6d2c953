package dev.cachet.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cachet.Cache;
import dev.cachet.CacheStats;
import dev.cachet.Cachet;
import dev.cachet.testing.CacheInvariants;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Methods that return {@code CompletableFuture} or {@code CompletionStage}: what is cached, shared and retried. */
class FutureCachedProxyTest {

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    interface QuoteService {
        @Cached(name = "quotes")
        CompletableFuture<String> quote(String symbol);

        @Cached(name = "stages")
        CompletionStage<String> stage(String symbol);

        @CacheInvalidate(name = "quotes")
        void forget(String symbol);

        @CacheInvalidate(name = "quotes")
        CompletableFuture<String> requote(String symbol);
    }

    /** Answers each call with what {@link #answer} gives, and records the call. */
    static final class ScriptedQuotes implements QuoteService {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile Function<String, CompletableFuture<String>> answer = s -> CompletableFuture.completedFuture(s + "=1");
        final ConcurrentLinkedQueue<CompletableFuture<String>> requotes = new ConcurrentLinkedQueue<>();

        @Override
        public CompletableFuture<String> quote(String symbol) {
            calls.add("quote " + symbol);
            return answer.apply(symbol);
        }

        @Override
        public CompletionStage<String> stage(String symbol) {
            calls.add("stage " + symbol);
            return answer.apply(symbol).thenApply(value -> value + " (staged)");
        }

        @Override
        public void forget(String symbol) {
            calls.add("forget " + symbol);
        }

        @Override
        public CompletableFuture<String> requote(String symbol) {
            calls.add("requote " + symbol);
            CompletableFuture<String> done = new CompletableFuture<>();
            requotes.add(done);
            return done;
        }
    }

    private final ScriptedQuotes target = new ScriptedQuotes();
    private final QuoteService quotes = Cachet.proxy(QuoteService.class, target, invariants.registry());

    private Cache<?, ?> cache(String name) {
        return invariants.registry().find(name).orElseThrow();
    }

    @Test
    void theValueOfACompletedFutureIsCachedAndLaterCallsGetACompletedFuture() {
        assertThat(quotes.quote("AAPL").join()).isEqualTo("AAPL=1");
        CompletableFuture<String> second = quotes.quote("AAPL");

        assertThat(second).isCompletedWithValue("AAPL=1");
        assertThat(quotes.quote("MSFT").join()).isEqualTo("MSFT=1");
        assertThat(target.calls).containsExactly("quote AAPL", "quote MSFT");
        CacheStats stats = cache("quotes").stats();
        assertThat(stats.hitCount()).isEqualTo(1);
        assertThat(stats.missCount()).isEqualTo(2);
    }

    @Test
    void aFuturesValueIsCountedAsALoadOfTheCacheAndAFailureAsAFailedLoad() {
        quotes.quote("AAPL").join();
        target.answer = s -> CompletableFuture.failedFuture(new IllegalStateException("exchange closed"));
        assertThat(quotes.quote("MSFT")).isCompletedExceptionally();

        CacheStats stats = cache("quotes").stats();
        assertThat(stats.loadSuccessCount()).isEqualTo(1);
        assertThat(stats.loadFailureCount()).isEqualTo(1);
    }

    @Test
    void aCompletionStageIsCachedTheSameWay() {
        assertThat(quotes.stage("AAPL").toCompletableFuture().join()).isEqualTo("AAPL=1 (staged)");
        assertThat(quotes.stage("AAPL").toCompletableFuture()).isCompletedWithValue("AAPL=1 (staged)");

        assertThat(target.calls).containsExactly("stage AAPL");
    }

    @Test
    void theValueIsCachedWhenTheFutureCompletesNotBefore() {
        CompletableFuture<String> pending = new CompletableFuture<>();
        target.answer = s -> pending;

        CompletableFuture<String> first = quotes.quote("AAPL");
        assertThat(first).isNotDone();
        assertThat(cache("quotes").estimatedSize()).isZero();
        pending.complete("AAPL=2");

        assertThat(first).isCompletedWithValue("AAPL=2");
        assertThat(quotes.quote("AAPL")).isCompletedWithValue("AAPL=2");
        assertThat(target.calls).containsExactly("quote AAPL");
    }

    @Test
    void aFailedFutureIsNotCachedItsExceptionReachesTheCallerUnchangedAndTheNextCallRetries() {
        IllegalStateException down = new IllegalStateException("exchange closed");
        target.answer = s -> CompletableFuture.failedFuture(down);

        CompletableFuture<String> failed = quotes.quote("AAPL");

        assertThat(failed).isCompletedExceptionally();
        assertThat(failed.handle((value, failure) -> failure).join()).isSameAs(down);
        target.answer = s -> CompletableFuture.completedFuture(s + "=3");
        assertThat(quotes.quote("AAPL").join()).isEqualTo("AAPL=3");
        assertThat(quotes.quote("AAPL").join()).isEqualTo("AAPL=3");
        assertThat(target.calls).containsExactly("quote AAPL", "quote AAPL");
    }

    @Test
    void anExceptionThrownInsteadOfAFutureReachesTheCallerUnchangedAndIsNotCached() {
        IllegalArgumentException unknown = new IllegalArgumentException("unknown symbol");
        target.answer = s -> {
            throw unknown;
        };

        assertThatThrownBy(() -> quotes.quote("???")).isSameAs(unknown);
        assertThatThrownBy(() -> quotes.quote("???")).isSameAs(unknown);
        assertThat(target.calls).containsExactly("quote ???", "quote ???");
    }

    @Test
    void aFutureCompletedWithNullIsNotCached() {
        target.answer = s -> CompletableFuture.completedFuture(null);

        assertThat(quotes.quote("AAPL")).isCompletedWithValue(null);
        assertThat(quotes.quote("AAPL")).isCompletedWithValue(null);
        assertThat(target.calls).containsExactly("quote AAPL", "quote AAPL");
    }

    @Test
    void callersThatMissWhileACallIsInFlightShareItAndEachGetsItsOwnFuture() {
        CompletableFuture<String> pending = new CompletableFuture<>();
        target.answer = s -> pending;

        CompletableFuture<String> first = quotes.quote("AAPL");
        CompletableFuture<String> second = quotes.quote("AAPL");
        CompletableFuture<String> third = quotes.quote("AAPL");
        assertThat(first).isNotSameAs(second).isNotSameAs(pending);
        third.cancel(false);
        pending.complete("AAPL=4");

        assertThat(first).isCompletedWithValue("AAPL=4");
        assertThat(second).isCompletedWithValue("AAPL=4");
        assertThat(third).isCancelled();
        assertThat(target.calls).containsExactly("quote AAPL");
    }

    @Test
    void aFailureReachesEveryCallerThatSharedTheCall() {
        CompletableFuture<String> pending = new CompletableFuture<>();
        target.answer = s -> pending;
        IllegalStateException down = new IllegalStateException("exchange closed");

        CompletableFuture<String> first = quotes.quote("AAPL");
        CompletableFuture<String> second = quotes.quote("AAPL");
        pending.completeExceptionally(down);

        assertThat(first.handle((value, failure) -> failure).join()).isSameAs(down);
        assertThat(second.handle((value, failure) -> failure).join()).isSameAs(down);
        target.answer = s -> CompletableFuture.completedFuture(s + "=5");
        assertThat(quotes.quote("AAPL").join()).isEqualTo("AAPL=5");
        assertThat(target.calls).containsExactly("quote AAPL", "quote AAPL");
    }

    @Test
    void aCallInFlightWhenItsKeyIsInvalidatedAnswersItsCallersButStoresNothing() {
        CompletableFuture<String> pending = new CompletableFuture<>();
        target.answer = s -> pending;

        CompletableFuture<String> stale = quotes.quote("AAPL");
        quotes.forget("AAPL");
        target.answer = s -> CompletableFuture.completedFuture(s + "=fresh");
        CompletableFuture<String> fresh = quotes.quote("AAPL");
        pending.complete("AAPL=stale");

        assertThat(stale).isCompletedWithValue("AAPL=stale");
        assertThat(fresh).isCompletedWithValue("AAPL=fresh");
        assertThat(quotes.quote("AAPL")).isCompletedWithValue("AAPL=fresh");
        assertThat(target.calls).containsExactly("quote AAPL", "forget AAPL", "quote AAPL");
    }

    @Test
    void anInvalidatingMethodThatReturnsAFutureInvalidatesWhenItCompletesNormally() {
        quotes.quote("AAPL").join();

        CompletableFuture<String> failing = quotes.requote("AAPL");
        target.requotes.remove().completeExceptionally(new IllegalStateException("rejected"));
        assertThat(failing).isCompletedExceptionally();
        assertThat(quotes.quote("AAPL")).isCompletedWithValue("AAPL=1");

        CompletableFuture<String> requote = quotes.requote("AAPL");
        assertThat(quotes.quote("AAPL")).isCompletedWithValue("AAPL=1");
        target.requotes.remove().complete("accepted");
        assertThat(requote).isCompletedWithValue("accepted");
        target.answer = s -> CompletableFuture.completedFuture(s + "=6");
        assertThat(quotes.quote("AAPL").join()).isEqualTo("AAPL=6");

        assertThat(target.calls).containsExactly("quote AAPL", "requote AAPL", "requote AAPL", "quote AAPL");
    }
}
