package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The terminal progress bar shows rows done and the sent, failed and deferred counts. */
class ProgressTest {

    @Test
    void theBarShowsCountsAndFinishesOnClose() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress p = Progress.bar("batch", new PrintStream(out, true, StandardCharsets.UTF_8));
        p.update(3, 10, new Totals(4, 0, 2, 1, 0, 0, 0, 0, 0, 2, 0));
        p.update(4, 10, new Totals(4, 0, 2, 1, 1, 0, 0, 0, 0, 2, 0));
        p.close();
        String shown = out.toString(StandardCharsets.UTF_8);
        assertThat(shown).contains("batch").contains("4/10").contains("sent 2 failed 1 deferred 1");
    }
}
