package dev.postilion.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;

import dev.postilion.io.InputFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
                "  postilion base64 encode --plain guyt     ->  AUTH PLAIN's string (asks too)"})
public final class Base64Command implements Callable<Integer> {

    private final Io io;

    @Parameters(index = "0", paramLabel = "encode|decode")
    String direction;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TEXT", description = "The text; none or - reads standard"
            + " input (a terminal: asked without echo). Avoid passwords here: they stay in shell history.")
    String text;

    @Option(names = "--plain", paramLabel = "USER",
            description = "Build AUTH PLAIN's \\0user\\0password for USER; the password is asked without echo.")
    String plainUser;

    public Base64Command(Io io) {
        this.io = io;
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

    @Override
    public Integer call() throws IOException {
        boolean encode;
        switch (direction) {
            case "encode", "e" -> encode = true;
            case "decode", "d" -> encode = false;
            default -> {
                io.err().println("postilion base64: say encode or decode, not '" + direction + "'");
                return ExitCode.USAGE.code();
            }
        }
        if (plainUser != null) {
            if (!encode) {
                io.err().println("postilion base64: --plain goes with encode");
                return ExitCode.USAGE.code();
            }
            char[] pw = io.prompter().apply("Password for " + plainUser + ": ");
            if (pw == null) {
                io.err().println("postilion base64: --plain needs a terminal to ask for the password");
                return ExitCode.CONFIG.code();
            }
            byte[] msg = ("\0" + plainUser + "\0" + new String(pw)).getBytes(StandardCharsets.UTF_8);
            io.out().println(Base64.getEncoder().encodeToString(msg));
            return ExitCode.OK.code();
        }
        byte[] input;
        try {
            if (text == null || text.equals("-")) {
                // On a terminal, ask without echo; otherwise (a pipe, a file) read standard input.
                char[] typed = io.prompter().apply((encode ? "Text to encode" : "Base64 to decode") + " (not shown): ");
                input = typed != null ? new String(typed).getBytes(StandardCharsets.UTF_8)
                        : withoutLastNewline(InputFile.readAll(io.in(), "standard input", SendCommand.TEXT_CAP));
            } else {
                input = text.getBytes(StandardCharsets.UTF_8);
            }
        } catch (InputFile.Refused e) {
            io.err().println("postilion base64: " + e.getMessage());
            return (e.reason() == InputFile.Reason.TOO_LARGE ? ExitCode.DATAERR : ExitCode.IOERR).code();
        }
        if (encode) {
            io.out().println(Base64.getEncoder().encodeToString(input));
            return ExitCode.OK.code();
        }
        String b64 = new String(input, StandardCharsets.US_ASCII).trim();
        try {
            byte[] decoded = Base64.getMimeDecoder().decode(b64);
            if (b64.isEmpty() || !b64.matches("[A-Za-z0-9+/=\\s]+")) {
                throw new IllegalArgumentException("only A-Z, a-z, 0-9, +, / and = belong in base64");
            }
            String s = new String(decoded, StandardCharsets.UTF_8);
            // Show NULs (AUTH PLAIN's separators) visibly rather than as invisible bytes.
            io.out().println(s.replace("\0", "\\0"));
            return ExitCode.OK.code();
        } catch (IllegalArgumentException e) {
            io.err().println("postilion base64: '" + b64 + "' is not base64: " + e.getMessage());
            return ExitCode.DATAERR.code();
        }
    }
}
