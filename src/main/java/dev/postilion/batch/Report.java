package dev.postilion.batch;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The batch report: JSON Lines, one line per recipient outcome of this run, in the order the
 * outcomes happened, then one summary line ({@code "summary":true}). Written as it goes, so it
 * never holds the batch in memory; a run that is killed leaves a report without a summary.
 */
final class Report implements Closeable {

    private final Writer out;
    private final Path path;
    private IOException failure;

    private Report(Writer out, Path path) {
        this.out = out;
        this.path = path;
    }

    /** A report written to {@code path} (replaced if it exists). */
    static Report to(Path path) throws IOException {
        return new Report(new BufferedWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8), 64 * 1024), path);
    }

    /** A report nobody reads. */
    static Report none() {
        return new Report(null, null);
    }

    Path path() {
        return path;
    }

    /** Writes one line; a write failure is kept and rethrown by {@link #close()}. */
    synchronized void line(Map<String, ?> record) {
        if (out == null || failure != null) {
            return;
        }
        try {
            out.write(Json.line(record));
            out.write('\n');
        } catch (IOException e) {
            failure = e;
        }
    }

    /** The first write failure, or null. */
    synchronized IOException failure() {
        return failure;
    }

    @Override
    public synchronized void close() throws IOException {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
