package dev.postilion.cli;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.postilion.profile.ProfileException;
import dev.postilion.smtp.Capabilities;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.Timeouts;
import dev.postilion.transcript.SwaksPrinter;
import dev.postilion.transcript.TranscriptListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postilion check}: is the SMTP service running, and what does it offer? No mail is sent. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a server: greeting, EHLO capabilities, STARTTLS and its certificate, and an AUTH test"
                + " if asked; then QUIT. No mail is sent.", "TARGET is HOST[:PORT] or a profile name.",
                "The greeting is awaited for 30s (as swaks does; --timeout changes it), not RFC 5321's 5m."})
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

    /** How long check waits for the greeting (and an implicit TLS handshake) unless told otherwise: swaks's 30 s. */
    static final Duration GREETING_TIMEOUT = Duration.ofSeconds(30);

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
        Timeouts timeouts = t.options().timeouts();
        // Unless --timeout (or the profile's timeout:) says otherwise, a silent port fails in 30 s, not 5 min.
        boolean shortGreeting = connection.timeout == null && (t.profile() == null || t.profile().timeout() == null)
                && timeouts.greeting().compareTo(GREETING_TIMEOUT) > 0;
        if (shortGreeting) {
            timeouts = timeouts.withGreeting(GREETING_TIMEOUT);
        }
        try (SmtpSession s = new SmtpSession(t.options().withTimeouts(timeouts), transcript)) {
            s.open(t.host(), t.port(), t.helo());
            io.out().println();
            io.out().println("=== " + s.server() + (s.isTls() ? " (TLS)" : " (plain text)") + " offers:");
            print(s.capabilities());
            if (!s.capabilitiesBeforeTls().authMechanisms().isEmpty()) {
                io.out().println("*** AUTH is offered before TLS (" + String.join(" ",
                        s.capabilitiesBeforeTls().authMechanisms()) + "): a client that logs in there sends its"
                        + " password readable to anyone on the path; offer AUTH only after STARTTLS");
            }
            if (t.credentials() != null) {
                s.authenticate(t.auth(), t.credentials());
                io.out().println("=== AUTH " + s.authMechanism() + " as " + t.credentials().username() + ": accepted");
            }
            s.quit();
            io.out().println("=== " + s.server() + ": OK");
            return ExitCode.OK.code();
        } catch (SmtpException e) {
            ProfileException unreadable = ProfileException.causing(e);
            if (unreadable != null) {
                // A profile's secret is read when AUTH asks for it: a source that cannot give it is the profile's error.
                io.err().println("postilion check: " + unreadable.getMessage());
                return ExitCode.of(unreadable).code();
            }
            io.err().println("postilion check: " + e.getMessage() + Hints.remedy(e));
            if (shortGreeting && e.hint() == SmtpException.Hint.NO_GREETING) {
                io.err().println("    check waits " + Timeouts.describe(GREETING_TIMEOUT) + " for the greeting;"
                        + " --timeout 5m waits longer");
            }
            return ExitCode.of(e.kind()).code();
        } catch (ProfileException e) {
            // DIGEST-MD5 and NTLM read the secret inside the JDK's SASL client, which passes its failure on as is.
            io.err().println("postilion check: " + e.getMessage());
            return ExitCode.of(e).code();
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
