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

    /** How much of the source has been read, 0 to 1, or -1 when unknown (for progress and ETA). */
    default double consumed() {
        return -1;
    }

    @Override
    default void close() throws IOException {
    }
}
