package dev.postilion.batch;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) codec for one value per line: journal and report lines, and JSON
 * Lines sources. Objects become {@link LinkedHashMap}s (key order kept), arrays {@link ArrayList}s,
 * integers {@link Long} (or {@link BigDecimal} when too long), other numbers {@link BigDecimal}.
 * Nesting is limited, so a hostile line cannot exhaust the stack.
 */
final class Json {

    /** The deepest nesting accepted. */
    static final int MAX_DEPTH = 32;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** A line that is not the JSON expected; the message says where. */
    static final class JsonException extends IllegalArgumentException {
        JsonException(String message) {
            super(message);
        }
    }

    /**
     * Parses one JSON object filling the whole text (white space around it allowed).
     *
     * @throws JsonException naming the column and what was expected
     */
    static Map<String, Object> parseObject(String text) {
        Json p = new Json(text);
        p.skipSpace();
        if (p.pos >= text.length() || text.charAt(p.pos) != '{') {
            throw p.error("a JSON object ({...})");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("the end of the line");
        }
        return m;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new JsonException("nested deeper than " + MAX_DEPTH + " levels");
        }
        skipSpace();
        if (pos >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("a key in double quotes");
            }
            String key = string();
            skipSpace();
            expect(':');
            Object v = value(depth + 1);
            if (m.containsKey(key)) {
                throw new JsonException("key \"" + key + "\" appears twice");
            }
            m.put(key, v);
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                pos--;
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                pos--;
                throw error("',' or ']'");
            }
        }
    }

    private String string() {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("the closing '\"'");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("no raw control character inside a string (write it as \\u00" + hex2(c) + ")");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("an escape after '\\'");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("four hex digits after \\u");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("four hex digits after \\u");
                    }
                    pos += 4;
                }
                default -> {
                    pos--;
                    throw error("a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("a digit after '.'");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a digit in the exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String n = text.substring(start, pos);
        if (integral && n.length() <= 18) {
            return Long.parseLong(n);
        }
        return new BigDecimal(n);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("a value");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return;
            }
            pos++;
        }
    }

    private JsonException error(String expected) {
        String found = pos >= text.length() ? "the end of the line"
                : "'" + (text.charAt(pos) < 0x20 ? "\\u00" + hex2(text.charAt(pos)) : String.valueOf(text.charAt(pos)))
                + "'";
        return new JsonException("column " + (pos + 1) + ": expected " + expected + ", found " + found);
    }

    private static String hex2(char c) {
        return String.format("%02x", (int) c);
    }

    // ------------------------------------------------------------------ writing

    /** Appends {@code value} as JSON: maps, collections, strings, numbers, booleans and null. */
    static StringBuilder write(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof CharSequence s) {
            quote(sb, s.toString());
        } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
                || value instanceof Short || value instanceof BigDecimal) {
            sb.append(value);
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                sb.append("null");
            } else {
                sb.append(n);
            }
        } else if (value instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (value instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object x : c) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, x);
            }
            sb.append(']');
        } else {
            quote(sb, value.toString());
        }
        return sb;
    }

    /** {@code value} as one line of JSON. */
    static String line(Map<String, ?> value) {
        return write(new StringBuilder(256), value).toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        int plain = 0;
        while (plain < s.length() && !escaped(s.charAt(plain))) {
            plain++;
        }
        // Most text needs no escape: copied in one go rather than a char at a time.
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // U+2028/2029 too: some JSON readers treat them as line ends
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** True when {@link #quote} writes {@code c} otherwise than as itself. */
    private static boolean escaped(char c) {
        return c < 0x20 || c == '"' || c == '\\' || c == 0x7f || c == '\u2028' || c == '\u2029';
    }
}
