package dev.postilion.dsl;

import java.util.function.Supplier;

import dev.postilion.batch.SessionFactory;
import dev.postilion.profile.ConnectionPlan;
import dev.postilion.smtp.SessionOptions;
import dev.postilion.smtp.auth.Credentials;

/**
 * The script's last {@code connect} (where, with which TLS and timeouts), its EHLO name and its
 * last successful {@code auth}: what a {@code batch} needs to open its own pool of connections
 * the same way.
 */
final class ConnectSettings {

    private String host;
    private int port;
    private SessionOptions options;
    private Supplier<String> defaultHelo;
    private String helo;
    private String mechanism;
    private Credentials credentials;
    private Supplier<Credentials> renew;

    /**
     * A new connection: a later batch connects the same way (where the plan dials, with its options);
     * EHLO name and AUTH start over.
     */
    synchronized void connected(ConnectionPlan plan, Supplier<String> helo) {
        this.host = plan.dialHost();
        this.port = plan.dialPort();
        this.options = plan.options();
        this.defaultHelo = helo;
        this.helo = null;
        this.mechanism = null;
        this.credentials = null;
        this.renew = null;
    }

    synchronized void greeted(String name) {
        this.helo = name;
    }

    /**
     * A successful AUTH; {@code renewal}, when not null, reads the credentials afresh (a token from a
     * command, which expires during a long batch).
     */
    synchronized void authenticated(String mechanismName, Credentials creds, Supplier<Credentials> renewal) {
        this.mechanism = mechanismName;
        this.credentials = creds;
        this.renew = renewal;
    }

    synchronized boolean known() {
        return host != null;
    }

    /** A factory for connections like the script's: connect, EHLO, TLS, and AUTH when the script did. */
    synchronized SessionFactory sessions() {
        String name = helo != null ? helo : defaultHelo.get();
        return SessionFactory.connecting(host, port, name, options, mechanism, credentials, renew);
    }
}
