package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.postilion.dsl.ScriptError;
import dev.postilion.dsl.ScriptFailure;
import dev.postilion.dsl.ScriptLocation;
import dev.postilion.message.MessageException;
import dev.postilion.profile.ProfileException;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.SmtpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** One mapping from every failure the layers raise to its sysexits code. */
class ExitCodeTest {

    @TempDir
    Path dir;

    private static final ScriptLocation AT = new ScriptLocation("s.groovy", 1);

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            TEMPORARY | 75
            PERMANENT | 69
            AUTH      | 77
            PROTOCOL  | 76
            TLS       | 78
            CONFIG    | 78
            NO_HOST   | 68
            INPUT     | 65
            STATE     | 65
            LOCAL_IO  | 74
            """)
    void anEngineFailureExitsWithItsKindsCode(SmtpException.Kind kind, int code) {
        assertThat(ExitCode.of(kind).code()).isEqualTo(code);
        assertThat(ExitCode.of(new ScriptFailure(AT, kind, "x", null)).code()).isEqualTo(code);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            BAD_DATA      | 65
            MISSING_INPUT | 66
            LOCAL_IO      | 74
            """)
    void aMessageFailureExitsWithItsKindsCode(MessageException.Kind kind, int code) {
        assertThat(ExitCode.of(new MessageException(kind, "x")).code()).isEqualTo(code);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            SCRIPT       | 65
            MISSING_FILE | 66
            CONFIG       | 78
            LOCAL_IO     | 74
            USAGE        | 64
            """)
    void aScriptErrorExitsWithItsKindsCode(ScriptError.Kind kind, int code) {
        assertThat(ExitCode.of(new ScriptError(AT, kind, "x", null)).code()).isEqualTo(code);
    }

    @Test
    void aMissingProfilesFileIs66AndABadOneIs78() throws IOException {
        ProfileLoader loader = new ProfileLoader(Map.of());
        Throwable missing = catchThrowable(() -> loader.load(dir.resolve("nope.yaml")));
        assertThat(missing).isInstanceOf(ProfileException.class);
        assertThat(ExitCode.of(missing)).isEqualTo(ExitCode.NOINPUT);

        Path bad = Files.writeString(dir.resolve("bad.yaml"), "profiles:\n  p:\n    hots: x\n");
        Throwable config = catchThrowable(() -> loader.load(bad));
        assertThat(config).isInstanceOf(ProfileException.class);
        assertThat(ExitCode.of(config)).isEqualTo(ExitCode.CONFIG);
    }

    @Test
    void aUsageErrorIs64AndAnythingUnknownIsABug() {
        assertThat(ExitCode.of(new CommandLine.ParameterException(Main.commandLine(Io.system()), "x")))
                .isEqualTo(ExitCode.USAGE);
        assertThat(ExitCode.of(new IOException("disk"))).isEqualTo(ExitCode.IOERR);
        assertThat(ExitCode.of(new OutOfMemoryError())).isEqualTo(ExitCode.SOFTWARE);
        assertThat(ExitCode.of(new IllegalStateException())).isEqualTo(ExitCode.SOFTWARE);
    }
}
