package dev.cachet;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What the tests' logger (slf4j-simple, which writes to {@code System.err}) printed. */
final class LoggedOutput {
    private LoggedOutput() {}

    /** Returns what was logged while {@code run} ran. Tests that call it must not run in parallel with others. */
    static String whileRunning(Runnable run) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
