package dev.postilion.smtp;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One complete server reply (RFC 5321 4.2): its three-digit code, the enhanced status code
 * when the first line carries one (RFC 3463), and every line exactly as received.
 *
 * @param code the reply code, 200..599
 * @param enhanced the enhanced status code such as {@code 5.1.1}, or null
 * @param lines every line as received, without CRLF, code included ({@code 250-PIPELINING})
 */
public record Reply(int code, String enhanced, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    /** Builds a reply from its received lines, reading the enhanced code from the first line. */
    public static Reply of(int code, List<String> lines) {
        String first = lines.get(0);
        String text = first.length() > 4 ? first.substring(4) : "";
        Matcher m = ENHANCED.matcher(text);
        String enhanced = null;
        // RFC 3463 2: the class of the enhanced code must match the reply code's first digit.
        if (m.find() && m.group(1).charAt(0) == (char) ('0' + code / 100)) {
            enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        return new Reply(code, enhanced, lines);
    }

    /** A one-line reply, for tests and synthetic outcomes: {@code Reply.parse("250 2.0.0 Ok")}. */
    public static Reply parse(String line) {
        return of(Integer.parseInt(line.substring(0, 3)), List.of(line));
    }

    /** 2yz: the requested action completed. */
    public boolean isPositiveCompletion() {
        return code / 100 == 2;
    }

    /** 3yz: the server waits for more (354 after DATA, 334 during AUTH). */
    public boolean isPositiveIntermediate() {
        return code / 100 == 3;
    }

    /** 4yz: a temporary failure; the same command may succeed later. */
    public boolean isTransientNegative() {
        return code / 100 == 4;
    }

    /** 5yz: a permanent failure. */
    public boolean isPermanentNegative() {
        return code / 100 == 5;
    }

    /** 421: the server is closing the connection (RFC 5321 3.8). */
    public boolean isClosing() {
        return code == 421;
    }

    /** The text of every line without the code and separator, joined with newlines. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            String line = lines.get(i);
            sb.append(line.length() > 4 ? line.substring(4) : "");
        }
        return sb.toString();
    }

    /** The reply as the server sent it, one line per line. */
    @Override
    public String toString() {
        return String.join("\n", lines);
    }
}
