package dev.postilion.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads replies strictly and within bounds (RFC 5321 4.2): every line is {@code ddd}, then
 * {@code -} (more lines follow), a space or the end of the line, and the same code on every line.
 * A line longer than {@link #MAX_LINE}, more than {@link #MAX_LINES} lines, a missing code, a
 * code that changes mid-reply, invalid UTF-8 or control characters, or the end of the stream
 * mid-reply is a {@link MalformedReplyException}, never a hang: the caller sets the read timeout.
 */
public final class ReplyReader {

    /** Longest reply line accepted, in octets without CRLF (RFC 5321 4.5.3.1.5 says 512; servers exceed it). */
    public static final int MAX_LINE = 2048;
    /** Most lines accepted in one reply (an EHLO list is about 15). */
    public static final int MAX_LINES = 200;

    private final InputStream in;
    private final byte[] line = new byte[MAX_LINE + 1];

    /** @param in a buffered stream (the reader reads one byte at a time) */
    public ReplyReader(InputStream in) {
        this.in = in;
    }

    /** Thrown for a reply that breaks the grammar; carries the problem in plain words. */
    public static final class MalformedReplyException extends IOException {
        MalformedReplyException(String problem) {
            super(problem);
        }
    }

    /**
     * The server sent a TLS record (RFC 8446 5.1: a content type 20..23, then version major 3)
     * where a reply should begin: it speaks TLS, not plain SMTP, on this connection.
     */
    public static final class TlsRecordException extends IOException {
        TlsRecordException() {
            super("the server sent a TLS record where an SMTP reply should begin");
        }
    }

    /**
     * Reads one complete reply.
     *
     * @throws EOFException when the stream ends before the first byte (the server closed)
     * @throws MalformedReplyException when the reply breaks the grammar or the bounds
     * @throws TlsRecordException when the reply begins with a TLS record header
     * @throws java.net.SocketTimeoutException when the read timeout passes
     */
    public Reply read() throws IOException {
        if (in.markSupported()) {
            in.mark(2);
            int type = in.read();
            int major = type >= 0x14 && type <= 0x17 ? in.read() : -1;
            in.reset();
            if (type >= 0x14 && type <= 0x17 && major == 0x03) {
                throw new TlsRecordException();
            }
        }
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String text = readLine(lines.isEmpty());
            int n = lines.size() + 1;
            if (text.length() < 3 || !isDigits(text.substring(0, 3))) {
                throw new MalformedReplyException("line " + n + " has no reply code: " + show(text));
            }
            if (text.length() > 3 && text.charAt(3) != ' ' && text.charAt(3) != '-') {
                throw new MalformedReplyException("line " + n + " has no space or '-' after its code: " + show(text));
            }
            int lineCode = Integer.parseInt(text.substring(0, 3));
            if (lineCode < 200 || lineCode > 599) {
                // RFC 5321 4.2: first digits other than 2-5 are not defined.
                throw new MalformedReplyException("reply code " + lineCode + " is outside 200-599: " + show(text));
            }
            if (code >= 0 && lineCode != code) {
                // RFC 5321 4.2.1: every line of a multi-line reply carries the same code.
                throw new MalformedReplyException("reply code changed from " + code + " to " + lineCode
                        + " within one reply: " + show(text));
            }
            code = lineCode;
            lines.add(text);
            boolean more = text.length() > 3 && text.charAt(3) == '-';
            if (!more) {
                return Reply.of(code, lines);
            }
            if (lines.size() >= MAX_LINES) {
                throw new MalformedReplyException("reply longer than " + MAX_LINES + " lines");
            }
        }
    }

    private String readLine(boolean first) throws IOException {
        int len = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (first && len == 0) {
                    throw new EOFException("connection closed by the server");
                }
                throw new MalformedReplyException("connection closed in the middle of a reply");
            }
            if (b == '\n') {
                if (len > 0 && line[len - 1] == '\r') {
                    len--;
                }
                return decode(len);
            }
            if (len == MAX_LINE && b != '\r' || len > MAX_LINE) {
                // One octet of room past MAX_LINE holds the CR of a line that is exactly MAX_LINE long.
                throw new MalformedReplyException("reply line longer than " + MAX_LINE + " octets");
            }
            line[len++] = (byte) b;
        }
    }

    private String decode(int len) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, len)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedReplyException("reply line is not valid UTF-8 text");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new MalformedReplyException(String.format("reply line contains control character 0x%02x: %s",
                        (int) c, show(text)));
            }
        }
        return text;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Quotes received text for a message: control characters as '?', at most 80 characters. */
    static String show(String text) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < text.length() && i < 80; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (text.length() > 80) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }
}
