package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row totals counted ahead of reading, for progress: they match what the readers then read. */
class RowCountTest {

    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** The rows a reader says it will give, and the rows it gives. */
    private static long[] countedAndRead(RowSource source) throws IOException {
        try (RowReader r = source.open()) {
            long counted = r.total();
            long read = 0;
            while (r.next() != null) {
                read++;
            }
            return new long[] {counted, read};
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "[{index}] {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "email\na@x\n",
        "email\na@x",
        "email\n\na@x\n\n\n",
        "email\n   \na@x\n",
        "email,n\n,\na@x,1\n",
        "email\r\na@x\r\nb@x\r\n",
        "email\ra@x\rb@x",
        "email,n\n\"a@x\",\"two\nlines\"\nb@x,\"a \"\"quoted\"\"\nword\"\n",
        "\uFEFFemail\na@x\n",
        "email\n\"\"\na@x\n",
        "email\n \"a\nb\" \nc\n",
        "email,n\na@x,\"\r\n\r\n\"\nb@x,2\n",
        "email\n"})
    void csvRowsAreCountedAheadAsTheReaderReadsThem(String text) throws IOException {
        long[] n = countedAndRead(RowSource.csv(file("c.csv", text)));
        assertThat(n[0]).as("counted ahead").isEqualTo(n[1]);
    }

    @Test
    void csvCountAheadTakesTheDelimiter() throws IOException {
        long[] n = countedAndRead(RowSource.csv(file("c.csv", "email;n\n\"a;x\";\"1\n2\"\nb@x;3\n"), ';'));
        assertThat(n).containsExactly(2, 2);
    }

    @Test
    void jsonLinesAreCountedAheadWithoutTheirBlankLines() throws IOException {
        long[] n = countedAndRead(RowSource.jsonLines(file("p.jsonl", "{\"email\":\"a@x\"}\n\n  \t\r\n"
                + "not json\n{\"email\":\"b@x\"}")));
        assertThat(n).containsExactly(3, 3);
    }

    @Test
    void yamlAndListsKnowTheirTotalButAnIteratorHasNone() throws IOException {
        assertThat(countedAndRead(RowSource.yaml(file("p.yaml", "- email: a@x\n- email: b@x\n"))))
                .containsExactly(2, 2);
        assertThat(countedAndRead(RowSource.of(List.of(Map.of("email", "a@x"))))).containsExactly(1, 1);
        assertThat(countedAndRead(RowSource.of(List.<Object>of(Map.of("email", "a@x")).iterator())))
                .containsExactly(-1, 1);
    }

    @Test
    void aFileThatCannotBeCountedAheadHasNoTotalRatherThanAFailure() {
        assertThat(RowCount.csvRecords(dir.resolve("missing.csv"), ',')).isEqualTo(-1);
        assertThat(RowCount.nonBlankLines(dir.resolve("missing.jsonl"))).isEqualTo(-1);
        assertThat(RowCount.nonBlankLines(dir)).isEqualTo(-1);
        assertThat(RowCount.csvRecords(dir, ',')).isEqualTo(-1);
    }

    @Test
    void aShardsTotalIsItsShareOfTheCountedRows() {
        assertThat(Shard.ALL.rowsIn(10)).isEqualTo(10);
        assertThat(new Shard(1, 3).rowsIn(10)).isEqualTo(4);
        assertThat(new Shard(2, 3).rowsIn(10)).isEqualTo(3);
        assertThat(new Shard(3, 3).rowsIn(10)).isEqualTo(3);
        assertThat(new Shard(3, 3).rowsIn(2)).isZero();
        long[] taken = new long[4];
        for (long row = 1; row <= 10; row++) {
            for (int k = 1; k <= 3; k++) {
                if (new Shard(k, 3).contains(row)) {
                    taken[k]++;
                }
            }
        }
        assertThat(taken).containsExactly(0, 4, 3, 3);
    }

    @Test
    void aPipeIsNotCountedAheadSoEveryRowIsReadOnce() throws Exception {
        Path fifo = dir.resolve("people.csv");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "email,name\na@x.test,A\nb@x.test,B\nc@x.test,C\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        try {
            assertThat(countedAndRead(RowSource.csv(fifo))).as("no total ahead; all three rows read")
                    .containsExactly(-1, 3);
        } finally {
            writer.join(10_000);
        }
        assertThat(writer.isAlive()).isFalse();
    }
}
