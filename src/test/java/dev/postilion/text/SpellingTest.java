package dev.postilion.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpellingTest {

    private static final List<String> PROFILE_KEYS = List.of("extends", "host", "port", "tls", "tls_ca", "insecure",
            "helo", "auth", "username", "password", "token", "from", "timeout", "pipelining", "max_recipients");
    private static final List<String> VERBS = List.of("connect", "ehlo", "helo", "starttls", "auth", "mail", "rcpt",
            "data", "rset", "noop", "vrfy", "quit", "send", "subject");
    private static final List<String> COMMANDS = List.of("run", "send", "check", "profiles", "base64", "serve",
            "journal", "help");

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            hots        | host
            hsot        | host
            Host        | host
            prot        | port
            tls-ca      | tls_ca
            user        | -
            usernme     | username
            passwd      | password
            pipelineing | pipelining
            timout      | timeout
            colour      | -
            extend      | extends
            """)
    void aProfileKeyIsSuggestedWithinAFewEdits(String word, String expected) {
        assertThat(Spelling.nearest(word, PROFILE_KEYS).orElse(null)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            mial     | mail
            qiut     | quit
            subjct   | subject
            MAIL     | mail
            rcp      | rcpt
            hello    | helo
            banana   | -
            x        | -
            """)
    void aScriptVerbIsSuggestedByTheSameRule(String word, String expected) {
        assertThat(Spelling.nearest(word, VERBS).orElse(null)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            sned     | send
            rnu      | run
            profile  | profiles
            chekc    | check
            mail     | -
            """)
    void aCommandIsSuggestedByTheSameRule(String word, String expected) {
        assertThat(Spelling.nearest(word, COMMANDS).orElse(null)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            hots   | ' (did you mean ''host''?)'
            zzzzzz | ''
            """)
    void didYouMeanIsAParentheticalOrNothing(String word, String expected) {
        assertThat(Spelling.didYouMean(word, PROFILE_KEYS)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            host   | host    | 0
            hots   | host    | 1
            hst    | host    | 1
            kitten | sitting | 3
            ''     | abc     | 3
            """)
    void distanceCountsEditsAndASwapIsOne(String a, String b, int expected) {
        assertThat(Spelling.distance(a, b)).isEqualTo(expected);
    }
}
