package dev.postilion.batch;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The batch report: JSON Lines, one line per recipient of the batch (a resumed run first carries
 * forward the final outcomes of earlier runs from the journal), in the order the outcomes happened,
 * then one summary line ({@code "summary":true}). It is written to {@code FILE.partial} as it goes,
 * flushed whenever the journal is forced to disk and on every stop, and renamed to {@code FILE} when
 * the run ends: a reader never sees a torn report, and a killed run leaves the previous complete
 * report in place beside the {@code .partial}. A write that fails is reported to the batch at once
 * (it stops, as for a journal that cannot be written) and the previous report is kept.
 */
final class Report implements Closeable {

    private final Writer out;
    private final FileChannel channel;
    private final Path path;
    private final Path partial;
    private Consumer<IOException> onFailure = e -> { };
    private IOException failure;
    private boolean closed;

    private Report(Writer out, FileChannel channel, Path path, Path partial) {
        this.out = out;
        this.channel = channel;
        this.path = path;
        this.partial = partial;
    }

    /** A report that becomes {@code path} when it closes (written to {@code path.partial} until then). */
    static Report to(Path path) throws IOException {
        return to(path, Journal.Opener.FILE);
    }

    /** {@link #to(Path)} with the file opened by {@code opener} (tests: a disk that fills up). */
    static Report to(Path path, Journal.Opener opener) throws IOException {
        Path partial = partialOf(path);
        FileChannel channel = opener.open(partial);
        channel.truncate(0);
        OutputStream stream = Channels.newOutputStream(channel);
        return new Report(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024), channel,
                path, partial);
    }

    /** Where the report of a run in progress is written. */
    static Path partialOf(Path report) {
        return report.resolveSibling(report.getFileName() + ".partial");
    }

    /** A report nobody reads. */
    static Report none() {
        return new Report(null, null, null, null);
    }

    /** Called once with the first write failure (from whichever thread met it). */
    Report onFailure(Consumer<IOException> handler) {
        this.onFailure = handler;
        return this;
    }

    Path path() {
        return path;
    }

    /** Writes one recipient's (or row's) line. */
    void line(ReportLine line) {
        write(line.toJson());
    }

    /** Writes the summary line. */
    void line(ReportLine.Summary summary) {
        write(summary.toJson());
    }

    /** Writes one line; a write failure is kept, reported to {@link #onFailure}, and rethrown by {@link #close()}. */
    void line(Map<String, ?> record) {
        write(Json.line(record));
    }

    private void write(String json) {
        IOException failed;
        synchronized (this) {
            if (out == null || failure != null || closed) {
                return;
            }
            try {
                out.write(json);
                out.write('\n');
                return;
            } catch (IOException e) {
                failure = e;
                failed = e;
            }
        }
        onFailure.accept(failed);
    }

    /** Hands every line written so far to the file (not forced to disk: the journal is the record). */
    void flush() {
        IOException failed;
        synchronized (this) {
            if (out == null || failure != null || closed) {
                return;
            }
            try {
                out.flush();
                return;
            } catch (IOException e) {
                failure = e;
                failed = e;
            }
        }
        onFailure.accept(failed);
    }

    /** The first write failure, or null. */
    synchronized IOException failure() {
        return failure;
    }

    /** Finishes the report: flushed, forced to disk, and renamed over the previous one. */
    @Override
    public synchronized void close() throws IOException {
        if (out == null || closed) {
            return;
        }
        closed = true;
        try {
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            try {
                out.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        try {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
