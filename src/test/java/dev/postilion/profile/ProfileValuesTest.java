package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileValuesTest {

    @ParameterizedTest(name = "[{index}] {0} = {1} ms")
    @CsvSource(delimiter = '|', textBlock = """
            30s   | 30000
            2m    | 120000
            500ms | 500
            1h    | 3600000
            45    | 45000
            10 s  | 10000
            1d    | 86400000
            """)
    void durationsTakeAUnitOrMeanSeconds(String text, long millis) {
        assertThat(ProfileValues.duration("timeout", text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            -1s
            1.5s
            30 seconds
            s
            1w
            """)
    void badDurationsAreRefused(String text) {
        assertThatThrownBy(() -> ProfileValues.duration("timeout", text))
                .hasMessage("timeout must be a duration like 30s, 2m, 1h, 5d or 500ms (a bare number means seconds), not '"
                        + text + "'");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            0    | timeout must be more than zero
            0ms  | timeout must be more than zero
            400d | timeout must be at most 365d, not '400d'
            """)
    void aTimeoutIsMoreThanZeroAndAtMostAYear(String text, String message) {
        assertThatThrownBy(() -> ProfileValues.duration("timeout", text)).hasMessage(message);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1     | 1
            25    | 25
            65535 | 65535
            ' 587 ' | 587
            """)
    void portsAreOneTo65535(String text, int port) {
        assertThat(ProfileValues.port(text)).isEqualTo(port);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ~              | /home/u
            ~/x/pass       | /home/u/x/pass
            pass           | /etc/postilion/pass
            ../pass        | /etc/postilion/../pass
            /abs/pass      | /abs/pass
            ~other/pass    | /etc/postilion/~other/pass
            """)
    void pathsExpandTildeAndStartAtTheProfilesFolder(String text, String expected) {
        assertThat(ProfileValues.path(text, Path.of("/home/u"), Path.of("/etc/postilion"))).isEqualTo(Path.of(expected));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            LOGIN    | login
            cram_md5 | cram-md5
            XOAUTH2  | xoauth2
            """)
    void authWordsAreNormalised(String text, String word) {
        assertThat(ProfileValues.auth(text)).isEqualTo(word);
    }

    @Test
    void controlBreaksAreFound() {
        assertThat(ProfileValues.hasControlBreak("a\rb")).isTrue();
        assertThat(ProfileValues.hasControlBreak("a\nb")).isTrue();
        assertThat(ProfileValues.hasControlBreak("a\0b")).isTrue();
        assertThat(ProfileValues.hasControlBreak("a b\t")).isFalse();
    }
}
