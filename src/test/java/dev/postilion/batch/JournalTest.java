package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal on disk: header, records, resume state, torn and damaged files, locking. */
class JournalTest {

    @TempDir
    Path dir;

    private JournalEntry result(long row, String state, List<String> to, boolean done) {
        return result(row, state, to, done, null);
    }

    /** In these tests a row's key is its number. */
    private JournalEntry result(long row, String state, List<String> to, boolean done, String first) {
        return JournalEntry.result(row, row, RecipientState.ofWire(state), to, null, null, null, first, null, done);
    }

    private Path written() throws IOException {
        Path p = dir.resolve("j.jsonl");
        try (Journal j = Journal.open(p, false, Shard.ALL, "people.csv")) {
            j.sending(1, (long) 1, List.of("a@x"), "<m1@x>", "2025-01-02T03:04:05Z");
            j.result(result(1, "sent", List.of("a@x"), true));
            j.sending(2, (long) 2, List.of("b@x", "c@x"), "<m2@x>", null);
            j.result(result(2, "sent", List.of("b@x"), false));
            j.result(result(2, "failed", List.of("c@x"), false));
            j.sending(3, (long) 3, List.of("d@x"), "<m3@x>", "2025-01-02T03:04:06Z");
            j.sending(4, (long) 4, List.of("e@x"), "<m4@x>", null);
            j.result(result(4, "deferred", List.of("e@x"), false));
            j.result(result(5, "failed", List.of("f@x"), true));
        }
        return p;
    }

    @Test
    void resumeKnowsDoneRowsPartialRowsAndWhatIsInDoubt() throws IOException {
        Path p = written();
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            ResumeState s = j.state();
            assertThat(s.complete(1)).isTrue();
            assertThat(s.complete(5)).isTrue();
            assertThat(s.completeCount()).isEqualTo(2);
            assertThat(s.complete(2)).isFalse();
            assertThat(s.partial(2).blocks("b@x", true)).isTrue();
            assertThat(s.partial(2).blocks("c@x", true)).isTrue();
            assertThat(s.partial(4)).isNull();
            assertThat(s.inDoubtRows()).containsOnlyKeys(3L);
            ResumeState.RowMemory three = s.partial(3);
            assertThat(three.inDoubt()).containsExactly("d@x");
            assertThat(three.messageId).isEqualTo("<m3@x>");
            assertThat(three.date).isEqualTo("2025-01-02T03:04:06Z");
            assertThat(three.blocks("d@x", false)).isTrue();
            assertThat(three.blocks("d@x", true)).isFalse();
            assertThat(j.warnings()).isEmpty();
        }
    }

    @Test
    void theBatchIdSurvivesAResume() throws IOException {
        Path p = written();
        String first = Files.readAllLines(p).get(0);
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(first).contains("\"batch\":\"" + j.batchId() + "\"").contains("\"shard\":\"1/1\"");
        }
    }

    @Test
    void aTornLastLineIsCutAndEverythingBeforeItKept() throws IOException {
        Path p = written();
        long good = Files.size(p);
        Files.writeString(p, "{\"row\":6,\"state\":\"sen", StandardOpenOption.APPEND);
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(j.warnings()).containsExactly("journal " + p + ": torn last line (the previous run stopped while"
                    + " writing it) cut off; every line before it is kept");
            assertThat(j.state().complete(1)).isTrue();
            assertThat(j.state().inDoubtRows()).containsOnlyKeys(3L);
            j.result(result(6, "sent", List.of("g@x"), true));
        }
        assertThat(Files.size(p)).isGreaterThan(good);
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(j.warnings()).isEmpty();
            assertThat(j.state().complete(6)).isTrue();
        }
    }

    @Test
    void aGarbledTailFromAPowerLossIsCutButDamageInTheMiddleStopsTheRun() throws IOException {
        Path p = written();
        Files.write(p, new byte[] {0, 0, 0, 0, '\n', 0, 0, '\n'}, StandardOpenOption.APPEND);
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(j.warnings()).singleElement().asString().contains("garbled tail from line 11");
        }
        List<String> lines = Files.readAllLines(p);
        lines.add(3, "not json");
        Files.write(p, lines);
        assertThatThrownBy(() -> Journal.open(p, true, Shard.ALL, "people.csv"))
                .isInstanceOf(JournalException.class)
                .hasMessageStartingWith("journal " + p + " is damaged at line 4 (column 1: expected a JSON object");
    }

    @Test
    void aJournalBelongsToOneShard() throws IOException {
        Path p = dir.resolve("j.jsonl");
        Journal.open(p, false, Shard.parse("1/4"), "x.csv").close();
        assertThatThrownBy(() -> Journal.open(p, true, Shard.parse("2/4"), "x.csv"))
                .hasMessage("journal " + p + " belongs to shard 1/4, not 2/4; nothing was sent\n    each shard keeps"
                        + " its own journal");
    }

    @Test
    void anotherFileIsNotTakenForAJournal() throws IOException {
        Path p = dir.resolve("people.csv");
        Files.writeString(p, "{\"email\":\"a@x\"}\n");
        assertThatThrownBy(() -> Journal.open(p, true, Shard.ALL, "x.csv"))
                .hasMessageStartingWith("journal " + p + " is not a Postilion batch journal");
    }

    @Test
    void aJournalThatIsADeviceOrAFolderIsRefusedUnread() {
        assertThatThrownBy(() -> Journal.open(Path.of("/dev/zero"), true, Shard.ALL, "people.csv"))
                .isInstanceOf(JournalException.class)
                .hasMessage("journal /dev/zero is not a regular file (a folder, a device or a pipe cannot hold a"
                        + " journal)");
        assertThatThrownBy(() -> Journal.open(dir, true, Shard.ALL, "people.csv"))
                .isInstanceOf(JournalException.class).hasMessageContaining("is not a regular file");
    }

    @Test
    void twoRunsCannotShareAJournal() throws IOException {
        Path p = dir.resolve("j.jsonl");
        try (Journal j = Journal.open(p, false, Shard.ALL, "x.csv")) {
            assertThatThrownBy(() -> Journal.open(p, true, Shard.ALL, "x.csv"))
                    .isInstanceOfSatisfying(JournalException.class, e -> assertThat(e.locked()).isTrue())
                    .hasMessageStartingWith("journal " + p + " is in use by another batch run; nothing was sent");
        }
    }

    @Test
    void withoutFsyncEveryLineIsStillWrittenAtOnce() throws IOException {
        Path p = dir.resolve("nofsync.jsonl");
        try (Journal j = Journal.open(p, false, Shard.ALL, "x.csv", false)) {
            j.sending(1, (long) 1, List.of("a@x"), "<m1@x>", null);
            assertThat(Files.readAllLines(p)).hasSize(2).last().asString().contains("\"state\":\"sending\"");
            j.result(result(1, "sent", List.of("a@x"), true));
        }
        try (Journal j = Journal.open(p, true, Shard.ALL, "x.csv")) {
            assertThat(j.state().complete(1)).isTrue();
        }
    }

    @Test
    void aResumeWithoutAJournalIsRefusedNamingTheAbsolutePath() {
        Path p = dir.resolve("new.jsonl");
        assertThatThrownBy(() -> Journal.open(p, true, Shard.ALL, "x.csv"))
                .isInstanceOfSatisfying(JournalException.class, e -> assertThat(e.outcome()).isEqualTo(Outcome.USAGE))
                .hasMessageStartingWith("no journal at " + p.toAbsolutePath() + "; nothing was sent\n    run without"
                        + " --resume to start a batch, or pass --new-journal");
        assertThat(p).doesNotExist();
    }

    @Test
    void aResumeWithCreateStartsAJournalWhenNoneExists() throws IOException {
        Path p = dir.resolve("new.jsonl");
        try (Journal j = Journal.open(p, new Journal.Request(true, true, Shard.ALL, "x.csv", true, Journal.Opener.FILE))) {
            assertThat(j.state().completeCount()).isZero();
        }
        assertThat(Files.readString(p, StandardCharsets.UTF_8)).startsWith("{\"journal\":\"postilion-batch-journal\"");
    }

    @org.junit.jupiter.api.DisplayName("BAT-05: after a write fails (ENOSPC) the journal refuses every later line,"
            + " so no sending line can follow a torn one")
    @Test
    void afterAFailedWriteNoLineIsWrittenAgain() throws IOException {
        Path p = dir.resolve("j.jsonl");
        long header;
        try (Journal j = Journal.open(p, false, Shard.ALL, "people.csv")) {
            header = Files.size(p);
        }
        Files.delete(p);
        Journal j = Journal.open(p, false, Shard.ALL, "people.csv", true, FullDisk.after(header + 100));
        j.sending(1, (long) 1, List.of("a@x"), "<m1@x>", null);
        assertThatThrownBy(() -> j.sending(2, (long) 2, List.of("b@x"), "<m2@x>", null))
                .hasMessage("No space left on device");
        assertThatThrownBy(() -> j.result(result(1, "sent", List.of("a@x"), true)))
                .hasMessage("No space left on device (an earlier write failed; nothing more is written)");
        j.close();
        List<String> lines = Files.readAllLines(p);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).as("the torn line, cut by the next resume").doesNotEndWith("}");
        try (Journal again = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(again.warnings()).singleElement().asString().contains("cut off");
            assertThat(again.state().inDoubtRows()).containsOnlyKeys(1L);
        }
    }

    @org.junit.jupiter.api.DisplayName("BAT-08: a resume remembers when a deferred row was first tried; expired is final;"
            + " a final dot answered without taking the message is not in doubt")
    @Test
    void resumeKnowsFirstTriesExpiredRecipientsAndDotsNotTaken() throws IOException {
        Path p = dir.resolve("j.jsonl");
        try (Journal j = Journal.open(p, false, Shard.ALL, "people.csv")) {
            j.result(result(1, "deferred", List.of("a@x"), false, "2026-11-29T03:10:00Z"));
            j.result(result(1, "deferred", List.of("a@x"), false, "2026-11-30T03:10:00Z"));
            j.sending(2, (long) 2, List.of("b@x", "c@x"), "<m2@x>", null);
            j.result(result(2, "sent", List.of("b@x"), false));
            j.result(result(2, "expired", List.of("c@x"), false));
            j.sending(3, (long) 3, List.of("d@x"), "<m3@x>", null);
            j.result(result(3, "not-sent", List.of("d@x"), false));
        }
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            ResumeState s = j.state();
            assertThat(s.firstTried(1)).isEqualTo(java.time.Instant.parse("2026-11-29T03:10:00Z").toEpochMilli());
            assertThat(s.firstTried(2)).isNull();
            assertThat(s.partial(2).blocks("c@x", true)).as("expired is never sent again").isTrue();
            assertThat(s.inDoubtRows()).as("row 3's dot was answered: not in doubt").isEmpty();
            assertThat(s.complete(3)).isFalse();
        }
    }

    @Test
    void sendingLineIsTheJsonOfItsFieldsAndReadsBack() throws IOException {
        Path p = dir.resolve("sending.jsonl");
        long key = RowKey.ofRecipients(List.of("b@y.org"));
        try (Journal j = Journal.open(p, false, Shard.ALL, "people.csv")) {
            j.sending(7, key, 0x0000abcd, List.of("b@y.org", "q\"uote@y.org"), "<m.1@x>", "2026-12-08T00:00:00Z");
            j.sending(8, null, 0, List.of("c@y.org"), null, null);
        }
        List<String> lines = Files.readAllLines(p);
        Map<String, Object> first = new java.util.LinkedHashMap<>();
        first.put("row", 7L);
        first.put("key", RowKey.hex(key));
        first.put("cells", "0000abcd");
        first.put("state", "sending");
        first.put("to", List.of("b@y.org", "q\"uote@y.org"));
        first.put("mid", "<m.1@x>");
        first.put("date", "2026-12-08T00:00:00Z");
        assertThat(lines.get(1)).isEqualTo(Json.line(first));
        assertThat(lines.get(2)).isEqualTo("{\"row\":8,\"state\":\"sending\",\"to\":[\"c@y.org\"]}");
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(j.state().inDoubtRows()).containsKey(key);
            assertThat(j.state().cells(key)).isEqualTo(0x0000abcd);
        }
    }
}
