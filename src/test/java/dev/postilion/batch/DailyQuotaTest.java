package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.Reply;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** LIM-03: which replies say the account's daily quota is used up, and which only look alike. */
class DailyQuotaTest {

    @DisplayName("LIM-03: the providers' daily-quota replies are recognised; ordinary refusals are not")
    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message | true
            550 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException                             | true
            550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to ... | true
            550 5.4.5 Daily user sending quota exceeded.                                                        | true
            550 5.4.5 Daily SMTP relay limit exceeded for user. For more information on SMTP relay sending limits | true
            451 4.7.1 daily sending limit exceeded, try tomorrow                                                | true
            550 5.2.251 Sender throttled due to continuous invalid recipients errors                            | false
            452 4.5.3 Your message has too many recipients                                                      | false
            421 4.7.0 Try again later, closing connection                                                       | false
            550 5.1.1 The email account that you tried to reach does not exist                                  | false
            552 5.2.2 The email account that you tried to reach is over quota                                   | false
            250 2.0.0 OK daily sending limit exceeded                                                           | false
            """)
    void dailyQuotaRepliesAreRecognised(String line, boolean quota) {
        assertThat(DailyQuota.reached(Reply.parse(line.strip()))).isEqualTo(quota);
    }
}
