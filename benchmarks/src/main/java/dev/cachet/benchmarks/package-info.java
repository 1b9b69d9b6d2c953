/**
 * The ratio report (issue 6): every figure is Cachet measured side by side with a baseline in the same run.
 *
 * <ul>
 *   <li>JMH benchmarks: {@link dev.cachet.benchmarks.CacheHitBenchmark} (P1, and P9 under the GC profiler) and
 *       {@link dev.cachet.benchmarks.MemoizedHitBenchmark} (P2, P9).
 *   <li>Plain harnesses: {@link dev.cachet.benchmarks.HitRatioHarness} (P3), {@link
 *       dev.cachet.benchmarks.LoadsPerExpiryHarness} (P4), {@link dev.cachet.benchmarks.HeapPerEntryHarness} (P8).
 *   <li>{@link dev.cachet.benchmarks.BenchmarkSuite} runs them all and writes {@code RESULTS.md}, {@code
 *       results.csv} and {@code results.png}.
 * </ul>
 *
 * <p>Measurement code, not API: nothing here is meant to be called by applications.
 */
package dev.cachet.benchmarks;
