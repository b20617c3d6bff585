package dev.postilion.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/** A CSV file with a header line, read record by record with Apache Commons CSV. */
final class CsvSource implements RowSource {

    private final Path file;
    private final char delimiter;

    CsvSource(Path file, char delimiter) {
        if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
            throw new IllegalArgumentException("a CSV delimiter cannot be a quote or a line break");
        }
        this.file = file;
        this.delimiter = delimiter;
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
        try {
            parser = CSVParser.builder().setReader(opened.reader()).setFormat(format).get();
        } catch (IllegalArgumentException e) {
            opened.reader().close();
            throw new SourceException(file + ": bad header line: " + e.getMessage(), e);
        } catch (IOException e) {
            opened.reader().close();
            throw SourceFiles.readFailure(file, "header line", e);
        } catch (UncheckedIOException e) {
            opened.reader().close();
            throw SourceFiles.readFailure(file, "header line", e.getCause());
        }
        List<String> header = parser.getHeaderNames();
        if (header.isEmpty()) {
            parser.close();
            throw new SourceException(file + " is empty: a CSV source needs a header line naming its columns", null);
        }
        return new Reader(parser, header, opened);
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public String describe() {
        return file.getFileName().toString();
    }

    /** Reads records lazily; the parser keeps no record once it has been handed on. */
    final class Reader implements RowReader {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final List<String> header;
        private final SourceFiles.Opened opened;
        private long row;

        Reader(CSVParser parser, List<String> header, SourceFiles.Opened opened) {
            this.parser = parser;
            this.records = parser.iterator();
            this.header = List.copyOf(header);
            this.opened = opened;
        }

        List<String> columns() {
            return header;
        }

        @Override
        public Row next() throws IOException {
            CSVRecord record;
            try {
                if (!records.hasNext()) {
                    return null;
                }
                record = records.next();
            } catch (UncheckedIOException e) {
                throw broken(e.getCause());
            } catch (IllegalStateException e) {
                throw broken(new IOException(e.getMessage(), e));
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
            return new SourceException(file + ": cannot read past row " + row + ": " + why, cause);
        }

        @Override
        public double consumed() {
            return opened.counter().share(opened.size());
        }

        @Override
        public void close() throws IOException {
            parser.close();
        }
    }
}
