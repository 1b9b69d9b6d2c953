package dev.cachet.spring.autoconfigure;

import dev.cachet.CacheUnavailableException;
import dev.cachet.redis.RedisTier;
import dev.cachet.redis.RedisTierConfig;
import dev.cachet.spring.autoconfigure.CachetProperties.Redis;
import dev.cachet.spring.autoconfigure.CachetProperties.Sentinel;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import redis.clients.jedis.HostAndPort;

/** Makes the {@link RedisTier} that {@code cachet.redis} describes. Stateless. */
final class RedisTiers {
    private static final String PREFIX = "cachet.redis.";

    private RedisTiers() {}

    /**
     * Connects to the server, Cluster or primary under Sentinel of {@code redis}; a standalone server is connected
     * lazily, a Cluster's slot map is read now, and so is the primary's address from the Sentinels.
     *
     * @throws InvalidConfigurationPropertyValueException naming the property if a value is wrong, or if more than one
     *     of url, cluster.nodes and sentinel is set
     * @throws IllegalStateException if no Cluster node answers, or no Sentinel knows the primary
     */
    static RedisTier create(Redis redis) {
        List<String> nodes = redis.cluster().nodes();
        String url = redis.url();
        boolean hasUrl = url != null && !url.isBlank();
        if (hasUrl && !nodes.isEmpty()) {
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + "cluster.nodes",
                    String.join(",", nodes),
                    "cannot be combined with cachet.redis.url: set one of them");
        }
        if (redis.sentinel().isSet()) {
            String other = hasUrl ? "cachet.redis.url" : !nodes.isEmpty() ? "cachet.redis.cluster.nodes" : null;
            if (other != null) {
                Sentinel sentinel = redis.sentinel();
                boolean hasMaster =
                        sentinel.master() != null && !sentinel.master().isBlank();
                throw new InvalidConfigurationPropertyValueException(
                        PREFIX + (hasMaster ? "sentinel.master" : "sentinel.nodes"),
                        hasMaster ? sentinel.master() : String.join(",", sentinel.nodes()),
                        "cannot be combined with " + other + ": set one of them");
            }
            return sentinel(redis.sentinel(), config(redis));
        }
        RedisTierConfig config = config(redis);
        if (hasUrl) {
            try {
                return RedisTier.connect(url, config);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationPropertyValueException(
                        PREFIX + "url", RedisUris.redact(url), e.getMessage());
            }
        }
        Set<HostAndPort> seeds = new LinkedHashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            seeds.add(node("cluster.nodes", i, nodes.get(i)));
        }
        try {
            return RedisTier.cluster(seeds, config);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + "cluster.nodes", String.join(",", nodes), e.getMessage());
        } catch (CacheUnavailableException e) {
            throw new IllegalStateException(
                    "No node of the Redis Cluster in cachet.redis.cluster.nodes (" + String.join(",", nodes)
                            + ") answered with the slot map; is the Cluster up? " + e.getMessage(),
                    e);
        }
    }

    private static RedisTier sentinel(Sentinel sentinel, RedisTierConfig config) {
        String master = sentinel.master();
        List<String> nodes = sentinel.nodes();
        if (master == null || master.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + "sentinel.master",
                    String.valueOf(master),
                    "must name the primary the Sentinels monitor when cachet.redis.sentinel.nodes is set");
        }
        if (nodes.isEmpty()) {
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + "sentinel.nodes",
                    "",
                    "must list at least one Sentinel as host:port when cachet.redis.sentinel.master is set");
        }
        Set<HostAndPort> sentinels = new LinkedHashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            sentinels.add(node("sentinel.nodes", i, nodes.get(i)));
        }
        try {
            return RedisTier.sentinel(master, sentinels, config);
        } catch (IllegalArgumentException e) {
            // The only cross-field checks left: a user without a password, for the data nodes or the Sentinels.
            String message = String.valueOf(e.getMessage());
            boolean ofSentinels = message.startsWith("sentinelUser");
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + (ofSentinels ? "sentinel.user" : "user"),
                    String.valueOf(ofSentinels ? sentinel.user() : config.user().orElse(null)),
                    message);
        } catch (CacheUnavailableException e) {
            throw new IllegalStateException(
                    "No Sentinel in cachet.redis.sentinel.nodes (" + String.join(",", nodes)
                            + ") told where the primary '" + master + "' is; are they up, and is that the name they"
                            + " monitor it under? " + e.getMessage(),
                    e);
        }
    }

    private static HostAndPort node(String property, int index, String node) {
        int colon = node.lastIndexOf(':');
        String reason = "must be host:port";
        if (colon > 0 && colon < node.length() - 1) {
            try {
                int port = Integer.parseInt(node.substring(colon + 1));
                if (port > 0 && port < 65_536) {
                    return new HostAndPort(node.substring(0, colon), port);
                }
                reason = "the port must be between 1 and 65535";
            } catch (NumberFormatException e) {
                reason = "must be host:port, with a numeric port";
            }
        }
        throw new InvalidConfigurationPropertyValueException(PREFIX + property + "[" + index + "]", node, reason);
    }

    private static RedisTierConfig config(Redis redis) {
        RedisTierConfig.Builder builder = RedisTierConfig.builder();
        // The builder checks each value where it is set, so each setter's failure names its own property.
        set("key-prefix", redis.keyPrefix(), builder::keyPrefix);
        set("connect-timeout", redis.connectTimeout(), builder::connectTimeout);
        set("socket-timeout", redis.socketTimeout(), builder::socketTimeout);
        set("max-connections", redis.maxConnections(), builder::maxConnections);
        set("user", redis.user(), builder::user);
        set("password", redis.password(), builder::password);
        set("sentinel.user", redis.sentinel().user(), builder::sentinelUser);
        set("sentinel.password", redis.sentinel().password(), builder::sentinelPassword);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            // RedisTierConfig's messages start with the component's name: keyPrefix, connectTimeout, ...
            String message = String.valueOf(e.getMessage());
            String component = message.split(" ", 2)[0];
            String property = PREFIX + kebab(component);
            Object value = component.equals("password") ? "<hidden>" : valueOf(redis, component);
            throw new InvalidConfigurationPropertyValueException(property, value, message);
        }
    }

    private static <T> void set(String property, @Nullable T value, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            Object shown = property.endsWith("password") ? "<hidden>" : value;
            throw new InvalidConfigurationPropertyValueException(PREFIX + property, shown, e.getMessage());
        }
    }

    private static Object valueOf(Redis redis, String component) {
        return switch (component) {
            case "keyPrefix" -> String.valueOf(redis.keyPrefix());
            case "connectTimeout" -> String.valueOf(redis.connectTimeout());
            case "socketTimeout" -> String.valueOf(redis.socketTimeout());
            case "maxConnections" -> String.valueOf(redis.maxConnections());
            case "user" -> String.valueOf(redis.user());
            default -> "?";
        };
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
