package dev.cachet.redis;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.executors.ClusterCommandExecutor;
import redis.clients.jedis.executors.CommandExecutor;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * A Cluster client for tests that puts faults between the caller and the Cluster, command by command, on the caller's
 * thread: a command {@code unreachable} matches fails with a {@link JedisConnectionException} before it is sent; one
 * {@code sentTwice} matches runs twice, as a client runs a command again when the reply to the first try timed out
 * (the second reply is returned); {@code afterRun} is told of every command that ran, before the call returns.
 */
final class FaultyClusterClient {
    private static final Duration RETRIES_WITHIN = Duration.ofSeconds(5);

    private FaultyClusterClient() {}

    static RedisClusterClient create(
            Set<HostAndPort> nodes,
            Predicate<CommandArguments> unreachable,
            Predicate<CommandArguments> sentTwice,
            Consumer<CommandArguments> afterRun) {
        ClusterConnectionProvider provider = new ClusterConnectionProvider(
                nodes, DefaultJedisClientConfig.builder().build());
        ClusterCommandExecutor executor = new ClusterCommandExecutor(provider, 3, RETRIES_WITHIN);
        CommandExecutor faulty = new CommandExecutor() {
            @Override
            public <T> T executeCommand(CommandObject<T> command) {
                CommandArguments arguments = command.getArguments();
                if (unreachable.test(arguments)) {
                    throw new JedisConnectionException(
                            "the test made the node of this " + arguments.getCommand() + " unreachable");
                }
                T result = executor.executeCommand(command);
                if (sentTwice.test(arguments)) {
                    result = executor.executeCommand(command);
                }
                afterRun.accept(arguments);
                return result;
            }

            @Override
            public <T> T broadcastCommand(CommandObject<T> command) {
                return executor.broadcastCommand(command);
            }

            @Override
            public void close() {
                executor.close();
            }
        };
        return RedisClusterClient.builder()
                .nodes(nodes)
                .connectionProvider(provider)
                .commandExecutor(faulty)
                .build();
    }
}
