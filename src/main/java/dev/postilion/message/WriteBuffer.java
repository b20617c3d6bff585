package dev.postilion.message;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A small write buffer without locks. Angus writes much of a part byte by byte, through filter
 * streams that pass single bytes on; {@link java.io.BufferedOutputStream} takes a lock for each of
 * them, which made writing a 1 KiB message cost more than building it.
 */
final class WriteBuffer extends OutputStream {

    private final OutputStream out;
    private final byte[] buf;
    private int count;

    WriteBuffer(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[size];
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len >= buf.length) {
            drain();
            out.write(b, off, len);
            return;
        }
        if (len > buf.length - count) {
            drain();
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    private void drain() throws IOException {
        if (count > 0) {
            out.write(buf, 0, count);
            count = 0;
        }
    }
}
