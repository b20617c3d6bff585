package dev.postilion.smtp;

import java.time.Duration;

/**
 * Per-stage time limits (RFC 5321 4.5.3.2: per command, never for the whole transaction). The
 * defaults are the RFC's minimums; {@link #all(Duration)} caps every stage for impatient runs.
 *
 * @param connect TCP connect
 * @param greeting the initial 220 (5 min), and the TLS handshake before it in implicit mode
 * @param command EHLO, AUTH, RSET, NOOP, VRFY, QUIT and raw commands (5 min)
 * @param mail MAIL (5 min)
 * @param rcpt RCPT (5 min)
 * @param dataInit the 354 after DATA (2 min)
 * @param dataBlock each write of message data (3 min); also the write timeout for commands
 * @param dataEnd the reply after the final dot (10 min)
 * @param quit the reply to QUIT (10 s): the RFC sets none, and once the mail is handed over a
 *        server that never answers QUIT (or never closes) must not hold the run
 */
public record Timeouts(Duration connect, Duration greeting, Duration command, Duration mail,
                       Duration rcpt, Duration dataInit, Duration dataBlock, Duration dataEnd, Duration quit) {

    /**
     * RFC 5321 4.5.3.2's minimums, 30 s to connect (Postfix's smtp_connect_timeout, shared by all
     * of a host's addresses) and 10 s for the reply to QUIT.
     */
    public static final Timeouts RFC_5321 = new Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(2),
            Duration.ofMinutes(3), Duration.ofMinutes(10), Duration.ofSeconds(10));

    /** Every stage limited to at most {@code limit} (the RFC defaults where they are shorter). */
    public static Timeouts all(Duration limit) {
        return RFC_5321.capped(limit);
    }

    /** A copy with every limit no longer than {@code limit}. */
    public Timeouts capped(Duration limit) {
        return new Timeouts(min(connect, limit), min(greeting, limit), min(command, limit), min(mail, limit),
                min(rcpt, limit), min(dataInit, limit), min(dataBlock, limit), min(dataEnd, limit), min(quit, limit));
    }

    /** The read limit for a stage's reply. */
    public Duration forStage(SmtpStage stage) {
        return switch (stage) {
            case CONNECT -> connect;
            case GREETING -> greeting;
            case MAIL -> mail;
            case RCPT -> rcpt;
            case DATA -> dataInit;
            case DATA_END, BDAT -> dataEnd;
            case QUIT -> quit;
            default -> command;
        };
    }

    /** A copy with this data-block (write) limit. */
    public Timeouts withDataBlock(Duration d) {
        return new Timeouts(connect, greeting, command, mail, rcpt, dataInit, d, dataEnd, quit);
    }

    /** A copy with this limit for the greeting (and for a TLS handshake before it, in implicit mode). */
    public Timeouts withGreeting(Duration d) {
        return new Timeouts(connect, d, command, mail, rcpt, dataInit, dataBlock, dataEnd, quit);
    }

    /** A copy with this limit for the reply to QUIT. */
    public Timeouts withQuit(Duration d) {
        return new Timeouts(connect, greeting, command, mail, rcpt, dataInit, dataBlock, dataEnd, d);
    }

    /** A copy with this connect limit (for all of a host's addresses together). */
    public Timeouts withConnect(Duration d) {
        return new Timeouts(d, greeting, command, mail, rcpt, dataInit, dataBlock, dataEnd, quit);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** "5m", "30s", "250ms": how error messages state a limit ({@link Durations#format}). */
    public static String describe(Duration d) {
        return Durations.format(d);
    }
}
