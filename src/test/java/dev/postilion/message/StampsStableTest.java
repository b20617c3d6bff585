package dev.postilion.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A batch's stable Message-ID and Date: the same for a row on every run, with one domain rule for every message. */
class StampsStableTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            example.com      | <b1.0f561ff850dc6b13.postilion@example.com>
            bücher.example   | <b1.0f561ff850dc6b13.postilion@xn--bcher-kva.example>
            Example.COM      | <b1.0f561ff850dc6b13.postilion@example.com>
            [192.0.2.1]      | <b1.0f561ff850dc6b13.postilion@[192.0.2.1]>
            -                | <b1.0f561ff850dc6b13.postilion@postilion.invalid>
            under_score.test | <b1.0f561ff850dc6b13.postilion@postilion.invalid>
            """)
    void aStableMessageIdIsTheBatchAndRowKeyOnTheSendersAsciiDomain(String domain, String id) {
        assertThat(Stamps.stable("b1", "0f561ff850dc6b13", domain)).isEqualTo(id);
    }

    @Test
    void aStableDateIsTheOneAnEarlierRunGaveElseNowToTheSecond() {
        assertThat(Stamps.stableDate("2026-11-29T03:10:00+01:00"))
                .isEqualTo(ZonedDateTime.parse("2026-11-29T03:10:00+01:00"));
        assertThat(Stamps.stableDate(null).getNano()).isZero();
    }
}
