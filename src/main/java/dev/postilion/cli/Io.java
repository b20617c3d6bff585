package dev.postilion.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Function;

import dev.postilion.smtp.Resolver;

/**
 * What a command talks to: its streams, its environment, a way to ask for a password without
 * echo (null when there is no terminal, as under cron), and the name resolver.
 *
 * @param prompter reads a line without echo; returns null when there is no terminal
 * @param resolver turns server host names into addresses ({@link Resolver#SYSTEM}; tests use their own)
 */
public record Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                 Function<String, char[]> prompter, Resolver resolver) {

    public Io {
        if (resolver == null) {
            resolver = Resolver.SYSTEM;
        }
    }

    /** These streams, environment and prompter, with the system's resolver. */
    public Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
              Function<String, char[]> prompter) {
        this(out, err, in, env, prompter, Resolver.SYSTEM);
    }

    /** The real process: System streams, environment and console. */
    public static Io system() {
        return new Io(System.out, System.err, System.in, System.getenv(), prompt -> {
            java.io.Console c = System.console();
            return c == null || !isTerminal(c) ? null : c.readPassword("%s", prompt);
        });
    }

    /** JDK 22+ has a console without a terminal too, and {@code Console.isTerminal()} tells; before, a console is one. */
    private static boolean isTerminal(java.io.Console c) {
        try {
            return !Boolean.FALSE.equals(java.io.Console.class.getMethod("isTerminal").invoke(c));
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
