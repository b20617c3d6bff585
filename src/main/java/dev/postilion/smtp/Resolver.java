package dev.postilion.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Turns the host a session connects to into the addresses to try, in order. The session tries
 * each in turn within the connect timeout (a name with an unreachable IPv6 and a working IPv4
 * address still connects). Tests inject their own, so no test needs DNS.
 */
@FunctionalInterface
public interface Resolver {

    /**
     * The addresses of {@code host} (a name or an address literal), in the order to try them.
     *
     * @throws UnknownHostException the name does not exist, or has no address (NXDOMAIN, NODATA):
     *         a permanent failure, not worth retrying
     * @throws IOException any other failure of the lookup (SERVFAIL, a timeout, no name server
     *         reachable): temporary, worth retrying later
     */
    List<InetAddress> resolve(String host) throws IOException;

    /** The system's resolver ({@link InetAddress#getAllByName}), with its failures sorted into the two kinds. */
    Resolver SYSTEM = host -> {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            if (saysNoSuchName(e.getMessage())) {
                throw e;
            }
            throw new IOException("temporary failure in name resolution for " + host
                    + (e.getMessage() == null || e.getMessage().equals(host) ? "" : " (" + e.getMessage() + ")"), e);
        }
    };

    /**
     * True when the message of the system's {@link UnknownHostException} says the name does not
     * exist (getaddrinfo's EAI_NONAME or EAI_NODATA). The JDK reports every lookup failure with
     * that one exception, a SERVFAIL ("Temporary failure in name resolution", EAI_AGAIN) too; a
     * message this does not recognise (a bare host name from the JDK's negative cache) counts as
     * temporary, so mail is retried rather than dropped.
     */
    static boolean saysNoSuchName(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("name or service not known")
                || m.contains("no address associated with hostname")
                || m.contains("nodename nor servname provided")
                || m.contains("no such host is known");
    }
}
