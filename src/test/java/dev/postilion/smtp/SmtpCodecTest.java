package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which replies cannot answer which stage (RFC 5321 4.2): the codec's out-of-step rule, as a table. */
class SmtpCodecTest {

    @ParameterizedTest(name = "{1} to {0}: misplaced={2}")
    @CsvSource(textBlock = """
            GREETING | 220 | false
            GREETING | 354 | true
            EHLO     | 250 | false
            EHLO     | 334 | true
            MAIL     | 354 | true
            RCPT     | 550 | false
            DATA     | 354 | false
            DATA     | 399 | false
            DATA     | 250 | true
            DATA     | 554 | false
            DATA_END | 354 | true
            DATA_END | 250 | false
            BDAT     | 354 | true
            QUIT     | 221 | false
            AUTH     | 334 | false
            STARTTLS | 220 | false
            RAW      | 354 | false
            RAW      | 250 | false
            """, delimiter = '|')
    void aReplyThatCannotAnswerItsStageIsMisplaced(SmtpStage stage, int code, boolean misplaced) {
        Reply r = new Reply(code, null, List.of(code + " x"));
        assertThat(SmtpCodec.misplaced(stage, r) != null).isEqualTo(misplaced);
        if (misplaced) {
            assertThat(SmtpCodec.misplaced(stage, r)).endsWith("its replies are out of step with the commands");
        }
    }

}
