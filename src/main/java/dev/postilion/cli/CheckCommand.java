package dev.postilion.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.postilion.smtp.Capabilities;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;
import dev.postilion.transcript.SwaksPrinter;
import dev.postilion.transcript.TranscriptListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postilion check}: is the SMTP service running, and what does it offer? No mail is sent. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a server: greeting, EHLO capabilities, STARTTLS and its certificate, and an AUTH test"
                + " if asked; then QUIT. No mail is sent.", "TARGET is HOST[:PORT] or a profile name."})
public final class CheckCommand implements Callable<Integer> {

    private static final Map<String, String> MEANINGS = Map.ofEntries(
            Map.entry("PIPELINING", "commands may be sent in groups (RFC 2920)"),
            Map.entry("8BITMIME", "8-bit message bodies (RFC 6152)"),
            Map.entry("SMTPUTF8", "UTF-8 addresses and headers (RFC 6531)"),
            Map.entry("DSN", "delivery status notifications (RFC 3461)"),
            Map.entry("CHUNKING", "BDAT instead of DATA (RFC 3030)"),
            Map.entry("BINARYMIME", "binary bodies with BDAT (RFC 3030)"),
            Map.entry("ENHANCEDSTATUSCODES", "replies carry codes like 5.1.1 (RFC 2034)"),
            Map.entry("STARTTLS", "TLS can be started (RFC 3207)"),
            Map.entry("AUTH", "authentication mechanisms (RFC 4954)"),
            Map.entry("VRFY", "address verification"),
            Map.entry("ETRN", "remote queue start (RFC 1985)"),
            Map.entry("REQUIRETLS", "TLS required end to end (RFC 8689)"),
            Map.entry("DELIVERBY", "deliver-by deadlines (RFC 2852)"));

    private final Io io;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "HOST[:PORT] or a profile name.")
    String target;

    @Option(names = "--show-secrets", description = "Show passwords and tokens in the dialogue.")
    boolean showSecrets;

    @Option(names = {"-q", "--quiet"}, description = "Only the summary, no dialogue.")
    boolean quiet;

    public CheckCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        String positional = target;
        if (positional != null && connection.profile == null && connection.server == null
                && !positional.contains(":") && !positional.contains(".") && !positional.equals("localhost")) {
            // A bare word is a profile name: `postilion check work`.
            connection.profile = positional;
            positional = null;
        }
        ConnectionOptions.Target t;
        try {
            t = connection.resolve(io, positional);
        } catch (ConnectionOptions.Problem p) {
            io.err().println("postilion check: " + p.getMessage());
            return p.code.code();
        }
        TranscriptListener transcript = quiet ? TranscriptListener.NONE : new SwaksPrinter(io.out(), io.err(), showSecrets);
        try (SmtpSession s = new SmtpSession(t.options(), transcript)) {
            s.open(t.host(), t.port(), t.helo());
            io.out().println();
            io.out().println("=== " + s.server() + (s.isTls() ? " (TLS)" : " (plain text)") + " offers:");
            print(s.capabilities());
            if (t.credentials() != null) {
                Reply r = s.auth(t.auth(), t.credentials());
                if (!r.isPositiveCompletion()) {
                    throw SmtpException.unexpected(SmtpStage.AUTH, "AUTH " + t.auth().toUpperCase(Locale.ROOT), r,
                            s.server());
                }
                io.out().println("=== AUTH " + t.auth().toUpperCase(Locale.ROOT) + " as " + t.credentials().username()
                        + ": accepted");
            }
            s.quit();
            io.out().println("=== " + s.server() + ": OK");
            return ExitCode.OK.code();
        } catch (SmtpException e) {
            io.err().println("postilion check: " + e.getMessage());
            return ExitCodes.forKind(e.kind()).code();
        }
    }

    private void print(Capabilities caps) {
        if (!caps.esmtp()) {
            io.out().println("    (HELO only: no extensions)");
            return;
        }
        for (Map.Entry<String, List<String>> e : caps.keywords().entrySet()) {
            String k = e.getKey();
            String params = String.join(" ", e.getValue());
            String meaning = MEANINGS.getOrDefault(k, "");
            if (k.equals("SIZE")) {
                long limit = caps.sizeLimit();
                meaning = limit > 0 ? "max message " + human(limit) : "sizes announced, no limit given";
            }
            io.out().printf("    %-22s %s%n", (k + " " + params).trim(), meaning.isEmpty() ? "" : "- " + meaning);
        }
    }

    private static String human(long bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB (%d octets)", bytes / 1048576.0, bytes);
        }
        return bytes + " octets";
    }
}
