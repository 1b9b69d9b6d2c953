package dev.cachet.redis.history;

import java.util.List;
import java.util.Map;

/**
 * Everything a run recorded, for the checker.
 *
 * @param seed the run's seed
 * @param ops every finished operation of every worker incarnation
 * @param channelEvents every cut and renewal of a near cache's invalidation subscription, of every incarnation
 * @param faults the faults injected, in order
 * @param killedAt each killed incarnation ({@code w0.1}) and when it was killed ({@link System#nanoTime()})
 * @param start when the workers started operating
 * @param end the workers' deadline
 * @param problems what went wrong with the run itself: a worker that exited with an error, hung or never came up
 */
record History(
        long seed,
        List<Op> ops,
        List<ChannelEvent> channelEvents,
        List<FaultEvent> faults,
        Map<String, Long> killedAt,
        long start,
        long end,
        List<String> problems) {
    History {
        ops = List.copyOf(ops);
        channelEvents = List.copyOf(channelEvents);
        faults = List.copyOf(faults);
        killedAt = Map.copyOf(killedAt);
        problems = List.copyOf(problems);
    }
}
