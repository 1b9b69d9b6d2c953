package dev.cachet.redis.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Appends a worker's operations and its near caches' {@link ChannelEvent}s to its history file, one line each, handed
 * to the OS as soon as the operation ends or the event happened: a worker killed with SIGKILL loses only the
 * operations it had not finished. Thread-safe.
 */
final class HistoryRecorder implements AutoCloseable {
    /**
     * What the history files of a run hold.
     *
     * @param ops every operation
     * @param channelEvents every channel event
     */
    record Recorded(List<Op> ops, List<ChannelEvent> channelEvents) {
        Recorded {
            ops = List.copyOf(ops);
            channelEvents = List.copyOf(channelEvents);
        }
    }

    private final Path file;
    private final BufferedWriter out;
    private boolean closed;

    HistoryRecorder(Path file) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    synchronized void record(Op op) {
        append(op.toLine());
    }

    /**
     * Records a channel event; once the recorder is closed, does nothing: a subscription ending while the worker exits
     * is no part of its history.
     */
    synchronized void record(ChannelEvent event) {
        if (!closed) {
            append(event.toLine());
        }
    }

    private void append(String line) {
        try {
            out.write(line);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to the history file " + file, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        out.close();
    }

    /**
     * Reads every history file ({@code *.history}) in {@code dir}. A last line cut short by a kill is skipped, any
     * other bad line fails.
     */
    static Recorded readAll(Path dir) throws IOException {
        List<Op> ops = new ArrayList<>();
        List<ChannelEvent> channelEvents = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(path -> path.toString().endsWith(".history"))
                    .sorted()
                    .toList();
        }
        for (Path path : files) {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                try {
                    if (ChannelEvent.isEvent(line)) {
                        channelEvents.add(ChannelEvent.parse(line));
                    } else {
                        ops.add(Op.parse(line));
                    }
                } catch (IllegalArgumentException e) {
                    if (i != lines.size() - 1) {
                        throw new IllegalStateException("Line " + (i + 1) + " of " + path + " is corrupt", e);
                    }
                }
            }
        }
        return new Recorded(ops, channelEvents);
    }
}
