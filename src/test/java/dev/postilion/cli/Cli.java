package dev.postilion.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import dev.postilion.smtp.Resolver;

/** Runs the command line in-process with captured output, as tests need it. */
final class Cli {

    final Map<String, String> env = new HashMap<>(Map.of("HOME", "/nonexistent-home"));
    String stdin = "";
    char[] typed;
    /** How host names resolve: the system's unless a test brings its own (so no test needs DNS). */
    Resolver resolver = Resolver.SYSTEM;

    record Outcome(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.copyOf(env), prompt -> typed, resolver);
        int code = Main.run(args, io);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
