package dev.postilion.profile;

import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} and {@code ${NAME:-default}} in a profile value from the environment,
 * as a POSIX shell does ({@code :-} also covers a variable that is set but empty). {@code $${}
 * writes a literal {@code ${}; any other {@code $} is kept as it is.
 */
final class EnvExpansion {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvExpansion() {
    }

    /** True when the text has something to expand (or an escaped {@code $${}). */
    static boolean hasReference(String text) {
        return text.contains("${");
    }

    /**
     * The text with every reference replaced.
     *
     * @throws IllegalArgumentException naming the variable that is unset, or the malformed reference
     */
    static String expand(String text, Function<String, String> env) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (c == '$' && text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("'${' is not closed with '}' (write $${ for a literal ${)");
                }
                String inside = text.substring(i + 2, close);
                int dash = inside.indexOf(":-");
                String name = dash < 0 ? inside : inside.substring(0, dash);
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("'${" + ProfileValues.shown(inside)
                            + "}' does not name an environment variable (letters, digits and _)");
                }
                String value = env.apply(name);
                if (dash >= 0 && (value == null || value.isEmpty())) {
                    value = inside.substring(dash + 2);
                }
                if (value == null) {
                    throw new IllegalArgumentException("environment variable " + name
                            + " is not set (write ${" + name + ":-fallback} to give a default)");
                }
                out.append(value);
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
