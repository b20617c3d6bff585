package dev.postilion.smtp;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar and formatter for durations as people write them, the same in a script, a
 * profile and on the command line: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 5d},
 * or a bare number of seconds. At most nine digits, and at most {@link #LONGEST} (a year), so no
 * duration overflows a deadline. Zero is a duration; a caller that needs a positive one says so.
 */
public final class Durations {

    /** The longest duration any option accepts: 365 days. */
    public static final Duration LONGEST = Duration.ofDays(365);

    /** The accepted forms, as every message names them. */
    public static final String FORMS = "write 30s, 2m, 1h, 5d, 500ms or a number of seconds";

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?");

    private Durations() {
    }

    /**
     * Parses a duration: digits, then optionally {@code ms}, {@code s}, {@code m}, {@code h} or
     * {@code d} (any case, spaces allowed around them).
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; " + FORMS);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long; the longest duration is "
                    + format(LONGEST));
        }
        return d;
    }

    /**
     * The shortest exact form, in the largest unit that says it whole: {@code 2d}, {@code 2h},
     * {@code 90m}, {@code 30s}, {@code 1500ms}. {@link #parse} reads it back to the same value.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /**
     * A span for people, to the second: {@code 5d}, {@code 2h 30m}, {@code 1m 5s}, and
     * {@code 800ms} below a second (an age or an elapsed time, where a rounded span reads better
     * than one exact unit).
     */
    public static String spoken(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long s = millis / 1000;
        long[] amounts = {s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60};
        String[] units = {"d", "h", "m", "s"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < amounts.length; i++) {
            if (amounts[i] > 0) {
                sb.append(sb.length() > 0 ? " " : "").append(amounts[i]).append(units[i]);
            }
        }
        return sb.toString();
    }
}
