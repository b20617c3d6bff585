package dev.postilion.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Message bytes for DATA or BDAT, written as the author made them: the engine normalises line
 * endings and dot-stuffs on the way out, so content never needs to.
 */
public interface MessageContent {

    /** Writes the whole message. May be called more than once (retries); must write the same bytes. */
    void writeTo(OutputStream out) throws IOException;

    /** The size in octets when known in advance (for SIZE=), or -1. */
    default long size() {
        return -1;
    }

    /** True when any octet is over 127 (BODY=8BITMIME is then asked for when offered). */
    default boolean eightBit() {
        return false;
    }

    /** Content from bytes already in memory. */
    static MessageContent of(byte[] bytes) {
        byte[] copy = bytes.clone();
        boolean eight = false;
        for (byte b : copy) {
            if (b < 0) {
                eight = true;
                break;
            }
        }
        boolean eightBit = eight;
        return new MessageContent() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(copy);
            }

            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public boolean eightBit() {
                return eightBit;
            }
        };
    }

    /** Content from text, encoded as UTF-8. */
    static MessageContent of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }
}
