package dev.postilion.smtp;

import java.time.Duration;

/**
 * How a session behaves, apart from where it connects.
 *
 * @param timeouts per-stage limits
 * @param tls the TLS mode and trust
 * @param allowCleartextAuth allow AUTH without TLS to a host that is not loopback
 * @param pipelining use PIPELINING when offered (RFC 2920); false never pipelines
 * @param chunking use BDAT when offered (RFC 3030) for {@link SmtpSession#send}
 * @param dataLinesShown how many message lines the transcript shows before summing up
 * @param resolver turns the host into the addresses to try ({@link Resolver#SYSTEM} outside tests)
 */
public record SessionOptions(Timeouts timeouts, TlsSettings tls, boolean allowCleartextAuth,
                             boolean pipelining, boolean chunking, int dataLinesShown, Resolver resolver) {

    /** RFC timeouts, no TLS, pipelining when offered, no BDAT, 100 data lines shown, the system's resolver. */
    public static final SessionOptions DEFAULT =
            new SessionOptions(Timeouts.RFC_5321, TlsSettings.NONE, false, true, false, 100, Resolver.SYSTEM);

    public SessionOptions {
        if (resolver == null) {
            resolver = Resolver.SYSTEM;
        }
    }

    public SessionOptions withTls(TlsSettings t) {
        return new SessionOptions(timeouts, t, allowCleartextAuth, pipelining, chunking, dataLinesShown, resolver);
    }

    public SessionOptions withTimeouts(Timeouts t) {
        return new SessionOptions(t, tls, allowCleartextAuth, pipelining, chunking, dataLinesShown, resolver);
    }

    public SessionOptions withTimeout(Duration all) {
        return withTimeouts(Timeouts.all(all));
    }

    public SessionOptions withAllowCleartextAuth(boolean allow) {
        return new SessionOptions(timeouts, tls, allow, pipelining, chunking, dataLinesShown, resolver);
    }

    public SessionOptions withPipelining(boolean on) {
        return new SessionOptions(timeouts, tls, allowCleartextAuth, on, chunking, dataLinesShown, resolver);
    }

    public SessionOptions withChunking(boolean on) {
        return new SessionOptions(timeouts, tls, allowCleartextAuth, pipelining, on, dataLinesShown, resolver);
    }

    public SessionOptions withDataLinesShown(int n) {
        return new SessionOptions(timeouts, tls, allowCleartextAuth, pipelining, chunking, n, resolver);
    }

    /** Resolves host names with {@code r} (tests: no DNS); null means the system's resolver. */
    public SessionOptions withResolver(Resolver r) {
        return new SessionOptions(timeouts, tls, allowCleartextAuth, pipelining, chunking, dataLinesShown, r);
    }
}
