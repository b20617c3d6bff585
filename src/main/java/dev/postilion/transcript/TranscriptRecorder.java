package dev.postilion.transcript;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Keeps the swaks-style transcript in memory (masked), for tests, error reports and
 * {@code -q} runs that print it only when they fail.
 */
public final class TranscriptRecorder implements TranscriptListener {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final SwaksPrinter printer;

    /** A recorder that masks secrets. */
    public TranscriptRecorder() {
        this(false);
    }

    /** A recorder; {@code showSecrets} as for {@link SwaksPrinter}. */
    public TranscriptRecorder(boolean showSecrets) {
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        this.printer = new SwaksPrinter(ps, ps, showSecrets);
    }

    @Override public synchronized void info(String text) { printer.info(text); }
    @Override public synchronized void error(String text) { printer.error(text); }
    @Override public synchronized void sent(String line, boolean secret, boolean tls) { printer.sent(line, secret, tls); }
    @Override public synchronized void dataLine(String line, boolean tls) { printer.dataLine(line, tls); }
    @Override public synchronized void dataSummary(long lines, long n, int shown, boolean tls) {
        printer.dataSummary(lines, n, shown, tls);
    }
    @Override public synchronized void received(List<String> lines, boolean expected, boolean tls) {
        printer.received(lines, expected, tls);
    }
    @Override public synchronized void tlsStarted(List<String> details) { printer.tlsStarted(details); }
    @Override public synchronized void secret(String text) { printer.secret(text); }

    /** The transcript so far. */
    public synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
