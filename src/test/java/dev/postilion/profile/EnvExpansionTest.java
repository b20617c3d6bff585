package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvExpansionTest {

    private static final Map<String, String> ENV = Map.of("HOST", "smtp.example.com", "EMPTY", "", "N", "2");

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            plain                      | plain
            ${HOST}                    | smtp.example.com
            mail.${HOST}               | mail.smtp.example.com
            ${UNSET:-fallback}         | fallback
            ${UNSET:-}x                | x
            ${EMPTY:-fallback}         | fallback
            ${HOST:-fallback}          | smtp.example.com
            ${N}${N}                   | 22
            $${HOST}                   | ${HOST}
            cost $5                    | cost $5
            $                          | $
            "${UNSET:-a:-b}"           | a:-b
            """)
    void expandsReferences(String text, String expected) {
        assertThat(EnvExpansion.expand(text, ENV::get)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ${UNSET}         | environment variable UNSET is not set (write ${UNSET:-fallback} to give a default)
            ${EMPTY}x${UNSET} | environment variable UNSET is not set (write ${UNSET:-fallback} to give a default)
            ${HOST           | '${' is not closed with '}' (write $${ for a literal ${)
            ${1ABC}          | '${1ABC}' does not name an environment variable (letters, digits and _)
            ${}              | '${}' does not name an environment variable (letters, digits and _)
            """)
    void refusesUnsetAndMalformedReferences(String text, String message) {
        assertThatThrownBy(() -> EnvExpansion.expand(text, ENV::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
