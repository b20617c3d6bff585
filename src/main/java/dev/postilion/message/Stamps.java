package dev.postilion.message;

import java.net.IDN;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The Date and Message-ID values added to a message that has none: a fresh pair for a single
 * message, or a batch's stable pair ({@link #stable}), the same for a row on every run.
 */
public final class Stamps {

    /** RFC 5322 3.3 date-time, e.g. {@code Tue, 3 Jun 2008 11:05:30 +0000}. */
    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    /** For a Message-ID when no domain can be found (RFC 2606 reserves .invalid). */
    static final String FALLBACK_DOMAIN = "postilion.invalid";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Stamps() {
    }

    /** A Date header value. */
    static String date(ZonedDateTime when) {
        return RFC_5322.format(when);
    }

    /** The current time as a Date header value. */
    static String date(Clock clock) {
        return date(ZonedDateTime.now(clock));
    }

    /**
     * A new, unique Message-ID on the given domain (RFC 5322 3.6.4), ASCII even for an
     * internationalised domain (its IDNA form).
     */
    static String messageId(Clock clock, String domain) {
        long random = RANDOM.nextLong();
        return "<" + Long.toString(clock.millis(), 36) + "."
                + Long.toHexString(random | Long.MIN_VALUE) + Integer.toHexString(RANDOM.nextInt())
                + ".postilion@" + asciiDomain(domain) + ">";
    }

    /**
     * A batch message's Message-ID, the same for the row on every run, so a resent message is the
     * same message: {@code <batchId.rowKey.postilion@domain>}, the domain in its ASCII (IDNA) form,
     * or {@value #FALLBACK_DOMAIN} when there is none fit for a Message-ID.
     */
    public static String stable(String batchId, String rowKey, String domain) {
        return "<" + batchId + "." + rowKey + ".postilion@" + asciiDomain(domain) + ">";
    }

    /**
     * A batch message's Date: the one an earlier run gave it ({@code earlier}, ISO-8601 with its
     * offset, as the journal keeps it), or now, to the second.
     */
    public static ZonedDateTime stableDate(String earlier) {
        return earlier != null ? ZonedDateTime.parse(earlier) : ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String asciiDomain(String domain) {
        if (domain == null || domain.isEmpty()) {
            return FALLBACK_DOMAIN;
        }
        if (domain.startsWith("[") && domain.endsWith("]") && FieldRules.isAscii(domain)) {
            return domain;
        }
        try {
            String ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
            for (int i = 0; i < ascii.length(); i++) {
                char c = ascii.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '-' && c != '.') {
                    return FALLBACK_DOMAIN;
                }
            }
            return ascii.isEmpty() ? FALLBACK_DOMAIN : ascii.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return FALLBACK_DOMAIN;
        }
    }
}
