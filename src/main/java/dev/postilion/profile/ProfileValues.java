package dev.postilion.profile;

import dev.postilion.smtp.Durations;
import dev.postilion.smtp.TlsMode;
import dev.postilion.text.Spelling;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns the text of one profile value into its typed form. Each method throws an {@link
 * IllegalArgumentException} whose message names the key and the accepted forms; the caller adds
 * the file, line and profile.
 */
final class ProfileValues {

    /** The AUTH words a profile accepts, in the order the docs list them. */
    static final List<String> AUTH_WORDS =
            List.of("login", "plain", "cram-md5", "xoauth2", "oauthbearer", "auto", "none");

    private static final Pattern HOST_WITH_PORT = Pattern.compile("[^:\\[\\]]+:\\d+|\\[[^\\]]*\\]:\\d+");

    private ProfileValues() {
    }

    /** True when the text holds CR, LF or NUL, which could end an SMTP command or header early. */
    static boolean hasControlBreak(String text) {
        return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0;
    }

    /** A host name or address; no spaces, and no {@code :port} glued on. */
    static String host(String text) {
        String host = text.trim();
        if (host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("host must be a host name or address, not '" + shown(text) + "'");
        }
        if (HOST_WITH_PORT.matcher(host).matches()) {
            throw new IllegalArgumentException("host must not include the port ('" + shown(text)
                    + "'); write the port as port: N");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host;
    }

    /** A TCP port, 1 to 65535. */
    static int port(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,5}")) {
            int port = Integer.parseInt(t);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        }
        throw new IllegalArgumentException("port must be a whole number from 1 to 65535, not '" + shown(text) + "'");
    }

    /** A limit of recipients per transaction: a whole number from 1 (Gmail takes 100, Exchange Online 500). */
    static int maxRecipients(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,7}") && Integer.parseInt(t) >= 1) {
            return Integer.parseInt(t);
        }
        throw new IllegalArgumentException("max_recipients must be a whole number from 1 (Gmail takes 100 per message,"
                + " Exchange Online 500), not '" + shown(text) + "'");
    }

    /** One of the words of {@link TlsMode#parse(String)}. */
    static TlsMode tls(String text) {
        try {
            return TlsMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls must be one of none, starttls, starttls-if-offered, implicit, not '"
                    + shown(text) + "'");
        }
    }

    /** {@code true} or {@code false} (also yes/no, on/off). */
    static boolean bool(String key, String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> {
                return true;
            }
            case "false", "no", "off" -> {
                return false;
            }
            default -> throw new IllegalArgumentException(key + " must be true or false, not '" + shown(text) + "'");
        }
    }

    /** One of {@link #AUTH_WORDS}, in lower case. */
    static String auth(String text) {
        String word = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (AUTH_WORDS.contains(word)) {
            return word;
        }
        throw new IllegalArgumentException("auth must be one of " + String.join(", ", AUTH_WORDS) + ", not '"
                + shown(text) + "'" + Spelling.didYouMean(word, AUTH_WORDS));
    }

    /** {@code auto}, {@code on} or {@code off} (true/false and yes/no also read as on/off). */
    static Profile.Pipelining pipelining(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> {
                return Profile.Pipelining.AUTO;
            }
            case "on", "true", "yes" -> {
                return Profile.Pipelining.ON;
            }
            case "off", "false", "no" -> {
                return Profile.Pipelining.OFF;
            }
            default -> throw new IllegalArgumentException("pipelining must be auto, on or off, not '" + shown(text) + "'");
        }
    }

    /**
     * A duration in {@link Durations}' grammar ({@code 30s}, {@code 2m}, {@code 1h}, {@code 5d},
     * {@code 500ms}, or a bare number of seconds), more than zero.
     */
    static Duration duration(String key, String text) {
        Duration duration;
        try {
            duration = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + (e.getMessage().contains("too long")
                    ? " must be at most " + Durations.format(Durations.LONGEST)
                    : " must be a duration like 30s, 2m, 1h, 5d or 500ms (a bare number means seconds)")
                    + ", not '" + shown(text) + "'");
        }
        if (duration.isZero()) {
            throw new IllegalArgumentException(key + " must be more than zero");
        }
        return duration;
    }

    /** A path with a leading {@code ~} expanded, relative paths taken from {@code baseDir}. */
    static Path path(String text, Path home, Path baseDir) {
        if (text.equals("~")) {
            return home;
        }
        if (text.startsWith("~/")) {
            return home.resolve(text.substring(2));
        }
        return baseDir.resolve(text);
    }

    /** A value as echoed in a message: cut short, so an error line stays one line. */
    static String shown(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
