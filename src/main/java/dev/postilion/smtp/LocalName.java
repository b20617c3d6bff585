package dev.postilion.smtp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.regex.Pattern;

/**
 * The name EHLO gives when none is configured: this host's name as {@code hostname} prints it
 * (as swaks does), dotted or not; an address literal such as {@code [192.0.2.1]} (RFC 5321 4.1.3)
 * only when the host has no name at all.
 */
public final class LocalName {

    /** A host name EHLO may carry (RFC 1123 2.1 labels), with an optional final dot. */
    private static final Pattern NAME =
            Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                    + "[A-Za-z0-9])?)*\\.?");
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private static volatile String cached;

    private LocalName() {
    }

    /** This host's EHLO name, found once per process. */
    public static String forEhlo() {
        String n = cached;
        if (n == null) {
            String h = hostname();
            n = choose(h, usable(h) ? null : firstAddress());
            cached = n;
        }
        return n;
    }

    /**
     * The name to use: {@code hostname} when it is a usable host name, otherwise an address
     * literal for {@code address}, otherwise {@code [127.0.0.1]}.
     */
    static String choose(String hostname, InetAddress address) {
        if (usable(hostname)) {
            return hostname.trim();
        }
        if (address == null) {
            return "[127.0.0.1]";
        }
        if (address instanceof Inet6Address) {
            String text = address.getHostAddress();
            int scope = text.indexOf('%');
            return "[IPv6:" + (scope >= 0 ? text.substring(0, scope) : text) + "]";
        }
        return "[" + address.getHostAddress() + "]";
    }

    private static boolean usable(String hostname) {
        String h = hostname == null ? "" : hostname.trim();
        return !h.isEmpty() && !h.equals("(none)") && h.length() <= 253 && NAME.matcher(h).matches();
    }

    /** What {@code hostname} prints: the kernel's name on Linux, else the JDK's local host name. */
    private static String hostname() {
        try {
            if (Files.isReadable(KERNEL_HOSTNAME)) {
                String n = Files.readString(KERNEL_HOSTNAME, StandardCharsets.US_ASCII).trim();
                if (!n.isEmpty()) {
                    return n;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no /proc: ask the JDK.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }

    /** The first address of an interface that is up and not loopback (IPv4 first), or null. */
    private static InetAddress firstAddress() {
        try {
            InetAddress v6 = null;
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a.isLinkLocalAddress()) {
                        continue;
                    }
                    if (!(a instanceof Inet6Address)) {
                        return a;
                    }
                    if (v6 == null) {
                        v6 = a;
                    }
                }
            }
            return v6;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
