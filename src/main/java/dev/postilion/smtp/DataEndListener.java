package dev.postilion.smtp;

import java.io.IOException;
import java.util.List;

/**
 * Told, once per transaction of {@link SmtpSession#send(Envelope, MessageContent, DataEndListener)},
 * that the whole message has been written and the end of data is next: the moment after which the
 * server may take responsibility for the message (RFC 5321 4.2.5, 6.1). A batch journal records
 * "sending" here, so a crash can never hide a delivery.
 */
@FunctionalInterface
public interface DataEndListener {

    /**
     * Called after the content and right before the terminator ({@code CRLF.CRLF}, or the
     * {@code BDAT ... LAST} chunk) is sent.
     *
     * @param accepted the recipients the server accepted in this transaction, in order
     * @throws IOException to stop: the connection is then dropped without the final dot, so the
     *                     server discards the message (RFC 5321 3.8)
     */
    void beforeDataEnd(List<String> accepted) throws IOException;
}
