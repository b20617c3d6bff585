package dev.postilion.smtp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.transcript.TranscriptListener;

/**
 * Resolves a host and tries each of its addresses in turn, all within the connect timeout, and
 * names addresses as people write them (RFC 5952 for IPv6).
 */
final class Dialer {

    /** The least time each address gets when a host has several (Go's net.Dialer: 2 s). */
    private static final long MIN_CONNECT_SHARE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private Dialer() {
    }

    /**
     * Resolves the host and tries its addresses in order until one accepts, all within the connect
     * timeout. Each address gets an equal share of the time left, but at least 2 s (as Go's
     * net.Dialer does), so a black-holed IPv6 address cannot use up the time of the IPv4 one behind
     * it (Postfix: "tries the next address"). A name that does not exist is {@link Kind#NO_HOST};
     * a lookup that fails for now, and addresses that all fail, are temporary.
     */
    static SmtpConnection dial(String host, int port, SessionOptions options, TranscriptListener transcript)
            throws SmtpException {
        String server = host + ":" + port;
        List<InetAddress> addresses;
        try {
            addresses = options.resolver().resolve(host);
        } catch (UnknownHostException e) {
            throw SmtpException.failure(Kind.NO_HOST, SmtpStage.CONNECT, server,
                    "CONNECT " + server + " failed: host not found: '" + host + "' does not exist (DNS has no"
                            + " address for it)", e, SmtpException.Hint.NO_SUCH_HOST);
        } catch (IOException e) {
            throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.CONNECT, null, server,
                    "the host name could not be looked up: " + e.getMessage() + "; try again later", e);
        }
        if (addresses == null || addresses.isEmpty()) {
            throw SmtpException.failure(Kind.NO_HOST, SmtpStage.CONNECT, server,
                    "CONNECT " + server + " failed: host not found: '" + host + "' has no address", null,
                    SmtpException.Hint.NO_SUCH_HOST);
        }
        long deadline = System.nanoTime() + options.timeouts().connect().toNanos();
        List<String> failures = new ArrayList<>();
        IOException last = null;
        for (int i = 0; i < addresses.size(); i++) {
            InetAddress address = addresses.get(i);
            String at = text(address);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                failures.add(at + ": not tried, the connect timeout of "
                        + Timeouts.describe(options.timeouts().connect()) + " was used up");
                continue;
            }
            long share = Math.max(left / (addresses.size() - i), Math.min(left, MIN_CONNECT_SHARE_NANOS));
            boolean literal = host.equals(address.getHostAddress()) || host.indexOf(':') >= 0;
            transcript.connecting(server, literal ? null : at);
            try {
                return SmtpConnection.open(host, port, address, options.timeouts(), Duration.ofNanos(share));
            } catch (IOException e) {
                last = e;
                String why = e instanceof ConnectException ? "connection refused"
                        : e instanceof SocketTimeoutException ? "connect timed out after "
                        + Timeouts.describe(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(share)))
                        : String.valueOf(e.getMessage());
                failures.add(addresses.size() == 1 ? why : at + ": " + why);
                if (i + 1 < addresses.size()) {
                    transcript.addressFailed(at, why);
                }
            }
        }
        throw SmtpException.noReply(Kind.TEMPORARY, SmtpStage.CONNECT, null, server, String.join("; ", failures), last);
    }

    /** An address as people write it: IPv6 with its longest run of zero groups as "::" (RFC 5952). */
    static String text(InetAddress address) {
        String full = address.getHostAddress();
        int scope = full.indexOf('%');
        if (address.getAddress().length != 16) {
            return full;
        }
        String[] groups = (scope >= 0 ? full.substring(0, scope) : full).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + (scope >= 0 ? full.substring(scope) : "");
    }
}
