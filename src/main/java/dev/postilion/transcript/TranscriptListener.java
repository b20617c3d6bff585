package dev.postilion.transcript;

import java.util.List;

/**
 * Receives every event of an SMTP conversation: one method per event. The engine calls it;
 * printers and recorders subscribe. Implementations must not throw.
 *
 * <p>The connection's phases are typed events ({@link #connecting}, {@link #connected},
 * {@link #ehloFallback}, {@link #plainTextContinues}, {@link #tlsChecksOff}, ...), so a program
 * receives data, not prose. Their default methods word each phase as the swaks-style transcript
 * shows it ({@code ===} through {@link #info}, {@code ***} through {@link #error}), so a listener
 * that only prints lines needs nothing more.
 */
public interface TranscriptListener {

    /** Why a session goes on without TLS in {@code starttls-if-offered} mode. */
    enum PlainText {
        /** The server's EHLO did not offer STARTTLS. */
        STARTTLS_NOT_OFFERED,
        /** The server refused STARTTLS. */
        STARTTLS_REFUSED
    }

    /** A listener that ignores everything. */
    TranscriptListener NONE = new TranscriptListener() { };

    /** An informational line from Postilion itself ({@code ===}). */
    default void info(String text) { }

    /** A warning or error from Postilion itself ({@code ***}). */
    default void error(String text) { }

    /**
     * A command line the client wrote (without CRLF).
     *
     * @param line the exact line as written
     * @param secret true when the line carries a credential and must be masked
     * @param tls true when the connection was encrypted
     */
    default void sent(String line, boolean secret, boolean tls) { }

    /**
     * A line of message content written during DATA or BDAT, after dot-stuffing, without CRLF.
     * Only the first lines of a message are reported; {@link #dataSummary} tells the rest.
     */
    default void dataLine(String line, boolean tls) { }

    /** How much message content went out after the reported lines. */
    default void dataSummary(long lines, long bytes, int shownLines, boolean tls) { }

    /**
     * A complete reply the server sent.
     *
     * @param lines every line, as received, without CRLF
     * @param expected false when the reply is not the one the command expected ({@code <**})
     * @param tls true when the connection was encrypted
     */
    default void received(List<String> lines, boolean expected, boolean tls) { }

    /** The TLS handshake completed; the lines describe protocol, cipher and peer certificate. */
    default void tlsStarted(List<String> details) { }

    /**
     * A string the session sent as a credential, or as part of one (a password, its base64, a
     * token, an AUTH blob). A server may quote it back; printers mask it wherever it appears in
     * what they print afterwards, unless secrets were asked for. Called before the line that
     * carries it is written.
     */
    default void secret(String text) { }

    /**
     * A connection attempt to one address begins.
     *
     * @param server {@code host:port} as asked for
     * @param address the address tried (RFC 5952 text), or null when the host is that address
     */
    default void connecting(String server, String address) {
        info("Trying " + server + (address == null ? "" : " (" + address + ")") + "...");
    }

    /** One address of several failed ({@code why}); the next is tried. */
    default void addressFailed(String address, String why) {
        info(address + ": " + why + "; trying the next address");
    }

    /** The TCP connection to {@code host} is up. */
    default void connected(String host) {
        info("Connected to " + host + ".");
    }

    /** The server refused EHLO with a 5xx; HELO follows (RFC 5321 3.2). */
    default void ehloFallback() {
        info("EHLO refused; trying HELO");
    }

    /** TLS was asked for if offered, and the session goes on in plain text for {@code reason}. */
    default void plainTextContinues(PlainText reason) {
        error(reason == PlainText.STARTTLS_NOT_OFFERED
                ? "Host did not advertise STARTTLS; continuing in plain text (starttls-if-offered)"
                : "STARTTLS refused; continuing in plain text (starttls-if-offered)");
    }

    /** The peer's certificate passed the CA and host name checks for {@code host}. */
    default void tlsVerified(String host) {
        info("TLS peer certificate passed CA verification, passed host verification (using host " + host + ")");
    }

    /** TLS is up with certificate and host name checks switched off. */
    default void tlsChecksOff() {
        info("TLS peer certificate NOT verified (--insecure): anyone in the path can read and change this session");
        error("TLS certificate checks are OFF (--insecure)");
    }

    /** The message has 8-bit content and {@code server} does not offer 8BITMIME; it goes out anyway. */
    default void eightBitUnannounced(String server) {
        error("message has 8-bit content and " + server + " does not offer 8BITMIME");
    }

    /** The server replied while the message was going out: the final dot was not sent, the connection is closed. */
    default void earlyReply() {
        info("The server replied before the end of the message; the final dot was not sent and the"
                + " connection is closed");
    }

    /**
     * QUIT got no reply; the connection is closed anyway.
     *
     * @param waited how long was waited ("30s"), or null when the server closed the connection first
     */
    default void quitUnanswered(String waited) {
        info(waited != null ? "No reply to QUIT within " + waited + "; the connection is closed anyway"
                : "Connection closed before the reply to QUIT");
    }

    /** Several listeners as one. */
    static TranscriptListener all(List<? extends TranscriptListener> listeners) {
        List<TranscriptListener> copy = List.copyOf(listeners);
        return new TranscriptListener() {
            @Override public void info(String text) { copy.forEach(l -> l.info(text)); }
            @Override public void error(String text) { copy.forEach(l -> l.error(text)); }
            @Override public void sent(String line, boolean secret, boolean tls) {
                copy.forEach(l -> l.sent(line, secret, tls));
            }
            @Override public void dataLine(String line, boolean tls) { copy.forEach(l -> l.dataLine(line, tls)); }
            @Override public void dataSummary(long lines, long bytes, int shown, boolean tls) {
                copy.forEach(l -> l.dataSummary(lines, bytes, shown, tls));
            }
            @Override public void received(List<String> lines, boolean expected, boolean tls) {
                copy.forEach(l -> l.received(lines, expected, tls));
            }
            @Override public void tlsStarted(List<String> details) { copy.forEach(l -> l.tlsStarted(details)); }
            @Override public void secret(String text) { copy.forEach(l -> l.secret(text)); }
            @Override public void connecting(String server, String address) {
                copy.forEach(l -> l.connecting(server, address));
            }
            @Override public void addressFailed(String address, String why) {
                copy.forEach(l -> l.addressFailed(address, why));
            }
            @Override public void connected(String host) { copy.forEach(l -> l.connected(host)); }
            @Override public void ehloFallback() { copy.forEach(TranscriptListener::ehloFallback); }
            @Override public void plainTextContinues(PlainText reason) {
                copy.forEach(l -> l.plainTextContinues(reason));
            }
            @Override public void tlsVerified(String host) { copy.forEach(l -> l.tlsVerified(host)); }
            @Override public void tlsChecksOff() { copy.forEach(TranscriptListener::tlsChecksOff); }
            @Override public void eightBitUnannounced(String server) {
                copy.forEach(l -> l.eightBitUnannounced(server));
            }
            @Override public void earlyReply() { copy.forEach(TranscriptListener::earlyReply); }
            @Override public void quitUnanswered(String waited) { copy.forEach(l -> l.quitUnanswered(waited)); }
        };
    }
}
