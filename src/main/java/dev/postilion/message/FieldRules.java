package dev.postilion.message;

/**
 * The checks every header-bound value passes before it is stored: no CR, LF, NUL or other
 * control character (no header injection), header names made of RFC 5322 ftext. Also shows
 * values safely inside error messages.
 */
public final class FieldRules {

    /** RFC 5322 2.1.1: a line is at most 998 octets, excluding the CRLF. */
    static final int MAX_LINE_OCTETS = 998;

    private FieldRules() {
    }

    /**
     * Refuses a value that carries a line break, NUL or other control character (TAB is
     * allowed: it is folding white space), including C1 controls and U+2028/U+2029. {@code what} says which part of {@code field} it
     * is, e.g. "value", "name" or {@code address "x"}.
     */
    static String refuseControls(String field, String what, String value) {
        if (value == null) {
            throw new MessageException(field + ": no " + what + " given (null)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new MessageException(field + ": " + what
                        + " contains a line break (CR/LF): header injection refused");
            }
            if (c == 0) {
                throw new MessageException(field + ": " + what
                        + " contains a NUL character: header injection refused");
            }
            // C0 controls but TAB, DEL, C1 controls (NEL is one) and the Unicode line and
            // paragraph separators: none has a use in a header, and some readers break lines on them
            if ((c < 0x20 && c != '\t') || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                throw new MessageException(field + ": " + what + " contains the control character "
                        + String.format("U+%04X", (int) c) + ": refused");
            }
        }
        return value;
    }

    /** Refuses a header name that is empty or not RFC 5322 ftext (printable ASCII, no colon). */
    static String headerName(String name) {
        if (name == null || name.isEmpty()) {
            throw new MessageException("header: no name given");
        }
        String field = "header " + shown(name);
        refuseControls(field, "name", name);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // RFC 5322 3.6.8: ftext = %d33-57 / %d59-126
            if (c < 33 || c > 126 || c == ':') {
                throw new MessageException(field + ": name may only contain printable ASCII"
                        + " without spaces or ':' (RFC 5322 3.6.8)");
            }
        }
        return name;
    }

    /** True when every character is US-ASCII. */
    static boolean isAscii(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value in single quotes for an error message, with control characters shown as
     * escapes (so a hostile value cannot forge lines in a log) and long values shortened.
     */
    public static String shown(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(value.length() + 2).append('\'');
        int limit = Math.min(value.length(), 120);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case 0 -> sb.append("\\0");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (limit < value.length()) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }
}
