package dev.postilion.cli;

import java.time.Duration;
import java.util.regex.Pattern;

import dev.postilion.batch.Rate;
import dev.postilion.batch.Shard;
import dev.postilion.smtp.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the option values Postilion reads: each refuses a bad value with a short
 * message saying what to write, which {@link Main#usageError} prints after the option's name (exit 64).
 */
final class Converters {

    private Converters() {
    }

    /** A refused value whose message says what to write: printed after the option's name, with no pointer to help. */
    static final class BadValue extends TypeConversionException {
        BadValue(String message) {
            super(message);
        }
    }

    /** A duration in {@link Durations}' grammar; zero allowed. */
    static class DurationValue implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
        }
    }

    /** A duration longer than zero: a limit, an interval or a timeout. */
    static final class PositiveDuration extends DurationValue {
        @Override
        public Duration convert(String text) {
            Duration d = super.convert(text);
            if (d.isZero()) {
                throw new BadValue("the duration must be longer than 0 (write 30s, 10m, 1h)");
            }
            return d;
        }
    }

    /** {@code --max-age}: a duration, where 0 means "never expires". */
    static final class MaxAge extends DurationValue {
        @Override
        public Duration convert(String text) {
            try {
                return super.convert(text);
            } catch (BadValue e) {
                throw new BadValue(e.getMessage() + " (0: messages never expire)");
            }
        }
    }

    /** A sending rate ({@link Rate#parse}): {@code 30/min}. */
    static final class RateValue implements ITypeConverter<Rate> {
        @Override
        public Rate convert(String text) {
            try {
                return Rate.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
        }
    }

    /** A slice of the rows ({@link Shard#parse}): {@code K/N}. */
    static final class ShardValue implements ITypeConverter<Shard> {
        @Override
        public Shard convert(String text) {
            try {
                return Shard.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
        }
    }

    /** {@code host}, {@code host:port} or {@code [v6]:port}; port 25 when none is given. */
    static final class HostPortValue implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String text) {
            try {
                return HostPort.parse(text, 25);
            } catch (IllegalArgumentException e) {
                throw new BadValue(e.getMessage());
            }
        }
    }

    /** The name half of {@code --var name=value}: letters, digits and {@code _}, not starting with a digit. */
    static final class VarName implements ITypeConverter<String> {
        private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

        @Override
        public String convert(String text) {
            if (!NAME.matcher(text).matches()) {
                throw new BadValue("'" + text + "' is not a name; " + VAR_FORM);
            }
            return text;
        }
    }

    /** A TCP port, 1 to 65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            String t = text.trim();
            if (t.matches("\\d{1,5}") && Integer.parseInt(t) >= 1 && Integer.parseInt(t) <= 65535) {
                return Integer.parseInt(t);
            }
            throw new BadValue("'" + text + "' is not a port; write 1 to 65535");
        }
    }

    /** {@code auto}, {@code on} or {@code off}, in lower case. */
    static final class AutoOnOff implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            String word = text.trim().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.List.of("auto", "on", "off").contains(word)) {
                throw new BadValue("'" + text + "' is not a choice; write auto, on or off");
            }
            return word;
        }
    }

    /** A loopback address for {@code serve --bind}: the capture server never listens beyond this host. */
    static final class LoopbackAddress implements ITypeConverter<java.net.InetAddress> {
        @Override
        public java.net.InetAddress convert(String text) {
            java.net.InetAddress address;
            try {
                address = java.net.InetAddress.getByName(text);
            } catch (java.net.UnknownHostException e) {
                throw new BadValue("'" + text + "' is not an address; write 127.0.0.1 or ::1");
            }
            if (!address.isLoopbackAddress()) {
                throw new BadValue("'" + text + "' is not loopback; the capture server binds loopback only (127.0.0.1"
                        + " or ::1)");
            }
            return address;
        }
    }

    /** What {@code --var} takes, as its errors say it. */
    static final String VAR_FORM = "write --var name=value (name: letters, digits, _)";
}
