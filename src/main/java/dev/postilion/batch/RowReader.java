package dev.postilion.batch;

import java.io.Closeable;
import java.io.IOException;

/** An open {@link RowSource}: rows one at a time, never the whole source in memory. */
public interface RowReader extends Closeable {

    /**
     * The next row (possibly an invalid one, with its problem), or null at the end.
     *
     * @throws SourceException when the source cannot be read any further (I/O, broken quoting)
     */
    Row next() throws IOException;

    /**
     * How many rows the whole source holds, counted ahead without building them (a streaming pass
     * over a file), or -1 when that cannot be known before reading (an iterator). For the progress
     * total; a file that cannot be counted is reported by {@link #next()}, not here.
     */
    default long total() {
        return -1;
    }

    /** How much of the source has been read, 0 to 1, or -1 when unknown (for progress and ETA). */
    default double consumed() {
        return -1;
    }

    @Override
    default void close() throws IOException {
    }
}
