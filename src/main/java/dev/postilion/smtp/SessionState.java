package dev.postilion.smtp;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * What one session knows at a moment (the server, greeted, ESMTP, capabilities, authenticated,
 * the open transaction) and the stage guards that refuse a verb out of order.
 */
final class SessionState {

    String host;
    int port;
    Capabilities capabilities = Capabilities.NONE;
    /** What the last EHLO in plain text offered on this connection (before any STARTTLS). */
    Capabilities plainCapabilities = Capabilities.NONE;
    /** The mechanism of the last AUTH exchange begun, as sent ({@code auto} resolved). */
    String authMechanism;
    String heloName;
    boolean greeted;
    boolean esmtp;
    boolean authenticated;
    boolean mailAccepted;
    int acceptedRecipients;
    /** True while a raw AUTH exchange runs: the lines that answer its 334s are secret. */
    boolean rawAuth;
    /** The 334 that the next raw AUTH answer goes to asked for the user name, not a secret. */
    boolean rawUserPrompt;
    /** The reply classes the transcript treats as expected, or null for each command's own. */
    Predicate<Reply> expectation;
    /** Tests only: a loopback peer counts as remote for the cleartext-AUTH rule. */
    boolean assumeRemote;

    /** {@code host:port}, or "(not connected)". */
    String server() {
        return host == null ? "(not connected)" : host + ":" + port;
    }

    /** Ends the open transaction, if any: no sender, no recipients. */
    void resetTransaction() {
        mailAccepted = false;
        acceptedRecipients = 0;
    }

    /** Forgets everything learnt on the connection (a new connection begins). */
    void resetSession() {
        capabilities = Capabilities.NONE;
        plainCapabilities = Capabilities.NONE;
        authMechanism = null;
        greeted = false;
        esmtp = false;
        authenticated = false;
        rawAuth = false;
        resetTransaction();
    }

    /** A {@link SmtpException.Kind#STATE} failure at {@code stage}. */
    SmtpException state(SmtpStage stage, String message) {
        return SmtpException.state(stage, server(), message);
    }

    void requireConnected(SmtpStage stage, SmtpCodec codec) throws SmtpException {
        if (codec == null) {
            throw state(stage, word(stage) + " needs a connection: connect first");
        }
        codec.requireOpen(stage);
    }

    void requireGreeted(SmtpStage stage, SmtpCodec codec) throws SmtpException {
        requireConnected(stage, codec);
        if (!greeted) {
            throw state(stage, word(stage) + " needs ehlo (or helo) first");
        }
    }

    void requireRecipients(SmtpStage stage, SmtpCodec codec) throws SmtpException {
        requireGreeted(stage, codec);
        if (!mailAccepted) {
            throw state(stage, word(stage) + " needs a mail from: first");
        }
        if (acceptedRecipients == 0) {
            throw state(stage, word(stage) + " needs an accepted recipient first");
        }
    }

    /** With a required TLS mode, nothing but EHLO and STARTTLS goes out in plain text. */
    void requireTlsIfRequired(SmtpStage stage, TlsMode mode, SmtpCodec codec) throws SmtpException {
        if (mode.required() && !codec.tls()) {
            throw SmtpException.tls(stage, server(), "TLS is required (" + mode.word()
                    + "), but the connection to " + server() + " is not encrypted; nothing was sent", null,
                    SmtpException.Hint.TLS_NOT_STARTED);
        }
    }

    private static String word(SmtpStage stage) {
        return stage.label().toLowerCase(Locale.ROOT);
    }
}
