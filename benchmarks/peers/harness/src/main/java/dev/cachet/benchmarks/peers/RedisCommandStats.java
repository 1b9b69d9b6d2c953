package dev.cachet.benchmarks.peers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the commands a Redis server ran, over plain sockets: the harness has no Redis client of its own, since each
 * peer brings one. {@link #count} runs some calls and counts their commands two ways: every command the server ran
 * ({@code INFO commandstats}, which counts the commands a script runs too), and the commands clients sent (a {@code
 * MONITOR} connection, which marks a script's commands {@code lua}): the round trips, unless a client pipelines several
 * commands into one. Not thread-safe.
 */
public final class RedisCommandStats {
    private final String host;
    private final int port;

    /** Reads the statistics of the server at {@code host:port}. */
    public RedisCommandStats(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Returns the calls of each command (e.g. {@code get}, {@code mget}, {@code evalsha}) since the server started. */
    public Map<String, Long> calls() {
        return parse(send("INFO", "commandstats"));
    }

    /** Returns the calls of every command but {@code INFO} (which this class sends) since the server started. */
    public long totalCalls() {
        return calls().entrySet().stream()
                .filter(e -> !e.getKey().equals("info"))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /**
     * What some calls cost in commands.
     *
     * @param all every command the server ran, a script's own commands included ({@code INFO commandstats})
     * @param sent the commands clients sent ({@code MONITOR}, a script's own commands excluded)
     */
    public record Count(long all, long sent) {}

    /**
     * Runs {@code calls} and counts the commands the server ran meanwhile (see the class comment). Other clients of the
     * server count too, so run it on a server of one's own.
     */
    public Count count(Runnable calls) {
        try (Socket monitor = new Socket(host, port)) {
            monitor.setSoTimeout(30_000);
            InputStream in = new java.io.BufferedInputStream(monitor.getInputStream());
            monitor.getOutputStream().write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            monitor.getOutputStream().flush();
            String ok = readLine(in);
            if (!ok.equals("+OK")) {
                throw new IllegalStateException("MONITOR answered " + ok);
            }
            long before = totalCalls();
            calls.run();
            long after = totalCalls();
            // The marker tells where the calls' commands end in the monitor's stream.
            String marker = "peers-count-end-" + System.nanoTime();
            send("ECHO", marker);
            long sent = 0;
            for (String line = readLine(in); !line.contains(marker); line = readLine(in)) {
                // +1700000000.123456 [0 127.0.0.1:5555] "get" "k1"; a script's commands: [0 lua] "get" "k1"
                int open = line.indexOf('[');
                int close = line.indexOf(']', open + 1);
                boolean fromScript =
                        open >= 0 && close > open && line.substring(open, close).endsWith(" lua");
                boolean ours = line.toLowerCase(Locale.ROOT).contains("\"info\" \"commandstats\"");
                if (open >= 0 && !fromScript && !ours) {
                    sent++;
                }
            }
            return new Count(after - before, sent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot monitor Redis at " + host + ":" + port, e);
        }
    }

    /** Deletes every key of every database ({@code FLUSHALL}): each run starts from an empty server. */
    public void flushAll() {
        String reply = send("FLUSHALL");
        if (!reply.equals("OK")) {
            throw new IllegalStateException("FLUSHALL answered " + reply);
        }
    }

    /** Returns the number of keys in the current database ({@code DBSIZE}). */
    public long dbSize() {
        return Long.parseLong(send("DBSIZE"));
    }

    /** Parses the {@code cmdstat_<name>:calls=<n>,...} lines of {@code INFO commandstats}. */
    static Map<String, Long> parse(String info) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : info.split("\r?\n", -1)) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = line.substring("cmdstat_".length(), colon);
            for (String field : line.substring(colon + 1).split(",", -1)) {
                if (field.startsWith("calls=")) {
                    calls.put(name, Long.parseLong(field.substring("calls=".length())));
                }
            }
        }
        return calls;
    }

    /** Sends one command and returns its simple-string, integer or bulk-string reply. */
    private String send(String... args) {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(5_000);
            StringBuilder command =
                    new StringBuilder().append('*').append(args.length).append("\r\n");
            for (String arg : args) {
                command.append('$')
                        .append(arg.length())
                        .append("\r\n")
                        .append(arg)
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String header = readLine(in);
            if (header.startsWith("+") || header.startsWith(":")) {
                return header.substring(1);
            }
            if (!header.startsWith("$")) {
                throw new IllegalStateException(String.join(" ", args) + " answered " + header);
            }
            byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
            return new String(body, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Redis at " + host + ":" + port, e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-reply");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
