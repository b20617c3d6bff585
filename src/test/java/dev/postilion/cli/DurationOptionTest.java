package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.smtp.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One duration grammar: what a profile reads, a script and an option read too, and mean the same. */
class DurationOptionTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            1d    | 1d
            36h   | 36h
            90m   | 90m
            2H    | 2h
            500ms | 500ms
            45    | 45s
            """)
    void aDurationReadsTheSameInAProfileAScriptAndOnTheCommandLine(String text, String shown) throws IOException {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(shown);

        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, "profiles:\n  p:\n    host: mail.example.com\n    timeout: " + text + "\n");
        Files.setPosixFilePermissions(profiles, PosixFilePermissions.fromString("rw-------"));
        Cli.Outcome show = cli.run("profiles", "show", "p", "--profiles", profiles.toString());
        assertThat(show.code()).as(show.all()).isZero();
        assertThat(show.out()).containsPattern("timeout: +" + shown + "\\b");

        Path script = dir.resolve("limit.groovy");
        Files.writeString(script, "maxTime '" + text + "'\nlog 'limit set'\n");
        Cli.Outcome inScript = cli.run("run", "-q", script.toString());
        assertThat(inScript.code()).as(inScript.all()).isZero();

        Cli.Outcome onCommandLine = cli.run("run", "-q", "--max-time", text, "--timeout", text, script.toString());
        assertThat(onCommandLine.code()).as(onCommandLine.all()).isZero();
    }
}
