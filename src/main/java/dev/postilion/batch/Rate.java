package dev.postilion.batch;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sending rate as people write it: {@code 30/min}, {@code 5/s}, {@code 1000/h} (also
 * {@code /sec}, {@code /second}, {@code /m}, {@code /minute}, {@code /hour}, and decimals such as
 * {@code 0.5/s}).
 *
 * @param messages how many messages
 * @param per in how long
 */
public record Rate(double messages, Duration per) {

    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*/\\s*([a-z]+)");

    public Rate {
        if (!(messages > 0) || per.isZero() || per.isNegative()) {
            throw new IllegalArgumentException("a rate needs a positive number of messages and a positive period");
        }
    }

    /**
     * Parses a rate.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Rate parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            Duration per = switch (m.group(2)) {
                case "s", "sec", "second" -> Duration.ofSeconds(1);
                case "m", "min", "minute" -> Duration.ofMinutes(1);
                case "h", "hour" -> Duration.ofHours(1);
                default -> null;
            };
            if (per != null && n > 0) {
                return new Rate(n, per);
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a rate; write N/s, N/min or N/h (e.g. 30/min)");
    }

    /** Messages per second. */
    public double perSecond() {
        return messages * 1e9 / per.toNanos();
    }

    /** As it would be written: {@code 30/min}. */
    @Override
    public String toString() {
        String n = messages == Math.rint(messages) ? String.valueOf((long) messages) : String.valueOf(messages);
        String unit = per.equals(Duration.ofSeconds(1)) ? "s" : per.equals(Duration.ofMinutes(1)) ? "min"
                : per.equals(Duration.ofHours(1)) ? "h" : per.toMillis() + "ms";
        return n + "/" + unit;
    }
}
