package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpellingTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            hots        | host
            hsot        | host
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
    void suggestsTheNearestKey(String word, String expected) {
        assertThat(Spelling.nearest(word, ProfileParser.KEYS).orElse(null)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}/{1} = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            host   | host   | 0
            hots   | host   | 1
            hst    | host   | 1
            kitten | sitting | 3
            ''     | abc    | 3
            """)
    void distanceCountsEdits(String a, String b, int expected) {
        assertThat(Spelling.distance(a, b)).isEqualTo(expected);
    }
}
