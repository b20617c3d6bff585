package dev.postilion.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the progress display needs to know about the terminal: is stderr one, and how wide is it. */
final class Terminal {

    /** The width assumed when none can be found. */
    static final int DEFAULT_COLUMNS = 80;

    private Terminal() {
    }

    /**
     * True when the process's stderr is a terminal. On Linux, {@code /proc/self/fd/2} names the
     * device; elsewhere the console's presence (stdin and stdout on a terminal) stands in for it.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /**
     * The terminal's columns: {@code $COLUMNS} when set, else what {@code stty size} says about
     * {@code /dev/tty}, else {@value #DEFAULT_COLUMNS}.
     */
    static int columns(Map<String, String> env) {
        String columns = env.get("COLUMNS");
        if (columns != null && columns.matches("\\d{1,4}") && Integer.parseInt(columns) > 0) {
            return Integer.parseInt(columns);
        }
        File tty = new File("/dev/tty");
        if (!tty.canRead()) {
            return DEFAULT_COLUMNS;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // Its few bytes fit the pipe: wait first, so a stty that hangs cannot hold the run.
            if (!stty.waitFor(2, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return DEFAULT_COLUMNS;
            }
            String size = new String(stty.getInputStream().readNBytes(64), StandardCharsets.US_ASCII).trim();
            String[] rowsAndColumns = size.split("\\s+");
            if (stty.exitValue() == 0 && rowsAndColumns.length == 2 && rowsAndColumns[1].matches("\\d{1,4}")) {
                int n = Integer.parseInt(rowsAndColumns[1]);
                return n > 0 ? n : DEFAULT_COLUMNS;
            }
        } catch (IOException e) {
            return DEFAULT_COLUMNS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_COLUMNS;
    }
}
