package dev.postilion.batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * Where a batch's rows come from: a CSV file with a header line, a JSON Lines file, a YAML list,
 * or any Java (or Groovy) iterable of maps. A source is a description; {@link #open()} starts
 * reading it. Files are streamed (a YAML list excepted), so a million rows need no more memory
 * than one.
 */
public interface RowSource {

    /** Starts reading. A file source can be opened again; an iterator source only once. */
    RowReader open() throws IOException;

    /** How messages name the source: the file's name (without its folder), or "the row list". */
    default String describe() {
        return file().getFileName().toString();
    }

    /**
     * True when every row has the same keys, named once by a header line (a CSV file); false when
     * each record brings its own keys (JSON Lines, YAML, a list of maps).
     */
    default boolean hasHeader() {
        return false;
    }

    /**
     * The file the rows come from, or null for a list in memory, which then names itself in
     * {@link #describe()} (the journal records the file's size and first line).
     */
    default Path file() {
        return null;
    }

    /** A CSV file with a header line, comma-separated. */
    static RowSource csv(Path file) {
        return new CsvSource(file, ',');
    }

    /**
     * A CSV file with a header line (RFC 4180 quoting, an optional UTF-8 byte order mark, cells
     * and column names trimmed), fields separated by {@code delimiter} ({@code ;} as spreadsheets
     * in many locales write it, or a tab).
     */
    static RowSource csv(Path file, char delimiter) {
        return new CsvSource(file, delimiter);
    }

    /** A JSON Lines file: one JSON object per line; blank lines are skipped. */
    static RowSource jsonLines(Path file) {
        return new JsonLinesSource(file);
    }

    /**
     * A YAML file holding a list of mappings, read with SnakeYAML's safe loader (no tags, no
     * classes, limited aliases). It is read whole, so it suits lists of thousands, not millions.
     */
    static RowSource yaml(Path file) {
        return new YamlSource(file);
    }

    /** Rows from any iterable of maps (a Groovy list, a database cursor wrapped as an iterable...). */
    static RowSource of(Iterable<?> items) {
        return new IterableSource(items, null);
    }

    /** Rows from an iterator of maps; it can be read once. */
    static RowSource of(Iterator<?> items) {
        return new IterableSource(null, items);
    }

    /** The column names of a source that has them (a CSV header), else null. */
    static List<String> columns(RowReader reader) {
        return reader instanceof CsvSource.Reader r ? r.columns() : null;
    }
}
