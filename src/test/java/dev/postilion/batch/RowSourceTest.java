package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sources: CSV, JSON Lines, YAML and iterables, good rows and bad ones. */
class RowSourceTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static List<Row> all(RowSource source) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (RowReader r = source.open()) {
            Row row;
            while ((row = r.next()) != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void csvHandlesQuotingBomAndTrimming() throws IOException {
        Path csv = file("people.csv", "\uFEFFemail, name ,note\r\n"
                + "a@example.com,\"Smith, Ann\",\"she said \"\"hi\"\"\"\r\n"
                + "\r\n"
                + " b@example.com , Bob ,\r\n");
        List<Row> rows = all(RowSource.csv(csv));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).number()).isEqualTo(1);
        assertThat(rows.get(0)).containsExactly(Map.entry("email", "a@example.com"), Map.entry("name", "Smith, Ann"),
                Map.entry("note", "she said \"hi\""));
        assertThat(rows.get(1).number()).isEqualTo(2);
        assertThat(rows.get(1)).containsEntry("email", "b@example.com").containsEntry("name", "Bob")
                .containsEntry("note", "");
        assertThat(rows).allMatch(r -> r.problem() == null);
    }

    @Test
    void csvTakesAnotherDelimiter() throws IOException {
        Path csv = file("people.csv", "email;name\na@example.com;Müller, Jörg\n");
        assertThat(all(RowSource.csv(csv, ';')).get(0)).containsEntry("name", "Müller, Jörg");
    }

    @Test
    void csvRowsWithLineBreaksOrTheWrongFieldCountAreInvalidNotFatal() throws IOException {
        Path csv = file("people.csv", "email,name\n"
                + "a@example.com,\"Ann\nBcc: x@evil.example\"\n"
                + "b@example.com\n"
                + "c@example.com,Cy,extra\n"
                + "d@example.com,Di\n");
        List<Row> rows = all(RowSource.csv(csv));
        assertThat(rows).extracting(Row::number).containsExactly(1L, 2L, 3L, 4L);
        assertThat(rows).extracting(Row::problem).containsExactly(
                "LF in 'name' (line breaks are refused in batch data)",
                "has 1 field, the header has 2 (email, name)",
                "has 3 fields, the header has 2 (email, name)",
                null);
    }

    @Test
    void csvBrokenQuotingStopsWithTheRow() throws IOException {
        Path csv = file("people.csv", "email,name\na@example.com,Ann\nb@example.com,\"Bob\"x\n");
        try (RowReader r = RowSource.csv(csv).open()) {
            assertThat(r.next().number()).isEqualTo(1);
            assertThatThrownBy(r::next).isInstanceOf(SourceException.class)
                    .hasMessage(csv + ": broken CSV quoting at line 3: text after a closing quote (inside a quoted"
                            + " cell a quote is written twice: \"\")");
        }
    }

    @Test
    void unclosedCsvQuoteAtTheEndOfTheFileNamesItsLine() throws IOException {
        Path csv = file("people.csv", "email,name\na@example.com,Ann\nb@example.com,\"Bob\nc@example.com,Cy\n");
        try (RowReader r = RowSource.csv(csv).open()) {
            assertThat(r.next().number()).isEqualTo(1);
            assertThatThrownBy(r::next).isInstanceOf(SourceException.class)
                    .hasMessage(csv + ": broken CSV quoting at line 3: the quoted cell that starts there never closes"
                            + " (the file ends first)");
        }
    }

    @Test
    void unclosedCsvQuoteStopsAtTheRecordLimitNotAtTheEndOfMemory() throws IOException {
        Path csv = dir.resolve("people.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("email,name\na@example.com,Ann\nb@example.com,\"Bob\n");
            for (int i = 0; i < 200_000; i++) {
                w.write("c@example.com,Cy\n");
            }
        }
        try (RowReader r = RowSource.csv(csv).open()) {
            assertThat(r.next().number()).isEqualTo(1);
            assertThatThrownBy(r::next).isInstanceOf(SourceException.class)
                    .hasMessage(csv + ": broken CSV quoting at line 3: a quote opened in the record there never closes"
                            + " (the record passed the 1 MiB limit for one CSV record)");
        }
    }

    @Test
    void overlongCsvRecordIsRefusedNamingTheLimit() throws IOException {
        Path csv = file("people.csv", "email,name\na@example.com," + "x".repeat(CsvSource.MAX_RECORD + (64 << 10)) + "\n");
        try (RowReader r = RowSource.csv(csv).open()) {
            assertThatThrownBy(r::next).isInstanceOf(SourceException.class)
                    .hasMessage(csv + ": the record at line 2 is longer than the 1 MiB limit for one CSV record");
        }
        Path header = file("header.csv", "email," + "x".repeat(CsvSource.MAX_RECORD + (64 << 10)) + "\n");
        assertThatThrownBy(() -> RowSource.csv(header).open()).isInstanceOf(SourceException.class)
                .hasMessage(header + ": the record at line 1 is longer than the 1 MiB limit for one CSV record");
    }

    @Test
    void sourcesThatAreDevicesOrFoldersAreRefused() {
        assertThatThrownBy(() -> RowSource.csv(Path.of("/dev/zero")).open()).isInstanceOf(SourceException.class)
                .hasMessage("batch source /dev/zero is a device, not a file (devices such as /dev/zero are refused;"
                        + " only /dev/stdin is read)");
        assertThatThrownBy(() -> RowSource.jsonLines(dir).open()).isInstanceOf(SourceException.class)
                .hasMessage("batch source " + dir + " is a folder, not a file");
    }

    @Test
    void csvProblemsWithTheWholeFileAreNamed() throws IOException {
        assertThatThrownBy(() -> RowSource.csv(dir.resolve("missing.csv")).open())
                .isInstanceOf(SourceException.class).hasMessage("batch source " + dir.resolve("missing.csv")
                        + " does not exist").matches(e -> ((SourceException) e).missing());
        Path empty = file("empty.csv", "");
        assertThatThrownBy(() -> RowSource.csv(empty).open())
                .hasMessage(empty + " is empty: a CSV source needs a header line naming its columns");
        Path dup = file("dup.csv", "email,email\na,b\n");
        assertThatThrownBy(() -> RowSource.csv(dup).open()).hasMessageStartingWith(dup + ": bad header line: ");
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "email,name\na@example.com,J\u00f6rg\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> all(RowSource.csv(latin1)))
                .hasMessageContaining("not valid UTF-8; save the file as UTF-8");
    }

    @Test
    void jsonLinesReadsObjectsAndReportsBadLines() throws IOException {
        Path jsonl = file("people.jsonl", "\uFEFF{\"email\":\"a@example.com\",\"n\":1}\n"
                + "\n"
                + "[1,2]\n"
                + "{\"email\":\"b@example.com\",\"tags\":[\"x\"]}\r\n"
                + "{\"email\":\"c@example.com\",\"name\":\"C\\r\\nD\"}");
        List<Row> rows = all(RowSource.jsonLines(jsonl));
        assertThat(rows).extracting(Row::number).containsExactly(1L, 2L, 3L, 4L);
        assertThat(rows.get(0)).containsEntry("email", "a@example.com").containsEntry("n", 1L);
        assertThat(rows.get(1).problem()).isEqualTo("line 3 is not a JSON object: column 1: expected a JSON object"
                + " ({...}), found '['");
        assertThat(rows.get(2)).containsEntry("tags", List.of("x"));
        assertThat(rows.get(2).problem()).isNull();
        assertThat(rows.get(3).problem()).isEqualTo("CR in 'name' (line breaks are refused in batch data)");
    }

    @Test
    void jsonLinesRefusesAnEndlessLineWithoutHoldingIt() throws IOException {
        Path jsonl = dir.resolve("long.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(jsonl)) {
            w.write("{\"email\":\"");
            for (int i = 0; i < 1100; i++) {
                w.write("x".repeat(1024));
            }
            w.write("\"}\n{\"email\":\"b@example.com\"}\n");
        }
        List<Row> rows = all(RowSource.jsonLines(jsonl));
        assertThat(rows.get(0).problem()).isEqualTo("line 1 is longer than 1048576 characters");
        assertThat(rows.get(1)).containsEntry("email", "b@example.com");
    }

    @Test
    void yamlReadsAListOfMappings() throws IOException {
        Path yaml = file("people.yaml", "- email: a@example.com\n  name: Ann\n- just text\n- email: b@example.com\n");
        List<Row> rows = all(RowSource.yaml(yaml));
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).containsEntry("name", "Ann");
        assertThat(rows.get(1).problem()).isEqualTo("is a String, not a map of fields");
        assertThat(rows.get(2).number()).isEqualTo(3);
    }

    @Test
    void yamlMustBeASafeList() throws IOException {
        Path map = file("map.yaml", "email: a@example.com\n");
        assertThatThrownBy(() -> RowSource.yaml(map).open()).hasMessageStartingWith(map
                + ": a YAML source must be a list of mappings");
        Path tagged = file("tagged.yaml", "- !!java.io.File [\"/etc/passwd\"]\n");
        assertThatThrownBy(() -> RowSource.yaml(tagged).open()).hasMessageStartingWith(tagged + ": not valid YAML: ");
    }

    @Test
    void iterablesOfMapsAreRows() throws IOException {
        List<Object> items = List.of(Map.of("email", "a@example.com"), "oops", Map.of("email", "b@example.com"));
        List<Row> rows = all(RowSource.of(items));
        assertThat(rows).extracting(Row::number).containsExactly(1L, 2L, 3L);
        assertThat(rows.get(1).problem()).isEqualTo("is a String, not a map of fields");
        Iterator<Object> once = items.iterator();
        RowSource source = RowSource.of(once);
        assertThat(all(source)).hasSize(3);
        assertThatThrownBy(source::open).hasMessage("an iterator source can be read only once");
    }

    @Test
    void aHundredThousandRowCsvStreamsWithoutKeepingRows() throws IOException {
        Path csv = dir.resolve("big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("email,name\n");
            for (int i = 1; i <= 100_000; i++) {
                w.write("user" + i + "@example.com,User " + i + "\n");
            }
        }
        long count = 0;
        double half = -1;
        try (RowReader r = RowSource.csv(csv).open()) {
            Row row;
            while ((row = r.next()) != null) {
                count++;
                if (row.number() == 50_000) {
                    half = r.consumed();
                }
            }
            assertThat(r.consumed()).isEqualTo(1.0);
        }
        assertThat(count).isEqualTo(100_000);
        assertThat(half).isBetween(0.4, 0.6);
    }

    /** The three file sources, by the name of their factory. */
    private static RowSource fileSource(String kind, Path file) {
        return switch (kind) {
            case "csv" -> RowSource.csv(file);
            case "jsonLines" -> RowSource.jsonLines(file);
            case "yaml" -> RowSource.yaml(file);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"csv", "jsonLines", "yaml"})
    void everySourceWordsAnUnreadableFileTheSameWay(String kind) throws IOException {
        Path missing = dir.resolve("missing.rows");
        assertThatThrownBy(() -> fileSource(kind, missing).open()).isInstanceOf(SourceException.class)
                .hasMessage("batch source " + missing + " does not exist").matches(e -> ((SourceException) e).missing());
        assertThatThrownBy(() -> fileSource(kind, dir).open()).isInstanceOf(SourceException.class)
                .hasMessage("batch source " + dir + " is a folder, not a file");
        Path latin1 = dir.resolve("latin1.rows");
        Files.write(latin1, "\u00e9mail\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> all(fileSource(kind, latin1))).isInstanceOf(SourceException.class)
                .hasMessage(latin1 + ": not valid UTF-8; save the file as UTF-8 (\"CSV UTF-8\" in spreadsheets)");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"csv", "jsonLines", "yaml"})
    void everyFileSourceIsNamedByItsFileNameAndAListByWhatItIs(String kind) {
        RowSource source = fileSource(kind, dir.resolve("people.rows"));
        assertThat(source.describe()).isEqualTo("people.rows");
        assertThat(source.file()).isEqualTo(dir.resolve("people.rows"));
        assertThat(RowSource.of(List.of()).describe()).isEqualTo("the row list");
        assertThat(RowSource.of(List.of()).file()).isNull();
    }

    @Test
    void aYamlListGivesTheRowsTheSameListInMemoryGives() throws IOException {
        Path yaml = file("people.yaml", "- email: a@x\n  n: 1\n- just text\n-\n- 5\n");
        List<Object> same = java.util.Arrays.asList(Map.of("email", "a@x", "n", 1), "just text", null, 5);
        List<Row> fromYaml = all(RowSource.yaml(yaml));
        List<Row> fromList = all(RowSource.of(same));
        assertThat(fromYaml).extracting(Row::number, Row::problem, r -> Map.copyOf(r))
                .isEqualTo(fromList.stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.number(), r.problem(),
                        Map.copyOf(r))).toList());
        assertThat(fromYaml.get(2).problem()).isEqualTo("is empty, not a map of fields");
        assertThat(fromYaml.get(3).problem()).isEqualTo("is a Integer, not a map of fields");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"csv", "jsonLines"})
    void streamedSourcesShowProgressAsTheShareOfTheirBytesRead(String kind) throws IOException {
        String text = kind.equals("csv") ? "email\na@x\nb@x\n" : "{\"email\":\"a@x\"}\n{\"email\":\"b@x\"}\n";
        try (RowReader r = fileSource(kind, file("p.rows", text)).open()) {
            assertThat(r.total()).isEqualTo(2);
            while (r.next() != null) {
                assertThat(r.consumed()).isBetween(0.0, 1.0);
            }
            assertThat(r.consumed()).isEqualTo(1.0);
        }
    }
}
