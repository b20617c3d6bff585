package dev.postilion.smtp;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one validator and encoder every command line passes through before a byte is written.
 * CR, LF and NUL are refused (no command injection), non-ASCII is refused unless the caller
 * allows UTF-8 (SMTPUTF8), and encoding uses a strict encoder: there are no char-to-byte casts,
 * so a character such as U+760D can never become a bare CR on the wire (CVE-2025-7962's class).
 */
public final class CommandWriter {

    /** Longest command line, CRLF included (RFC 5321 4.5.3.1.4); longer lines are refused. */
    public static final int MAX_COMMAND = 512;
    /** Longest AUTH command or response line, CRLF included (RFC 4954 4: OAuth tokens are long). */
    public static final int MAX_AUTH_LINE = 12288;

    private CommandWriter() {
    }

    /**
     * Checks one argument (address, EHLO name, parameter) and returns it unchanged.
     *
     * @param what how to name the argument in the error ("recipient", "EHLO name")
     * @throws SmtpException of kind INPUT naming the argument and the bad character
     */
    public static String checkArgument(String what, String value, SmtpStage stage) throws SmtpException {
        if (value == null) {
            throw input(stage, what + " is missing");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw input(stage, what + " " + printable(value) + " contains "
                        + (c == 0 ? "a NUL character" : c == '\r' ? "a carriage return (CR)" : "a line feed (LF)")
                        + ": refused before sending (no command injection)");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                // RFC 5321 4.1.2: no other control characters either; they are never legitimate.
                throw input(stage, what + " " + printable(value) + " contains "
                        + String.format("a control character (0x%02x)", (int) c)
                        + ": refused before sending (no command injection)");
            }
        }
        return value;
    }

    /**
     * Checks a mailbox for MAIL FROM or RCPT TO: everything {@link #checkArgument} refuses, and also
     * {@code <}, {@code >} and white space outside a quoted local part, which would end the path and
     * add ESMTP parameters of the sender's choosing. The empty (null) reverse path passes.
     */
    public static String checkAddress(String what, String value, SmtpStage stage) throws SmtpException {
        checkArgument(what, value, stage);
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '<' || c == '>' || c == ' ' || c == '\t')) {
                throw input(stage, what + " " + printable(value) + " contains "
                        + (c == ' ' ? "a space" : c == '\t' ? "a tab" : "'" + c + "'")
                        + " outside quotes: refused before sending (no parameter injection)");
            }
        }
        return value;
    }

    /**
     * Encodes a whole command line with its CRLF.
     *
     * @param utf8 true when SMTPUTF8 is in force; otherwise only ASCII is sent
     */
    public static byte[] encode(String line, boolean utf8, SmtpStage stage) throws SmtpException {
        checkArgument("command", line, stage);
        if (!utf8) {
            for (int i = 0; i < line.length(); i++) {
                if (line.charAt(i) > 0x7e || (line.charAt(i) < 0x20 && line.charAt(i) != '\t')) {
                    throw input(stage, "command " + printable(line) + " contains a non-ASCII or control character;"
                            + " non-ASCII addresses need a server that offers SMTPUTF8");
                }
            }
        }
        ByteBuffer bb;
        try {
            bb = (utf8 ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII).newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(line));
        } catch (CharacterCodingException e) {
            throw input(stage, "command " + printable(line) + " cannot be encoded: " + e.getMessage());
        }
        byte[] bytes = new byte[bb.remaining() + 2];
        bb.get(bytes, 0, bytes.length - 2);
        for (int i = 0; i < bytes.length - 2; i++) {
            // Defence in depth: the encoded bytes themselves must be free of CR, LF and NUL.
            if (bytes[i] == '\r' || bytes[i] == '\n' || bytes[i] == 0) {
                throw input(stage, String.format("command contains illegal octet 0x%02x", bytes[i]));
            }
        }
        int max = stage == SmtpStage.AUTH ? MAX_AUTH_LINE : MAX_COMMAND;
        if (bytes.length > max) {
            throw input(stage, "command line is " + bytes.length + " octets; SMTP allows " + max
                    + (stage == SmtpStage.AUTH ? " (RFC 4954 4)" : " (RFC 5321 4.5.3.1.4)"));
        }
        bytes[bytes.length - 2] = '\r';
        bytes[bytes.length - 1] = '\n';
        return bytes;
    }

    private static SmtpException input(SmtpStage stage, String message) {
        return SmtpException.input(stage, null, message);
    }

    /** Shows a value with CR, LF and NUL made visible, quoted. */
    static String printable(String value) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < value.length() && i < 120; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case 0 -> sb.append("\\0");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append(value.length() > 120 ? "...'" : "'").toString();
    }
}
