package dev.postilion.batch;

import java.util.function.IntPredicate;

/**
 * Words a JSON line's defect as Postilion did before Jackson read its JSON, "column N: expected X, found
 * Y" (tests, reports and journal warnings show these): the column of the character at fault, what the
 * grammar wanted there, and what stood there instead.
 */
final class JsonComplaint {

    /** What a token lacks, by a phrase of Jackson's complaint (the first that matches). */
    private static final String[][] IN_TOKEN = {{"colon", "':'"}, {"minus sign", "a digit"}, {"following sign", "a digit"},
        {"Decimal point", "a digit after '.'"}, {"xponent", "a digit in the exponent"},
        {"hex-digit", "four hex digits after \\u"}, {"end-of-input in character escape", "an escape after '\\'"},
        {"closing quote", "the closing '\"'"}, {"input in property name", "the closing '\"'"},
        {"character escape", "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"},
        {"unquoted character", "no raw control character inside a string (write it as \\u00%s)"}};

    private static final IntPredicate SPACE = c -> " \t\r\n".indexOf(c) >= 0;

    private JsonComplaint() {
    }

    /** The line does not start with an object. */
    static Json.JsonException notAnObject(String text) {
        return at(text, skipSpace(text, 0), "a JSON object ({...})");
    }

    /** Something follows the object that ends at {@code end}. */
    static Json.JsonException trailing(String text, int end) {
        return at(text, skipSpace(text, end), "the end of the line");
    }

    /**
     * A failure inside the object, worded from Jackson's complaint: inside a token by what the token lacks,
     * between tokens by what the previous token leaves room for.
     */
    static Json.JsonException of(String text, String complaint, boolean inObject, int at) {
        if (complaint.contains("plus sign") || complaint.contains("Non-standard token") || complaint.contains("Number value")) {
            return at(text, back(text, at, c -> ":[, \t\r\n".indexOf(c) < 0), "a value");  // +1, NaN: from the start
        } else if (complaint.contains("numeric value") || complaint.contains("following sign") || complaint.contains("xponent")) {
            at = numberEnd(text, back(text, at, c -> "0123456789.eE+-".indexOf(c) >= 0));
        } else if (complaint.contains("hex-digit")) {
            at = back(text, at, c -> Character.digit(c, 16) >= 0);
        } else if (complaint.startsWith("Unrecognized token")) {
            for (String word : new String[] {"true", "false", "null"}) {
                at = text.startsWith(word, at) ? at + word.length() : at;  // "truex": the word was fine, the x is not
            }
        }
        for (String[] w : IN_TOKEN) {
            if (complaint.contains(w[0])) {
                return at(text, at, String.format(w[1], at < text.length() ? hex2(text.charAt(at)) : ""));
            }
        }
        int prev = back(text, at, SPACE) - 1;
        char before = prev < 0 ? '{' : text.charAt(prev);
        if (before == '"' && inObject && isKey(text, prev)) {
            return at(text, at, "':'");
        }
        return at(text, at, before == '{' || before == ',' && inObject ? "a key in double quotes"
                : before == ':' || before == '[' || before == ',' ? "a value" : before == '-' ? "a digit"
                : inObject ? "',' or '}'" : "',' or ']'");
    }

    /** The first of the characters before {@code at} that all pass {@code skip}. */
    private static int back(String text, int at, IntPredicate skip) {
        while (at > 0 && skip.test(text.charAt(at - 1))) {
            at--;
        }
        return at;
    }

    /** Whether the string that closes at {@code close} is a key: it opens right after '{' or ','. */
    private static boolean isKey(String text, int close) {
        int open = close - 1;
        while (open > 0 && (text.charAt(open) != '"' || (open - back(text, open, c -> c == '\\')) % 2 == 1)) {
            open--;
        }
        int prev = back(text, open, SPACE) - 1;
        return prev >= 0 && "{,".indexOf(text.charAt(prev)) >= 0;
    }

    /** Where a number starting at {@code i} stops following RFC 8259's grammar. */
    private static int numberEnd(String text, int i) {
        i = text.startsWith("-", i) ? i + 1 : i;
        int whole = text.startsWith("0", i) ? i + 1 : digits(text, i);
        if (whole == i) {
            return i;
        }
        i = whole;
        if (text.startsWith(".", i)) {
            i = digits(text, i + 1);
            if (text.charAt(i - 1) == '.') {
                return i;
            }
        }
        if (i < text.length() && "eE".indexOf(text.charAt(i)) >= 0) {
            i = i + 1 < text.length() && "+-".indexOf(text.charAt(i + 1)) >= 0 ? i + 2 : i + 1;
            i = digits(text, i);
        }
        return i;
    }

    private static int digits(String text, int i) {
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static int skipSpace(String text, int at) {
        while (at < text.length() && SPACE.test(text.charAt(at))) {
            at++;
        }
        return at;
    }

    private static Json.JsonException at(String text, int at, String expected) {
        String found = at >= text.length() ? "the end of the line" : "'" + (text.charAt(at) < 0x20
                ? "\\u00" + hex2(text.charAt(at)) : String.valueOf(text.charAt(at))) + "'";
        return new Json.JsonException("column " + (at + 1) + ": expected " + expected + ", found " + found);
    }

    private static String hex2(char c) {
        return String.format("%02x", (int) c);
    }
}
