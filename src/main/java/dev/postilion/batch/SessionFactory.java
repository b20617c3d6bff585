package dev.postilion.batch;

import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.transcript.TranscriptListener;

/**
 * Opens one connection of a batch's pool: connect, EHLO, TLS and AUTH, ready for MAIL. The batch
 * calls it once per connection (and again after {@code perConnection} messages, a 421 or a drop).
 * An AUTH refusal must be thrown as an {@link SmtpException} of kind AUTH: it stops the batch.
 */
@FunctionalInterface
public interface SessionFactory {

    /** A session ready for transactions. */
    SmtpSession open() throws SmtpException;

    /**
     * Connects to {@code host:port}, greets as {@code helo}, starts TLS as {@code options} say and,
     * when {@code credentials} are given, authenticates with {@code mechanism} ({@code auto} picks
     * the strongest offered). The sessions report nothing to a transcript: a bulk send's dialogue is
     * its report.
     */
    static SessionFactory connecting(String host, int port, String helo, SessionOptions options, String mechanism,
                                     Credentials credentials) {
        return () -> {
            SmtpSession s = new SmtpSession(options, TranscriptListener.NONE);
            try {
                s.open(host, port, helo);
                if (credentials != null) {
                    String mech = mechanism == null ? "auto" : mechanism;
                    Reply r = s.auth(mech, credentials);
                    if (!r.isPositiveCompletion()) {
                        throw SmtpException.unexpected(SmtpStage.AUTH, "AUTH " + mech.toUpperCase(java.util.Locale.ROOT),
                                r, s.server());
                    }
                }
                return s;
            } catch (SmtpException | RuntimeException e) {
                s.close();
                throw e;
            }
        };
    }
}
