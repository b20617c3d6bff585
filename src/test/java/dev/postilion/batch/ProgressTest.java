package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The progress display (issue 13.12): the bar's total is the counted rows, its ETA follows the
 * rate, it fits the terminal and ends at 100%; plain mode prints a line per interval; a source
 * with no total shows a count and a rate. Time is a fake clock: no test waits.
 */
class ProgressTest {

    private final FakeClock clock = new FakeClock();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private TextProgress bar(int width) {
        return new TextProgress(TextProgress.Style.BAR, "batch people.csv", new PrintStream(out, true,
                StandardCharsets.UTF_8), width, Duration.ofMillis(200), clock);
    }

    private TextProgress plain(Duration interval) {
        return new TextProgress(TextProgress.Style.PLAIN, "batch people.csv", new PrintStream(out, true,
                StandardCharsets.UTF_8), Integer.MAX_VALUE, interval, clock);
    }

    private static Totals sent(long n) {
        return new Totals(n, 0, n, 0, 0, 0, 0, 0, 0, n, 0, 0);
    }

    private String shown() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Each frame the bar drew, without the carriage return and the padding that clears the last one. */
    private List<String> frames() {
        return Arrays.stream(shown().split("\r")).filter(f -> !f.isEmpty()).map(String::stripTrailing).toList();
    }

    private void seconds(double s) {
        clock.advance((long) (s * 1e9));
    }

    @Test
    void theBarShowsCountsAgainstTheCountedTotal() {
        TextProgress p = bar(120);
        p.update(3, 10, new Totals(4, 0, 2, 1, 1, 0, 0, 0, 0, 2, 0, 0));
        assertThat(frames()).last().asString().startsWith("batch people.csv   30% [")
                .contains("]  3/10  sent 2 failed 1 deferred 1");
    }

    @Test
    void theFinalFrameSays100PercentOnceEveryRowIsDone() {
        TextProgress p = bar(100);
        p.update(0, 10, sent(0));
        seconds(1);
        p.update(9, 10, sent(9));
        p.update(10, 10, sent(10));  // within 200 ms of the last frame: not drawn yet
        assertThat(frames()).last().asString().contains(" 90% ");
        p.close();
        assertThat(shown()).endsWith(System.lineSeparator());
        assertThat(frames()).last().asString().contains("100% [").contains("10/10").contains("sent 10")
                .doesNotContain("ETA");
    }

    @Test
    void theEtaFollowsTheRateOfTheRowsDone() {
        TextProgress p = bar(120);
        p.update(0, 100, sent(0));
        seconds(10);
        p.update(10, 100, sent(10));
        assertThat(frames()).last().asString().contains("10/100").contains("1.0/s").endsWith("ETA 1m 30s");
        seconds(10);
        p.update(30, 100, sent(30));
        assertThat(frames()).last().asString().contains("1.5/s").endsWith("ETA 47s");
    }

    @Test
    void theRateIsTheRecentOneSoAPauseShowsAsNoEta() {
        TextProgress p = bar(120);
        p.update(0, 100, sent(0));
        for (int i = 1; i <= 10; i++) {
            seconds(1);
            p.update(i * 5L, 100, sent(i * 5L));
        }
        assertThat(frames()).last().asString().contains("5.0/s").endsWith("ETA 10s");
        for (int i = 0; i < 40; i++) {
            seconds(1);
            p.tick();
        }
        assertThat(frames()).last().asString().contains("0.0/s").doesNotContain("ETA");
    }

    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {20, 40, 60, 80, 100, 200})
    void theBarFitsTheTerminalWidth(int width) {
        TextProgress p = bar(width);
        p.update(0, 1_000_000, sent(0));
        seconds(60);
        p.update(123_456, 1_000_000, new Totals(123_460, 250_000, 123_000, 400, 50, 3, 2, 1, 0, 123_000, 0, 0));
        p.close();
        for (String frame : frames()) {
            assertThat(frame.length()).as(frame).isLessThan(width);
        }
        assertThat(frames()).last().asString().as("the count always shows").contains("123456/1000000");
        if (width >= 80) {
            assertThat(frames()).last().asString().as("the bar keeps at least ten cells").containsPattern(
                    "\\[[=> ]{10,}\\]").contains("ETA");
        }
    }

    @Test
    void atEightyColumnsTheBarDoesNotCollapse() {
        TextProgress p = bar(80);
        p.update(0, 380, sent(0));
        seconds(5);
        p.update(50, 380, new Totals(52, 0, 48, 1, 1, 0, 0, 0, 0, 48, 0, 0));
        assertThat(frames()).last().asString().containsPattern(" 13% \\[=+> {10,}\\]  50/380")
                .contains("sent 48 failed 1 deferred 1").hasSizeLessThan(80);
    }

    @Test
    void theBarKeepsItsWidthFromFrameToFrame() {
        TextProgress p = bar(80);
        p.update(0, 5000, sent(0));
        seconds(1);
        p.update(7, 5000, sent(7));
        seconds(100);
        p.update(4321, 5000, new Totals(4330, 0, 4300, 20, 1, 0, 0, 0, 0, 4300, 0, 0));
        p.close();
        assertThat(frames()).extracting(f -> f.replaceAll("^[^\\[]*(\\[[=> ]*\\]).*$", "$1").length())
                .as(frames().toString()).containsOnly(15);
    }

    @Test
    void aSourceWithoutTotalShowsTheCountAndRateButNoPercentage() {
        TextProgress p = bar(100);
        p.update(0, -1, sent(0));
        seconds(20);
        p.update(40, -1, sent(40));
        assertThat(frames()).last().asString().startsWith("batch people.csv  40 rows  sent 40  2.0/s  20s")
                .doesNotContain("%").doesNotContain("[").doesNotContain("ETA");
    }

    @Test
    void rowsDoneBeforeAreShownBesideTheTotalOfWhatIsLeft() {
        TextProgress p = bar(120);
        p.update(5, 20, new Totals(5, 80, 5, 0, 0, 0, 0, 0, 0, 5, 0, 0));
        assertThat(frames()).last().asString().contains(" 25% [").contains("5/20 +80 done before");
    }

    @Test
    void aLineWrittenDuringTheBarFirstClearsItAndTheBarComesBackAtTheNextUpdate() {
        TextProgress p = bar(80);
        p.update(1, 10, sent(1));
        int drawn = frames().get(0).length();
        p.clear();
        assertThat(shown()).endsWith("\r" + " ".repeat(drawn) + "\r");
        p.update(2, 10, sent(2));  // within 200 ms of the last frame, yet drawn: the line was cleared
        assertThat(frames()).last().asString().contains("2/10");
        p.close();
        p.clear();
        assertThat(shown()).as("after the final frame nothing is cleared").endsWith(System.lineSeparator());
    }

    @Test
    void plainPrintsOneLineEveryIntervalAndNothingBefore() {
        TextProgress p = plain(Duration.ofSeconds(10));
        p.update(0, 100, sent(0));
        for (int i = 1; i <= 9; i++) {
            seconds(1);
            p.update(i, 100, sent(i));
        }
        assertThat(shown()).isEmpty();
        seconds(1);
        p.update(10, 100, sent(10));
        assertThat(shown()).isEqualTo("batch people.csv: 10 of 100 rows (10%), ETA 1m 30s; 10 sent; 1.0 rows/s\n");
        seconds(5);
        p.tick();
        assertThat(shown().lines()).hasSize(1);
        seconds(5);
        p.tick();
        assertThat(shown().lines()).hasSize(2).allMatch(l -> !l.contains("\r"));
        p.update(100, 100, sent(100));
        p.close();
        assertThat(shown().lines()).hasSize(3).last().asString().startsWith("batch people.csv: 100 of 100 rows (100%); 100 sent;");
    }

    @Test
    void plainPrintsNothingForABatchShorterThanItsInterval() {
        TextProgress p = plain(Duration.ofSeconds(10));
        p.update(0, 5, sent(0));
        seconds(3);
        p.update(5, 5, sent(5));
        p.close();
        assertThat(shown()).isEmpty();
    }

    @Test
    void plainWithoutTotalSaysHowManyRowsInHowLong() {
        TextProgress p = plain(Duration.ofSeconds(10));
        p.update(0, -1, sent(0));
        seconds(10);
        p.update(25, -1, new Totals(25, 0, 24, 1, 0, 0, 0, 0, 0, 24, 0, 0));
        assertThat(shown()).isEqualTo("batch people.csv: 25 rows done in 10s; 24 sent, 1 failed; 2.5 rows/s\n");
    }

    @Test
    void noneShowsNothingAndABarNeverUpdatedDrawsNothing() {
        assertThat(Progress.Display.NONE.start("batch x", new PrintStream(out))).isSameAs(Progress.NONE);
        TextProgress p = bar(80);
        p.close();
        assertThat(shown()).isEmpty();
    }

    @Test
    void spansUseTheirTwoLargestUnits() {
        assertThat(TextProgress.span(45)).isEqualTo("45s");
        assertThat(TextProgress.span(200)).isEqualTo("3m 20s");
        assertThat(TextProgress.span(7500)).isEqualTo("2h 05m");
        assertThat(TextProgress.span(3 * 86400 + 4 * 3600 + 59)).isEqualTo("3d 4h");
    }
}
