package dev.postilion.batch;

import java.io.FilterReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

import dev.postilion.io.InputFile;

/**
 * A CSV file with a header line, read record by record with Apache Commons CSV. One record may
 * hold at most {@link #MAX_RECORD} characters, so a quote that never closes is reported at its
 * line instead of filling the heap.
 */
record CsvSource(Path file, char delimiter) implements RowSource {

    /**
     * The most characters one record (the header line too) may take, line breaks in quoted cells
     * included; give or take the parser's read-ahead of 8 Ki characters.
     */
    static final int MAX_RECORD = 1 << 20;

    private static final Pattern EOF_IN_QUOTES = Pattern.compile("\\(startline ([0-9,.\\s\u00a0]+)\\) EOF reached");
    private static final Pattern AFTER_QUOTE = Pattern.compile("between encapsulated token and delimiter at line:"
            + " ([0-9,.\\s\u00a0]+),");

    CsvSource {
        if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
            throw new IllegalArgumentException("a CSV delimiter cannot be a quote or a line break");
        }
    }

    @Override
    public RowReader open() throws IOException {
        SourceFiles.Opened opened = SourceFiles.open(file);
        CSVFormat format = CSVFormat.RFC4180.builder()
                .setDelimiter(delimiter)
                .setHeader()
                .setSkipHeaderRecord(true)
                .setIgnoreEmptyLines(true)
                .setTrim(true)
                .setAllowMissingColumnNames(false)
                .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
                .get();
        CSVParser parser;
        RecordCap capped = new RecordCap(opened.reader());
        try {
            parser = CSVParser.builder().setReader(capped).setFormat(format).get();
        } catch (IllegalArgumentException e) {
            opened.reader().close();
            throw SourceFiles.problem(file, "bad header line: " + e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            opened.reader().close();
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            SourceException quoting = quoting(cause, 1, capped);
            throw quoting != null ? quoting : SourceFiles.readFailure(file, "header line", cause);
        }
        List<String> header = parser.getHeaderNames();
        if (header.isEmpty()) {
            parser.close();
            throw new SourceException(file + " is empty: a CSV source needs a header line naming its columns", null);
        }
        return new Reader(parser, header, opened, capped);
    }

    /**
     * The message for a record that broke its quoting or passed {@link #MAX_RECORD}, starting at
     * {@code line}; null for other failures.
     */
    private SourceException quoting(Throwable cause, long line, RecordCap capped) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLong) {
                String limit = InputFile.size(MAX_RECORD);
                return SourceFiles.problem(file, capped.insideQuotes()
                        ? "broken CSV quoting at line " + line + ": a quote opened in the record there never"
                                + " closes (the record passed the " + limit + " limit for one CSV record)"
                        : "the record at line " + line + " is longer than the " + limit + " limit for one CSV record", t);
            }
            String message = String.valueOf(t.getMessage());
            Matcher eof = EOF_IN_QUOTES.matcher(message);
            if (eof.find()) {
                return SourceFiles.problem(file, "broken CSV quoting at line " + digits(eof.group(1))
                        + ": the quoted cell that starts there never closes (the file ends first)", t);
            }
            Matcher after = AFTER_QUOTE.matcher(message);
            if (after.find()) {
                return SourceFiles.problem(file, "broken CSV quoting at line " + digits(after.group(1))
                        + ": text after a closing quote (inside a quoted cell a quote is written twice: \"\")", t);
            }
        }
        return null;
    }

    private static String digits(String number) {
        return number.replaceAll("[^0-9]", "");
    }

    @Override
    public boolean hasHeader() {
        return true;
    }

    /** Reads records lazily; the parser keeps no record once it has been handed on. */
    final class Reader extends FileRows {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final List<String> header;
        private final RecordCap capped;
        private long row;

        Reader(CSVParser parser, List<String> header, SourceFiles.Opened opened, RecordCap capped) {
            super(opened, () -> RowCount.csvRecords(file, delimiter));
            this.parser = parser;
            this.records = parser.iterator();
            this.header = List.copyOf(header);
            this.capped = capped;
        }

        List<String> columns() {
            return header;
        }

        @Override
        public Row next() throws IOException {
            CSVRecord record;
            long line = parser.getCurrentLineNumber() + 1;
            capped.startRecord();
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
            } catch (UncheckedIOException e) {
                SourceException quoting = quoting(e.getCause(), line, capped);
                throw quoting != null ? quoting : broken(e.getCause());
            } catch (IllegalStateException e) {
                SourceException quoting = quoting(e, line, capped);
                throw quoting != null ? quoting : broken(new IOException(e.getMessage(), e));
            }
            row++;
            Map<String, Object> fields = new LinkedHashMap<>();
            int n = Math.min(record.size(), header.size());
            for (int i = 0; i < n; i++) {
                fields.put(header.get(i), record.get(i));
            }
            if (record.size() != header.size()) {
                return Row.invalid(row, fields, "has " + record.size() + " field" + (record.size() == 1 ? "" : "s")
                        + ", the header has " + header.size() + " (" + String.join(", ", header) + ")");
            }
            return Row.of(row, fields);
        }

        private SourceException broken(IOException cause) {
            String why = cause == null ? "unreadable" : String.valueOf(cause.getMessage());
            if (cause instanceof java.nio.charset.CharacterCodingException) {
                return SourceFiles.readFailure(file, "after row " + row, cause);
            }
            return SourceFiles.problem(file, "cannot read past row " + row + ": " + why, cause);
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** A record past {@link #MAX_RECORD}. */
    static final class RecordTooLong extends IOException {
        RecordTooLong() {
            super("one CSV record is longer than " + MAX_RECORD + " characters");
        }
    }

    /**
     * Counts the characters the parser takes for the record being read (give or take its read-ahead
     * buffer), and the quotes read so far, whose count is odd inside a quoted cell.
     */
    static final class RecordCap extends FilterReader {
        private long taken;
        private long quotes;

        RecordCap(java.io.Reader in) {
            super(in);
        }

        void startRecord() {
            taken = 0;
        }

        boolean insideQuotes() {
            return (quotes & 1) == 1;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) {
                counted(c == '"' ? 1 : 0, 1);
            }
            return c;
        }

        @Override
        public int read(char[] buffer, int off, int len) throws IOException {
            int n = in.read(buffer, off, len);
            int q = 0;
            for (int i = off; i < off + n; i++) {
                if (buffer[i] == '"') {
                    q++;
                }
            }
            if (n > 0) {
                counted(q, n);
            }
            return n;
        }

        private void counted(int q, int n) throws RecordTooLong {
            quotes += q;
            taken += n;
            if (taken > MAX_RECORD) {
                throw new RecordTooLong();
            }
        }
    }
}
