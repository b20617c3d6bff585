package dev.postilion.dsl;

import dev.postilion.text.Spelling;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named arguments Groovy collects into a leading map ({@code port: 587, tls: 'starttls'}),
 * checked at once against the keys a verb allows, and read with types.
 */
final class NamedArgs {

    private final String verb;
    private final Map<String, Object> values;
    private final ScriptLocation location;

    private NamedArgs(String verb, Map<String, Object> values, ScriptLocation location) {
        this.verb = verb;
        this.values = values;
        this.location = location;
    }

    /**
     * Checks the keys.
     *
     * @throws ScriptError naming the unknown key, the nearest allowed one, and all allowed keys
     */
    static NamedArgs check(String verb, Map<?, ?> args, ScriptLocation location, String... allowed) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (args != null) {
            for (Map.Entry<?, ?> e : args.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!List.of(allowed).contains(key)) {
                    String near = Spelling.nearest(key, List.of(allowed)).orElse(null);
                    throw new ScriptError(location, verb + ": unknown option '" + key + "'"
                            + (near != null ? " (did you mean '" + near + "'?)" : "")
                            + "; allowed: " + String.join(", ", allowed));
                }
                values.put(key, e.getValue());
            }
        }
        return new NamedArgs(verb, values, location);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Object get(String key) {
        return values.get(key);
    }

    String string(String key) {
        Object v = values.get(key);
        return v == null ? null : v.toString();
    }

    String requireString(String key) {
        String s = string(key);
        if (s == null) {
            throw new ScriptError(location, verb + " needs " + key + ":");
        }
        return s;
    }

    Integer integer(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ScriptError(location, verb + ": " + key + " must be a whole number, not '" + v + "'");
        }
    }

    Long longValue(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new ScriptError(location, verb + ": " + key + " must be a whole number, not '" + v + "'");
        }
    }

    boolean bool(String key, boolean dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ScriptError(location, verb + ": " + key + " must be true or false, not '" + v + "'");
        };
    }

    /** A single value or a collection, as a list of strings. */
    List<String> strings(String key) {
        return list(values.get(key));
    }

    static List<String> list(Object v) {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof Collection<?> c) {
            c.forEach(x -> out.add(String.valueOf(x)));
        } else if (v instanceof Object[] a) {
            for (Object x : a) {
                out.add(String.valueOf(x));
            }
        } else {
            out.add(v.toString());
        }
        return out;
    }
}
