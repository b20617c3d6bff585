package dev.postilion.batch;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One item of a batch source: its 1-based row number and its fields (CSV columns, JSON or YAML
 * keys). It is a read-only {@link Map}, so a Groovy script reads {@code row.email} and a template
 * gets the row as its variables. A row the source could not read cleanly carries a
 * {@link #problem()} and is reported and skipped, never sent.
 */
public final class Row extends AbstractMap<String, Object> {

    private final long number;
    private final Map<String, Object> fields;
    private final String problem;

    private Row(long number, Map<String, Object> fields, String problem) {
        if (number < 1) {
            throw new IllegalArgumentException("row numbers start at 1: " + number);
        }
        this.number = number;
        this.fields = Collections.unmodifiableMap(fields);
        this.problem = problem;
    }

    /**
     * A row; its values are checked at once: a CR, LF or NUL anywhere in a value makes the row
     * invalid (addresses and headers come from these values, so line breaks are never let in).
     */
    public static Row of(long number, Map<String, ?> fields) {
        Map<String, Object> copy = new LinkedHashMap<>();
        fields.forEach((k, v) -> copy.put(String.valueOf(k), v));
        String bad = lineBreak(copy, 0);
        return new Row(number, copy, bad);
    }

    /** A row that could not be read; {@code problem} says why, without the row number. */
    public static Row invalid(long number, Map<String, ?> fields, String problem) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (fields != null) {
            fields.forEach((k, v) -> copy.put(String.valueOf(k), v));
        }
        return new Row(number, copy, problem);
    }

    /** The 1-based position of this item in its source (a CSV's header line is not counted). */
    public long number() {
        return number;
    }

    /** Why this row cannot be sent, or null when it is fine. */
    public String problem() {
        return problem;
    }

    /** The same row marked invalid. */
    Row withProblem(String why) {
        return new Row(number, new LinkedHashMap<>(fields), why);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return fields.entrySet();
    }

    @Override
    public Object get(Object key) {
        return fields.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return fields.containsKey(key);
    }

    /** A value as text, or null when absent. */
    public String text(String key) {
        Object v = fields.get(key);
        return v == null ? null : v.toString();
    }

    private static String lineBreak(Object value, int depth) {
        if (depth > Json.MAX_DEPTH) {
            return null;
        }
        if (value instanceof CharSequence s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    return c == 0 ? "NUL" : c == '\r' ? "CR" : "LF";
                }
            }
            return null;
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String bad = lineBreak(e.getValue(), depth + 1);
                if (bad != null) {
                    return depth == 0 ? bad + " in '" + e.getKey() + "' (line breaks are refused in batch data)" : bad;
                }
            }
            return null;
        }
        if (value instanceof Collection<?> c) {
            for (Object x : c) {
                String bad = lineBreak(x, depth + 1);
                if (bad != null) {
                    return bad;
                }
            }
        }
        return null;
    }
}
