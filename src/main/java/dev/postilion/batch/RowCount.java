package dev.postilion.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts a source file's rows ahead of reading it, for an honest progress total: one streaming pass
 * over the bytes, building nothing. Only ASCII bytes matter (a quote, CR, LF, white space), and in
 * UTF-8 they never occur inside a multi-byte character, so no decoding is needed.
 */
final class RowCount {

    private RowCount() {
    }

    /** What one count-ahead pass looks for: it sees every chunk of bytes, then says how many rows it found. */
    private interface Counter {
        void take(byte[] buf, int n);

        long rows();
    }

    /**
     * CSV records after the header line, as the reader counts them: a quote opens a quoted cell only
     * at the start of a cell, a line break inside quotes is part of its cell (RFC 4180), and empty
     * lines are not records. -1 for a delimiter outside ASCII, and for a file that is not counted
     * ahead or cannot be read.
     */
    static long csvRecords(Path file, char delimiter) {
        if (delimiter > 127) {
            return -1;  // a delimiter of several bytes in UTF-8: not counted ahead
        }
        return count(file, new CsvRecords((byte) delimiter));
    }

    /** JSON Lines rows: lines holding anything but white space; -1 when the file is not counted ahead. */
    static long nonBlankLines(Path file) {
        return count(file, new NonBlankLines());
    }

    /**
     * The one pass over a file. Only a regular file is counted ahead: a pipe ({@code <(...)},
     * {@code /dev/stdin}, a FIFO) can be read once, by the batch, and opening it a second time would
     * take its rows or wait for a writer. A file that cannot be read has no total: {@link RowReader#next()}
     * reports it, not the count.
     */
    private static long count(Path file, Counter counter) {
        if (!Files.isRegularFile(file)) {
            return -1;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                counter.take(buf, n);
            }
        } catch (IOException e) {
            return -1;
        }
        return counter.rows();
    }

    /** RFC 4180 records, the header line included until {@link #rows()} leaves it out. */
    private static final class CsvRecords implements Counter {
        private static final int CELL_START = 0;
        private static final int UNQUOTED = 1;
        private static final int QUOTED = 2;
        private static final int QUOTE_IN_QUOTED = 3;

        private final byte delimiter;
        private long records;
        private int state = CELL_START;
        private boolean lineHasText;

        CsvRecords(byte delimiter) {
            this.delimiter = delimiter;
        }

        @Override
        public void take(byte[] buf, int n) {
            long records = this.records;  // locals in the loop: it runs once a byte of the file
            int state = this.state;
            boolean lineHasText = this.lineHasText;
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (state == QUOTED) {
                    if (b == '"') {
                        state = QUOTE_IN_QUOTED;
                    }
                    continue;
                }
                if (b == '\n' || b == '\r') {
                    if (lineHasText) {
                        records++;
                    }
                    lineHasText = false;
                    state = CELL_START;
                    continue;
                }
                lineHasText = true;
                if (b == delimiter) {
                    state = CELL_START;
                } else if (b == '"' && state == CELL_START) {
                    state = QUOTED;
                } else if (b == '"' && state == QUOTE_IN_QUOTED) {
                    state = QUOTED;  // a doubled quote inside quotes
                } else {
                    state = UNQUOTED;
                }
            }
            this.records = records;
            this.state = state;
            this.lineHasText = lineHasText;
        }

        @Override
        public long rows() {
            return Math.max(0, (lineHasText ? records + 1 : records) - 1);
        }
    }

    /** Lines with text in them. */
    private static final class NonBlankLines implements Counter {
        private long lines;
        private boolean lineHasText;

        @Override
        public void take(byte[] buf, int n) {
            long lines = this.lines;
            boolean lineHasText = this.lineHasText;
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    if (lineHasText) {
                        lines++;
                    }
                    lineHasText = false;
                } else if (!blank(b)) {
                    lineHasText = true;
                }
            }
            this.lines = lines;
            this.lineHasText = lineHasText;
        }

        @Override
        public long rows() {
            return lineHasText ? lines + 1 : lines;
        }

        /** White space as {@link String#isBlank()} sees it, in ASCII. */
        private static boolean blank(byte b) {
            return b == ' ' || (b >= 9 && b <= 13) || (b >= 28 && b <= 31);
        }
    }
}
