package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileExceptionTest {

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            CONFIG  | 78
            NOINPUT | 66
            """)
    void kindMapsToSysexitsCode(ProfileException.Kind kind, int code) {
        ProfileException e = new ProfileException(kind, "x");
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.exitCode()).isEqualTo(code);
        assertThat(kind.exitCode()).isEqualTo(code);
    }

    @Test
    void messageStartsWithFileLineAndProfile() {
        ProfileException e = ProfileException.at(new ProfileLocation(Path.of("profiles.yaml"), 7), "work",
                "unknown key 'hots' (did you mean 'host'?)");
        assertThat(e.getMessage()).isEqualTo("profiles.yaml:7: profile 'work': unknown key 'hots' (did you mean 'host'?)");
        assertThat(e.exitCode()).isEqualTo(78);
    }
}
