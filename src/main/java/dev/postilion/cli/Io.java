package dev.postilion.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Function;

/**
 * What a command talks to: its streams, its environment, and a way to ask for a password without
 * echo (null when there is no terminal, as under cron).
 *
 * @param prompter reads a line without echo; returns null when there is no terminal
 */
public record Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                 Function<String, char[]> prompter) {

    /** The real process: System streams, environment and console. */
    public static Io system() {
        return new Io(System.out, System.err, System.in, System.getenv(), prompt -> {
            java.io.Console c = System.console();
            return c == null ? null : c.readPassword("%s", prompt);
        });
    }
}
