package dev.postilion.batch;

import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.SerializableString;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;

/**
 * Strict JSON (RFC 8259) for one value per line, over jackson-core's streaming parser and generator:
 * journal and report lines, and JSON Lines sources. Objects become {@link LinkedHashMap}s (key order
 * kept, a repeated key refused), arrays {@link ArrayList}s, integers of up to 18 characters {@link Long},
 * other numbers {@link BigDecimal}. Nesting is limited, so a hostile line cannot exhaust the stack.
 */
final class Json {

    /** The deepest nesting accepted. */
    static final int MAX_DEPTH = 32;
    /** Strings, keys and numbers: as long as the longest line any caller reads (no stricter than before Jackson). */
    private static final int MAX_TEXT = 1 << 20;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_TEXT).maxNameLength(MAX_TEXT).maxNumberLength(MAX_TEXT).build())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).characterEscapes(new Escapes()).build();

    private Json() {
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
        int end = -2;  // -2 before the object, -1 inside it, then the offset where it ends
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            try {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw JsonComplaint.notAnObject(text);
                }
                end = -1;
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) value(p);
                end = (int) p.currentLocation().getCharOffset();
                if (p.nextToken() != null) {
                    throw JsonComplaint.trailing(text, end);
                }
                return m;
            } catch (StreamConstraintsException e) {
                throw new JsonException(e.getOriginalMessage().contains("nesting depth")
                        ? "nested deeper than " + MAX_DEPTH + " levels" : e.getOriginalMessage());
            } catch (JacksonException e) {
                int at = e.getLocation() == null ? text.length() : (int) e.getLocation().getCharOffset();
                throw end == -2 ? JsonComplaint.notAnObject(text) : end >= 0 ? JsonComplaint.trailing(text, end)
                        : JsonComplaint.of(text, e.getOriginalMessage(), p.streamReadContext().inObject(), at);
            }
        }
    }

    private static Object value(JsonParser p) {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String key = p.nextName(); key != null; key = p.nextName()) {
                    p.nextToken();
                    Object v = value(p);
                    if (m.containsKey(key)) {
                        throw new JsonException("key \"" + key + "\" appears twice");
                    }
                    m.put(key, v);
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getStringLength() <= 18 ? (Object) p.getLongValue() : new BigDecimal(p.getString());
            case VALUE_NUMBER_FLOAT -> new BigDecimal(p.getString());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Appends {@code value} as JSON: maps, collections, strings, numbers, booleans and null. */
    static StringBuilder write(StringBuilder sb, Object value) {
        // The values of most journal and report fields (states, codes, counts, ASCII addresses) need
        // no escaping: written here, to the byte what the generator writes, without making one per
        // field (that doubled the cost of a journal line). Everything else goes through Jackson.
        if (value == null) {
            return sb.append("null");
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            return sb.append(((Number) value).longValue());
        } else if (value instanceof Boolean b) {
            return sb.append(b.booleanValue());
        } else if (value instanceof String s && plain(s)) {
            return sb.append('"').append(s).append('"');
        } else if (value instanceof List<?> list && plainStrings(list)) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                sb.append(i == 0 ? "\"" : ",\"").append((String) list.get(i)).append('"');
            }
            return sb.append(']');
        }
        Writer into = new Writer() {
            @Override
            public void write(char[] chars, int off, int len) {
                sb.append(chars, off, len);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), into)) {
            write(g, value);
        }
        return sb;
    }

    /** True when {@code s} is printable ASCII with no quote or backslash: JSON text as it stands. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static boolean plainStrings(List<?> list) {
        for (Object x : list) {
            if (!(x instanceof String s) || !plain(s)) {
                return false;
            }
        }
        return true;
    }

    /** {@code value} as one line of JSON. */
    static String line(Map<String, ?> value) {
        return write(new StringBuilder(256), value).toString();
    }

    private static void write(JsonGenerator g, Object value) {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof CharSequence s) {
            g.writeString(s.toString());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof Number n) {
            if (n instanceof BigDecimal || Double.isFinite(n.doubleValue())) {
                g.writeNumber(n.toString());
            } else {
                g.writeNull();
            }
        } else if (value instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object x : c) {
                write(g, x);
            }
            g.writeEndArray();
        } else {
            g.writeString(value.toString());
        }
    }

    /** The escapes written before Jackson: {@code \}{@code u00xx} (lower case) for controls but \n \r \t, DEL, U+2028/2029. */
    private static final class Escapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        static {
            ASCII['\b'] = ESCAPE_STANDARD;
            ASCII['\f'] = ESCAPE_STANDARD;
            ASCII[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int c) {
            // some JSON readers treat U+2028/2029 as line ends
            return c == 0x2028 ? new SerializedString("\\u2028") : c == 0x2029 ? new SerializedString("\\u2029") : null;
        }
    }
}
