package dev.postilion.batch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the octets read from a file, so a streamed source can say how far it has got. */
final class CountingInput extends FilterInputStream {

    private volatile long count;

    CountingInput(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count += n;
        }
        return n;
    }

    long count() {
        return count;
    }

    /** The share of {@code size} read so far, or -1 when the size is unknown. */
    double share(long size) {
        return size <= 0 ? -1 : Math.min(1.0, (double) count / size);
    }
}
