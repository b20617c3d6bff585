package dev.postilion.batch;

import java.io.IOException;
import java.io.OutputStream;

import dev.postilion.message.OutgoingMessage;
import dev.postilion.smtp.MessageContent;

/**
 * A message small enough to keep as bytes: written once from the MIME, then sent (and resent) from
 * memory, so its size needs no second writing and a retry is byte for byte the same.
 */
final class SmallMessage implements MessageContent {

    /** Messages up to this size are kept as bytes; larger ones are streamed from their parts each time. */
    static final int LIMIT = 64 * 1024;

    private final byte[] bytes;
    private final boolean eightBit;
    private final long size;

    SmallMessage(byte[] bytes) {
        this.bytes = bytes;
        boolean eight = false;
        long n = bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b < 0) {
                eight = true;
            } else if (b == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
                n++;
            } else if (b == '\r' && (i + 1 == bytes.length || bytes[i + 1] != '\n')) {
                n++;
            }
        }
        this.eightBit = eight;
        // RFC 1870: SIZE counts the message with CRLF line endings, as the engine will send it.
        this.size = n;
    }

    /** The message's bytes, or null when it is larger than {@link #LIMIT}. */
    static byte[] bytes(OutgoingMessage message) {
        Capped out = new Capped();
        try {
            message.writeTo(out);
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof Capped.Full) {
                return null;
            }
            throw e;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing to memory does not fail", e);
        }
        return out.toByteArray();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean eightBit() {
        return eightBit;
    }

    /** A byte buffer that gives up past the limit. */
    private static final class Capped extends java.io.ByteArrayOutputStream {
        static final class Full extends IOException {
            Full() {
                super("larger than " + LIMIT + " octets", null);
            }
        }

        Capped() {
            super(4096);
        }

        @Override
        public void write(int b) {
            if (count >= LIMIT) {
                throw new java.io.UncheckedIOException(new Full());
            }
            super.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > LIMIT) {
                throw new java.io.UncheckedIOException(new Full());
            }
            super.write(b, off, len);
        }
    }
}
