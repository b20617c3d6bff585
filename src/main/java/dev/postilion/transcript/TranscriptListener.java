package dev.postilion.transcript;

import java.util.List;

/**
 * Receives every event of an SMTP conversation: one method per event. The engine calls it;
 * printers and recorders subscribe. Implementations must not throw.
 */
public interface TranscriptListener {

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
        };
    }
}
