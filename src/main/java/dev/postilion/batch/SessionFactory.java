package dev.postilion.batch;

import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;

/**
 * Opens one connection of a batch's pool: connect, EHLO, TLS and AUTH, ready for MAIL. The batch
 * calls it once per connection (and again after {@code perConnection} messages, a 421 or a drop).
 * An AUTH refusal must be thrown as an {@link SmtpException} of kind AUTH: it stops the batch.
 */
@FunctionalInterface
public interface SessionFactory {

    /** A session ready for transactions. */
    SmtpSession open() throws SmtpException;
}
