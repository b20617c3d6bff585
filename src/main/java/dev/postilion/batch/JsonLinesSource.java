package dev.postilion.batch;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.util.Map;

/** A JSON Lines file: one JSON object per line, read line by line with a bounded line length. */
record JsonLinesSource(Path file) implements RowSource {

    /** The longest line accepted; a longer one is an invalid row (and is skipped, not buffered). */
    static final int MAX_LINE = 1 << 20;

    @Override
    public RowReader open() throws IOException {
        return new LineReader(SourceFiles.open(file));
    }

    private final class LineReader extends FileRows {
        private final Reader in;
        private final StringBuilder line = new StringBuilder();
        private long row;
        private long lineNumber;
        private boolean eof;

        LineReader(SourceFiles.Opened opened) {
            super(opened, () -> RowCount.nonBlankLines(file));
            this.in = opened.reader();
        }

        @Override
        public Row next() throws IOException {
            while (!eof) {
                boolean tooLong = readLine();
                if (!tooLong && line.toString().isBlank()) {
                    continue;
                }
                row++;
                if (tooLong) {
                    return Row.invalid(row, Map.of(), "line " + lineNumber + " is longer than " + MAX_LINE
                            + " characters");
                }
                try {
                    return Row.of(row, Json.parseObject(line.toString()));
                } catch (Json.JsonException e) {
                    return Row.invalid(row, Map.of(), "line " + lineNumber + " is not a JSON object: " + e.getMessage());
                }
            }
            return null;
        }

        /** Reads one line into {@code line}; true when it was too long (the rest is skipped). */
        private boolean readLine() throws IOException {
            line.setLength(0);
            boolean tooLong = false;
            lineNumber++;
            while (true) {
                int c;
                try {
                    c = in.read();
                } catch (IOException e) {
                    throw SourceFiles.readFailure(file, "line " + lineNumber, e);
                }
                if (c < 0) {
                    eof = true;
                    return tooLong;
                }
                if (c == '\n') {
                    return tooLong;
                }
                if (!tooLong) {
                    if (line.length() >= MAX_LINE) {
                        tooLong = true;
                        line.setLength(0);
                    } else {
                        line.append((char) c);
                    }
                }
            }
        }
    }
}
