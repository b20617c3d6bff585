package dev.postilion.cli;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;

import dev.postilion.io.InputFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code postilion base64 encode|decode TEXT}: the encoder the old tutorials send you to a website for. */
@Command(name = "base64", mixinStandardHelpOptions = true,
        description = {"Encode or decode base64, as AUTH LOGIN needs it.",
                "With no TEXT (or TEXT -), the text is read from standard input, or asked for without echo when"
                        + " standard input is a terminal: so a password never lands in shell history.",
                "One line ending at the end of the input is not part of the text.",
                "  postilion base64 decode VXNlcm5hbWU6     ->  Username:",
                "  postilion base64 encode guyt             ->  Z3V5dA==",
                "  postilion base64 encode                  ->  asks for it, without echo",
                "  pass show smtp/work | postilion base64 encode",
                "  postilion base64 encode --plain guyt     ->  AUTH PLAIN's string (asks too)"},
        subcommands = {Base64Command.Encode.class, Base64Command.Decode.class})
public final class Base64Command implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** {@code postilion base64} alone is a usage error: the short usage, exit 64. */
    @Override
    public Integer call() {
        return Main.missingCommand(spec.commandLine());
    }

    /** The input without one final LF or CRLF: what {@code echo} and a terminal add is not part of a password. */
    static byte[] withoutLastNewline(byte[] input) {
        int end = input.length;
        if (end > 0 && input[end - 1] == '\n') {
            end--;
            if (end > 0 && input[end - 1] == '\r') {
                end--;
            }
        }
        return java.util.Arrays.copyOf(input, end);
    }

    /** TEXT, else standard input (asked without echo on a terminal), as bytes. */
    private static byte[] input(Io io, String text, String prompt) throws InputFile.Refused {
        if (text != null && !text.equals("-")) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        // On a terminal, ask without echo; otherwise (a pipe, a file) read standard input.
        char[] typed = io.prompter().apply(prompt + " (not shown): ");
        return typed != null ? new String(typed).getBytes(StandardCharsets.UTF_8)
                : withoutLastNewline(InputFile.readAll(io.in(), "standard input", SendCommand.TEXT_CAP));
    }

    /** {@code base64 encode [TEXT]} and {@code base64 encode --plain USER}. */
    @Command(name = "encode", aliases = "e", mixinStandardHelpOptions = true,
            description = "Encode TEXT (or standard input) as base64; --plain USER builds AUTH PLAIN's string.")
    static final class Encode implements Callable<Integer> {
        private final Io io;

        @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT", description = "The text; none or - reads"
                + " standard input (a terminal: asked without echo). Avoid passwords here: they stay in shell history.")
        String text;

        @Option(names = "--plain", paramLabel = "USER",
                description = "Build AUTH PLAIN's \\0user\\0password for USER; the password is asked without echo.")
        String plainUser;

        Encode(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() throws InputFile.Refused {
            if (plainUser != null) {
                char[] pw = io.prompter().apply("Password for " + plainUser + ": ");
                if (pw == null) {
                    io.err().println("postilion base64: --plain needs a terminal to ask for the password");
                    return ExitCode.CONFIG.code();
                }
                byte[] msg = ("\0" + plainUser + "\0" + new String(pw)).getBytes(StandardCharsets.UTF_8);
                io.out().println(Base64.getEncoder().encodeToString(msg));
                return ExitCode.OK.code();
            }
            io.out().println(Base64.getEncoder().encodeToString(input(io, text, "Text to encode")));
            return ExitCode.OK.code();
        }
    }

    /** {@code base64 decode [TEXT]}. */
    @Command(name = "decode", aliases = "d", mixinStandardHelpOptions = true,
            description = "Decode base64 TEXT (or standard input); NULs show as \\0.")
    static final class Decode implements Callable<Integer> {
        private final Io io;

        @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT", description = "The base64; none or - reads"
                + " standard input (a terminal: asked without echo).")
        String text;

        Decode(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() throws InputFile.Refused {
            String b64 = new String(input(io, text, "Base64 to decode"), StandardCharsets.US_ASCII).trim();
            try {
                byte[] decoded = Base64.getMimeDecoder().decode(b64);
                if (b64.isEmpty() || !b64.matches("[A-Za-z0-9+/=\\s]+")) {
                    throw new IllegalArgumentException("only A-Z, a-z, 0-9, +, / and = belong in base64");
                }
                // Show NULs (AUTH PLAIN's separators) visibly rather than as invisible bytes.
                io.out().println(new String(decoded, StandardCharsets.UTF_8).replace("\0", "\\0"));
                return ExitCode.OK.code();
            } catch (IllegalArgumentException e) {
                io.err().println("postilion base64: '" + b64 + "' is not base64: " + e.getMessage());
                return ExitCode.DATAERR.code();
            }
        }
    }
}
