package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest(name = "[{index}] {0} = {1} ms")
    @CsvSource(delimiter = '|', textBlock = """
            30s       | 30000
            2m        | 120000
            500ms     | 500
            1h        | 3600000
            1d        | 86400000
            45        | 45000
            10 s      | 10000
            2H        | 7200000
            0         | 0
            365d      | 31536000000
            31536000  | 31536000000
            """)
    void aDurationTakesAUnitOrMeansSeconds(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            -1s
            1.5s
            30 seconds
            s
            ''
            1w
            1234567890
            """)
    void anythingElseIsRefusedNamingTheForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + text + "' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number of seconds");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            366d
            8785h
            999999999m
            31536001
            """)
    void noDurationIsLongerThanAYearSoNoDeadlineOverflows(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .hasMessage("'" + text + "' is too long; the longest duration is 365d");
    }

    @ParameterizedTest(name = "[{index}] {0} ms -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0         | 0s
            200       | 200ms
            1500      | 1500ms
            30000     | 30s
            90000     | 90s
            120000    | 2m
            5400000   | 90m
            7200000   | 2h
            86400000  | 1d
            129600000 | 36h
            """)
    void aDurationPrintsInItsShortestExactFormWhichReadsBack(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
        assertThat(Timeouts.describe(Duration.ofMillis(millis))).isEqualTo(text);
    }

    /** The text the batch printed for an age before it called spoken: the same, to the letter. */
    @ParameterizedTest(name = "[{index}] {0} ms -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0         | 0ms
            800       | 800ms
            1000      | 1s
            1999      | 1s
            65000     | 1m 5s
            9000000   | 2h 30m
            432000000 | 5d
            90061000  | 1d 1h 1m 1s
            """)
    void aSpanForPeopleIsRoundedToTheSecondInWholeUnits(long millis, String text) {
        assertThat(Durations.spoken(Duration.ofMillis(millis))).isEqualTo(text);
    }
}
