package dev.postilion.batch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A row's identity in the journal: by default a digest of who receives its message (the envelope
 * recipients, each domain lower-cased, sorted, each once), so that re-sorting, inserting rows or
 * reformatting other cells changes no key; or a digest of what the script names ({@code key:
 * 'email'}, or a closure) for lists where one person gets several messages. 61 bits of SHA-256;
 * the journal writes them as 16 hexadecimal digits.
 */
public final class RowKey {

    private RowKey() {
    }

    /** The key of a message to these recipients; null when there are none. */
    public static Long ofRecipients(Collection<String> recipients) {
        if (recipients.size() == 1) {
            // The common case, without a sorted set: the same text is digested.
            return digest("to:" + normal(recipients.iterator().next()));
        }
        TreeSet<String> normal = new TreeSet<>();
        for (String r : recipients) {
            normal.add(normal(r));
        }
        return normal.isEmpty() ? null : digest("to:" + String.join("\n", normal));
    }

    /** An address as keys see it: surrounding white space cut, the domain lower-cased. */
    private static String normal(String recipient) {
        String a = recipient.strip();
        int at = a.lastIndexOf('@');
        if (at < 0) {
            return a;
        }
        String domain = a.substring(at + 1);
        String lower = domain.toLowerCase(Locale.ROOT);
        return lower.equals(domain) ? a : a.substring(0, at + 1) + lower;
    }

    /** The key of a value the script names (surrounding white space ignored); null when blank. */
    static Long ofValue(Object value) {
        if (value == null) {
            return null;
        }
        String v = value.toString().strip();
        return v.isEmpty() ? null : digest("key:" + v);
    }

    /**
     * A 32-bit digest of a row's cells (names and values, white space runs made one space), never 0:
     * a resume compares it to say how many rows already sent have changed since.
     */
    static int cells(java.util.Map<String, ?> row) {
        // String's hash of "name=value\0" for every cell, computed as it goes rather than over a built
        // string: the value stripped, each run of white space (the regex \s) made one space.
        int h = 0;
        for (java.util.Map.Entry<String, ?> e : row.entrySet()) {
            h = hash(h, String.valueOf(e.getKey()));
            h = 31 * h + '=';
            Object v = e.getValue();
            if (v != null) {
                String s = v.toString().strip();
                boolean inSpace = false;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    boolean space = c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
                    if (!space) {
                        h = 31 * h + c;
                    } else if (!inSpace) {
                        h = 31 * h + ' ';
                    }
                    inSpace = space;
                }
            }
            h = 31 * h;  // '\u0000'
        }
        // A change detector, not an identity: String's hash, mixed, is enough and costs no SHA-256 per row.
        int c = h * 0x9E3779B9;
        c ^= c >>> 16;
        return c == 0 ? 1 : c;
    }

    private static int hash(int h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    /** 16 hexadecimal digits. */
    public static String hex(long key) {
        return hex(key, 16);
    }

    /** The low {@code digits} hexadecimal digits of {@code value}, zeros first. */
    static String hex(long value, int digits) {
        byte[] b = new byte[digits];
        for (int i = digits - 1; i >= 0; i--) {
            b[i] = (byte) "0123456789abcdef".charAt((int) (value & 0xf));
            value >>>= 4;
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The key a journal line wrote; throws IllegalArgumentException for anything but 16 hex digits. */
    static long parse(String hex) {
        if (hex == null || hex.length() != 16) {
            throw new IllegalArgumentException("\"key\" must be 16 hexadecimal digits, not '" + hex + "'");
        }
        return Long.parseUnsignedLong(hex, 16);
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    });

    private static long digest(String text) {
        {
            byte[] d = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = k << 8 | (d[i] & 0xff);
            }
            return KeySet.norm(k);
        }
    }
}
