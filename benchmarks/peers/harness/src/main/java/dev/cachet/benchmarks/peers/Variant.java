package dev.cachet.benchmarks.peers;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One way of setting a peer up, as the report shows it.
 *
 * @param id a short unique id, e.g. {@code redisson-bucket}; Cachet's are {@link #CACHET} or start with {@code
 *     cachet-}, and of those {@link #CACHET} and {@link #CACHET_NEAR} are Cachet's figures in every ratio
 * @param label what the report calls it, e.g. {@code Redisson RBucket}
 * @param tier where a hit is answered: Redis, or a near tier in the JVM
 * @param bulkGetAll whether {@link PeerCache#getAll} is the library's own bulk call ({@code false}: a loop over get)
 * @param configuration how the variant is set up, one Markdown line each, written into the report
 */
public record Variant(String id, String label, Tier tier, boolean bulkGetAll, List<String> configuration) {
    /**
     * Cachet with a Redis tier and no near tier (every hit is answered by Redis), its default setup: Cachet's figure
     * in every Redis-tier ratio.
     */
    public static final String CACHET = "cachet";

    /** Cachet with a Redis tier and a near tier, its default setup: Cachet's figure in every near-tier ratio. */
    public static final String CACHET_NEAR = "cachet-near";

    /** Where a hit is answered. */
    public enum Tier {
        /** Every hit is a round trip to Redis. */
        REDIS,
        /** Hits are answered from a copy in the JVM, kept in step with Redis. */
        NEAR
    }

    /** Checks the components and copies the configuration. */
    public Variant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(tier, "tier");
        configuration = List.copyOf(configuration);
        if (id.isBlank() || id.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("variant id must be non-blank without whitespace: '" + id + "'");
        }
    }

    /**
     * Returns {@code shared} followed by {@code more}: the configuration of a variant that adds lines to those its
     * peer's variants share.
     */
    public static List<String> lines(List<String> shared, String... more) {
        return Stream.concat(shared.stream(), Stream.of(more)).toList();
    }

    /**
     * Returns whether this is one of Cachet's own variants: those the peers are compared with ({@link #cachetOf}) and
     * any other way of setting Cachet up, which the report shows as a row of its own, never as a peer.
     */
    public boolean isCachet() {
        return id.equals(CACHET) || id.startsWith(CACHET + "-");
    }

    /** Returns the id of Cachet's variant whose figures are Cachet's in the ratios of {@code tier}. */
    public static String cachetOf(Tier tier) {
        return tier == Tier.NEAR ? CACHET_NEAR : CACHET;
    }
}
