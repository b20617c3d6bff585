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

    /**
     * CSV records after the header line, as the reader counts them: a quote opens a quoted cell only
     * at the start of a cell, a line break inside quotes is part of its cell (RFC 4180), and empty
     * lines are not records. -1 for a delimiter outside ASCII.
     */
    static long csvRecords(Path file, char delimiter) throws IOException {
        if (!countable(file)) {
            return -1;
        }
        if (delimiter > 127) {
            return -1;  // a delimiter of several bytes in UTF-8: not counted ahead
        }
        long records = 0;
        int state = CELL_START;
        boolean lineHasText = false;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
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
            }
        }
        if (lineHasText) {
            records++;
        }
        return Math.max(0, records - 1);
    }

    private static final int CELL_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int QUOTE_IN_QUOTED = 3;

    /** JSON Lines rows: lines holding anything but white space. */
    static long nonBlankLines(Path file) throws IOException {
        if (!countable(file)) {
            return -1;
        }
        long lines = 0;
        boolean lineHasText = false;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
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
            }
        }
        return lineHasText ? lines + 1 : lines;
    }

    /** White space as {@link String#isBlank()} sees it, in ASCII. */
    private static boolean blank(byte b) {
        return b == ' ' || (b >= 9 && b <= 13) || (b >= 28 && b <= 31);
    }

    /**
     * Only a regular file is counted ahead: a pipe ({@code <(...)}, {@code /dev/stdin}, a FIFO) can
     * be read once, by the batch, and opening it a second time would take its rows or wait for a writer.
     */
    private static boolean countable(Path file) {
        return java.nio.file.Files.isRegularFile(file);
    }
}
