package dev.postilion.batch;

import java.util.function.Supplier;

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
        return connecting(host, port, helo, options, mechanism, credentials, null);
    }

    /**
     * {@link #connecting(String, int, String, SessionOptions, String, Credentials)} with credentials
     * that expire (an OAuth access token from a command, msmtp's passwordeval): when the server
     * refuses them with 535 on a new connection, {@code renew} is asked once for fresh ones (it
     * runs the token command again) and AUTH is tried once more on a fresh connection. Refused
     * again, the failure stands and stops the batch; later connections use the renewed
     * credentials. Null {@code renew}: no second try.
     */
    static SessionFactory connecting(String host, int port, String helo, SessionOptions options, String mechanism,
                                     Credentials credentials, Supplier<Credentials> renew) {
        if (renew == null || credentials == null) {
            return () -> connect(host, port, helo, options, mechanism, credentials);
        }
        return new Renewing(host, port, helo, options, mechanism, credentials, renew);
    }

    private static SmtpSession connect(String host, int port, String helo, SessionOptions options, String mechanism,
                                    Credentials credentials) throws SmtpException {
        SmtpSession s = new SmtpSession(options, TranscriptListener.NONE);
        try {
            s.open(host, port, helo);
            if (credentials != null) {
                s.authenticate(mechanism == null ? "auto" : mechanism, credentials);
            }
            return s;
        } catch (SmtpException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Connections whose credentials are renewed once when the server stops taking them. */
    final class Renewing implements SessionFactory {
        private final String host;
        private final int port;
        private final String helo;
        private final SessionOptions options;
        private final String mechanism;
        private final Supplier<Credentials> renew;
        private Credentials current;
        private int generation;

        private Renewing(String host, int port, String helo, SessionOptions options, String mechanism,
                         Credentials credentials, Supplier<Credentials> renew) {
            this.host = host;
            this.port = port;
            this.helo = helo;
            this.options = options;
            this.mechanism = mechanism;
            this.current = credentials;
            this.renew = renew;
        }

        @Override
        public SmtpSession open() throws SmtpException {
            Credentials tried;
            int seen;
            synchronized (this) {
                tried = current;
                seen = generation;
            }
            try {
                return connect(host, port, helo, options, mechanism, tried);
            } catch (SmtpException e) {
                if (!expired(e)) {
                    throw e;
                }
                Credentials fresh = renewed(seen, e);
                try {
                    return connect(host, port, helo, options, mechanism, fresh);
                } catch (SmtpException again) {
                    if (!expired(again)) {
                        throw again;
                    }
                    throw new SmtpException(SmtpException.Kind.AUTH, again.stage(), again.command(), again.reply(),
                            again.server(), again.getMessage() + "\n    refused again after the token was read afresh"
                            + " (its command ran again): the credentials themselves are refused", again);
                }
            }
        }

        /**
         * The credentials to try next: renewed now, or already renewed by another connection
         * since {@code seen} (a pool's connections often meet the expiry together).
         */
        private synchronized Credentials renewed(int seen, SmtpException refusal) throws SmtpException {
            if (generation == seen) {
                try {
                    current = renew.get();
                } catch (RuntimeException e) {
                    // The profile layer's messages name the profile and the source, never a value.
                    throw new SmtpException(SmtpException.Kind.CONFIG, SmtpStage.AUTH, refusal.command(),
                            refusal.reply(), refusal.server(), refusal.getMessage() + "\n    the token could not be"
                            + " read afresh: " + e.getMessage(), e);
                }
                generation++;
            }
            return current;
        }

        /** A 535 at AUTH: the credentials were refused, as an expired access token is. */
        private static boolean expired(SmtpException e) {
            return e.kind() == SmtpException.Kind.AUTH && e.stage() == SmtpStage.AUTH && e.reply() != null
                    && e.reply().code() == 535;
        }
    }
}
