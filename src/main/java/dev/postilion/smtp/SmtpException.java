package dev.postilion.smtp;

import java.io.IOException;

/**
 * A failed SMTP step, carrying the facts a user needs: the stage, the command (masked when it
 * held a secret), the server's full reply if there was one, and which server it was.
 * {@link #getMessage()} is the user-facing text: a first line saying what was attempted and
 * indented lines with the reply or the cause.
 */
public class SmtpException extends IOException {

    /** What kind of failure this is; it decides the process exit code. */
    public enum Kind {
        /** 4xx, timeout, refused or dropped connection: worth retrying later. */
        TEMPORARY,
        /** 5xx the caller did not expect. */
        PERMANENT,
        /** Authentication refused (535 and friends) or impossible. */
        AUTH,
        /** The server broke the protocol: malformed reply. */
        PROTOCOL,
        /** TLS could not be had as configured: untrusted certificate, STARTTLS missing or failing. */
        TLS,
        /** A bad argument from the caller: CR/LF/NUL in a command, bad address. */
        INPUT,
        /** A verb out of order (RCPT before MAIL): the caller's mistake. */
        STATE,
        /** Local configuration: AUTH refused over cleartext by policy. */
        CONFIG,
        /** The host name does not exist (DNS NXDOMAIN, or no address): retrying will not help. */
        NO_HOST,
        /** Local I/O: the message content could not be read while sending. */
        LOCAL_IO
    }

    /**
     * A fact about the failure that points to its remedy. The message states the fact; each
     * surface (command line, script, profile) words the remedy in its own vocabulary.
     */
    public enum Hint {
        /** The port speaks TLS from the first byte (SMTPS, port 465): the TLS mode should be implicit. */
        PORT_SPEAKS_TLS,
        /** Implicit TLS met a server that speaks plain SMTP first: the mode should be starttls or none. */
        PORT_SPEAKS_PLAIN,
        /**
         * No greeting came (it timed out, or the server closed without a byte): the port may be one
         * that speaks TLS from the first byte and waits for the client's handshake.
         */
        NO_GREETING,
        /** No CA the client trusts issued the server's certificate: trust its CA, or skip the checks. */
        UNTRUSTED_CERTIFICATE,
        /** The server's certificate has expired: the server must renew it. */
        EXPIRED_CERTIFICATE,
        /** The server's certificate does not name the host connected to: connect with the name it carries. */
        WRONG_HOST_CERTIFICATE,
        /** The server speaks only TLS 1.0 or 1.1 (RFC 8996): the server must allow TLS 1.2 or 1.3. */
        OBSOLETE_TLS,
        /** STARTTLS is required but was not offered: allow plain text, or use implicit TLS. */
        STARTTLS_NOT_OFFERED,
        /** AUTH over a cleartext connection to a host that is not loopback: use TLS, or allow it explicitly. */
        CLEARTEXT_AUTH_REFUSED,
        /** The host name does not exist, or has no address: check the name. */
        NO_SUCH_HOST,
        /** A mail transaction is already open: finish it, or reset it. */
        TRANSACTION_OPEN,
        /** TLS is required and not started yet: STARTTLS first. */
        TLS_NOT_STARTED,
        /** The server has retired password AUTH (Microsoft 365's 5.7.30): use OAuth 2.0. */
        BASIC_AUTH_RETIRED
    }

    private final Kind kind;
    private final Hint hint;
    private final SmtpStage stage;
    private final String command;
    private final Reply reply;
    private final String server;

    public SmtpException(Kind kind, SmtpStage stage, String command, Reply reply, String server,
                         String message, Throwable cause) {
        this(kind, stage, command, reply, server, message, cause, null);
    }

    /** A failure with a {@link Hint} at its remedy. */
    public SmtpException(Kind kind, SmtpStage stage, String command, Reply reply, String server,
                         String message, Throwable cause, Hint hint) {
        super(message, cause);
        this.hint = hint;
        this.kind = kind;
        this.stage = stage;
        this.command = command;
        this.reply = reply;
        this.server = server;
    }

    /** A verb out of order or in the wrong state: the caller's mistake ({@link Kind#STATE}). */
    public static SmtpException state(SmtpStage stage, String server, String message) {
        return state(stage, server, message, null);
    }

    /** A verb out of order, with a {@link Hint} at its remedy. */
    public static SmtpException state(SmtpStage stage, String server, String message, Hint hint) {
        return new SmtpException(Kind.STATE, stage, null, null, server, message, null, hint);
    }

    /** A bad argument from the caller, refused before anything was sent ({@link Kind#INPUT}). */
    public static SmtpException input(SmtpStage stage, String server, String message) {
        return new SmtpException(Kind.INPUT, stage, null, null, server, message, null);
    }

    /** TLS could not be had as configured ({@link Kind#TLS}), with the fact that points to the remedy. */
    public static SmtpException tls(SmtpStage stage, String server, String message, Throwable cause, Hint hint) {
        return new SmtpException(Kind.TLS, stage, null, null, server, message, cause, hint);
    }

    /** A failure of {@code kind} with no command and no reply. */
    public static SmtpException failure(Kind kind, SmtpStage stage, String server, String message, Throwable cause) {
        return new SmtpException(kind, stage, null, null, server, message, cause);
    }

    /** A failure of {@code kind} with no command and no reply, and a {@link Hint} at its remedy. */
    public static SmtpException failure(Kind kind, SmtpStage stage, String server, String message, Throwable cause,
                                        Hint hint) {
        return new SmtpException(kind, stage, null, null, server, message, cause, hint);
    }

    /**
     * The message content could not be read, or the caller stopped it, while it went out
     * ({@link Kind#LOCAL_IO}): the connection was dropped before the final dot.
     */
    public static SmtpException localIo(SmtpStage stage, String command, String server, String message,
                                        Throwable cause) {
        return new SmtpException(Kind.LOCAL_IO, stage, command, null, server, message, cause);
    }

    /** An unexpected reply to a command: the kind follows the reply class (and 53x in AUTH). */
    public static SmtpException unexpected(SmtpStage stage, String command, Reply reply, String server) {
        Kind kind = reply.isTransientNegative() ? Kind.TEMPORARY : Kind.PERMANENT;
        if (stage == SmtpStage.AUTH && (reply.code() == 535 || reply.code() == 534
                || reply.code() == 530 || reply.code() == 538 || reply.code() == 500 || reply.code() == 504
                || reply.isPermanentNegative() && reply.enhanced() != null && reply.enhanced().startsWith("5.7."))) {
            // RFC 3463 3.8: X.7.X is a security or policy status; at AUTH, the credentials are refused.
            kind = Kind.AUTH;
        }
        if (reply.isPositiveCompletion() || reply.isPositiveIntermediate()) {
            kind = Kind.PROTOCOL;
        }
        String what = command == null ? stage.label() : command;
        boolean retired = stage == SmtpStage.AUTH && basicAuthRetired(reply);
        return new SmtpException(kind, stage, command, reply, server,
                what + " " + (reply.isClosing() ? "refused: server is closing the connection" : "refused")
                        + "\n" + quote(server, reply) + (retired ? "\n    the server has retired Basic authentication"
                        + " (a user name and password) for SMTP AUTH, so no password will work: use OAuth 2.0"
                        + " (AUTH XOAUTH2) instead" : ""), null, retired ? Hint.BASIC_AUTH_RETIRED : null);
    }

    /**
     * Microsoft 365 answers a password AUTH with {@code 550 5.7.30 Basic authentication is not
     * supported for Client Submission} once an organisation has Basic authentication turned off:
     * no password will ever work there again, so the message says so ({@link Hint#BASIC_AUTH_RETIRED}).
     */
    private static boolean basicAuthRetired(Reply reply) {
        return "5.7.30".equals(reply.enhanced())
                || reply.text().toLowerCase(java.util.Locale.ROOT).contains("basic authentication is not supported");
    }

    /** A step that got no reply at all; {@code cause} says why (refused, timed out, closed). */
    public static SmtpException noReply(Kind kind, SmtpStage stage, String command, String server,
                                        String cause, Throwable error) {
        String what = command == null ? stage.label() + " " + server : command;
        return new SmtpException(kind, stage, command, null, server,
                what + " failed: no reply (" + cause + ")", error);
    }

    /** Formats "    host:port replied: 550 ..." with every further line aligned beneath. */
    public static String quote(String server, Reply reply) {
        String head = "    " + server + " replied: ";
        String pad = " ".repeat(head.length());
        StringBuilder sb = new StringBuilder(head);
        for (int i = 0; i < reply.lines().size(); i++) {
            if (i > 0) {
                sb.append('\n').append(pad);
            }
            sb.append(reply.lines().get(i));
        }
        return sb.toString();
    }

    public Kind kind() {
        return kind;
    }

    /** What the failure points to, or null when nothing in particular. */
    public Hint hint() {
        return hint;
    }

    public SmtpStage stage() {
        return stage;
    }

    /** The command that failed, masked if it carried a secret; null when there was none. */
    public String command() {
        return command;
    }

    /** The server's reply, or null when there was none. */
    public Reply reply() {
        return reply;
    }

    /** {@code host:port} of the server. */
    public String server() {
        return server;
    }
}
