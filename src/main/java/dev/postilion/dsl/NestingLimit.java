package dev.postilion.dsl;

/**
 * Refuses a script nested deeper than {@link #MAX_DEPTH} levels of brackets, braces and
 * parentheses before it is compiled: Groovy's compiler slows down steeply with depth (closures
 * nested 1,000 deep take many seconds, 5,000 deep minutes), and a compiler cannot be interrupted.
 * Real scripts stay far below the limit. The scan skips comments and quoted strings; it errs on
 * the side of counting less, never more.
 */
final class NestingLimit {

    /** The deepest nesting a script may have. */
    static final int MAX_DEPTH = 100;

    private NestingLimit() {
    }

    /** The user-facing error for a script nested too deeply, or null when it is fine. */
    static String check(String source, String name) {
        int depth = 0;
        int line = 1;
        int n = source.length();
        int i = 0;
        if (source.startsWith("#!")) {
            while (i < n && source.charAt(i) != '\n') {
                i++;
            }
        }
        while (i < n) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                line += lines(source, i, end);
                i = end;
            } else if (c == '$' && i + 1 < n && source.charAt(i + 1) == '/') {
                int end = source.indexOf("/$", i + 2);
                end = end < 0 ? n : end + 2;
                line += lines(source, i, end);
                i = end;
            } else if (c == '\'' || c == '"') {
                int end = stringEnd(source, i);
                line += lines(source, i, end);
                i = end;
            } else {
                if (c == '(' || c == '[' || c == '{') {
                    depth++;
                    if (depth > MAX_DEPTH) {
                        return name + ":" + line + ": script error: nested more than " + MAX_DEPTH + " levels deep"
                                + " (brackets, braces and parentheses); Groovy's compiler slows down steeply with"
                                + " depth: split the script into methods or variables";
                    }
                } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                    depth--;
                }
                i++;
            }
        }
        return null;
    }

    /** The index just after the string literal that starts at {@code start}. */
    private static int stringEnd(String s, int start) {
        char q = s.charAt(start);
        int n = s.length();
        boolean triple = start + 2 < n && s.charAt(start + 1) == q && s.charAt(start + 2) == q;
        int i = start + (triple ? 3 : 1);
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == q && (!triple || (i + 2 < n && s.charAt(i + 1) == q && s.charAt(i + 2) == q))) {
                return i + (triple ? 3 : 1);
            }
            if (c == '\n' && !triple) {
                return i;
            }
            i++;
        }
        return n;
    }

    private static int lines(String s, int from, int to) {
        int count = 0;
        for (int i = from; i < to && i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                count++;
            }
        }
        return count;
    }
}
