package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settling in-doubt messages happens under the journal's lock; showing reads without it and writes nothing. */
class JournalReviewTest {

    @TempDir
    Path dir;

    @Test
    void settleWaitsForNoRunButIsRefusedWhileABatchHoldsTheJournal() throws IOException {
        Path p = dir.resolve("j.journal");
        try (Journal j = Journal.open(p, false, Shard.ALL, "people.csv")) {
            j.sending(1, 7L, List.of("a@x"), "<m1@x>", null);
            assertThatThrownBy(() -> JournalReview.settle(p, new JournalReview.Selection(true, null, null), true))
                    .isInstanceOfSatisfying(JournalException.class, e -> assertThat(e.locked()).isTrue());
            JournalReview.View view = JournalReview.show(p);
            assertThat(view.inDoubt()).singleElement().satisfies(i -> assertThat(i.to()).isEqualTo("a@x"));
        }
        byte[] before = Files.readAllBytes(p);
        JournalReview.show(p);
        assertThat(Files.readAllBytes(p)).as("show writes nothing").isEqualTo(before);
        assertThat(JournalReview.settle(p, new JournalReview.Selection(false, null, RowKey.hex(7)), true)).hasSize(1);
        try (Journal j = Journal.open(p, true, Shard.ALL, "people.csv")) {
            assertThat(j.state().inDoubtRows()).isEmpty();
            assertThat(j.state().partial(7).blocks("a@x", true)).as("settled as sent: never resent").isTrue();
        }
    }

    @Test
    void showLeavesATornTailForTheNextResumeToCut() throws IOException {
        Path p = dir.resolve("j.journal");
        try (Journal j = Journal.open(p, false, Shard.ALL, "people.csv")) {
            j.sending(1, 7L, List.of("a@x"), "<m1@x>", null);
        }
        Files.writeString(p, "{\"row\":2,\"sta", java.nio.file.StandardOpenOption.APPEND);
        long size = Files.size(p);
        JournalReview.View view = JournalReview.show(p);
        assertThat(view.warnings()).singleElement().asString().contains("torn last line").contains("a resume cuts it off");
        assertThat(Files.size(p)).isEqualTo(size);
    }
}
