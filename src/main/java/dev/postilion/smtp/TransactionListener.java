package dev.postilion.smtp;

/**
 * Told how a transaction started by
 * {@link SmtpSession#sendAhead(Envelope, MessageContent, DataEndListener, TransactionListener)}
 * ended. With PIPELINING the reply to the final dot is read only when the session next talks to
 * the server, so this may be called during a later call on the same session, on the same thread.
 * Exactly one of the two methods is called, once. Implementations must not throw and must not
 * call back into the session.
 */
public interface TransactionListener {

    /** Every reply of the transaction, the one to the final dot included (null when no dot was sent). */
    void ended(SendResult result);

    /**
     * The final dot went out and no reply came back: the connection failed, timed out or was
     * closed first. The server may or may not have the message (RFC 1047). The exception's stage
     * is {@link SmtpStage#DATA_END}.
     */
    void lost(SmtpException e);
}
