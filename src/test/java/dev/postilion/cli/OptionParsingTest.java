package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** picocli parses: converters, map options, mixins and inherited options, each with a clear refusal. */
class OptionParsingTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private Path script(String text) throws IOException {
        return Files.writeString(dir.resolve("s.groovy"), text);
    }

    @Test
    void varsArriveAsAMapAndAValueMayHoldAnEqualsSign() throws IOException {
        Path s = script("log \"a=$a b=$b\"\n");
        Cli.Outcome o = cli.run("run", "--var", "a=1", "--var", "b=x=y", s.toString());
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(o.all()).contains("a=1 b=x=y");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            no-equals | postilion run: --var no-equals: write --var name=value (name: letters, digits, _)
            1x=2      | postilion run: --var: '1x' is not a name; write --var name=value (name: letters, digits, _)
            =2        | postilion run: --var: '' is not a name; write --var name=value (name: letters, digits, _)
            """)
    void aBadVarNamesTheFormAndExits64(String value, String message) throws IOException {
        Cli.Outcome o = cli.run("run", "--var", value, script("log 'x'\n").toString());
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).isEqualTo(message + "\n");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            run  | --timeout,0        | postilion run: --timeout: the duration must be longer than 0 (write 30s, 10m, 1h)
            send | --timeout,soon     | postilion send: --timeout: 'soon' is not a duration; write 30s, 2m, 1h, 5d, 500ms or a number of seconds
            run  | --max-time,400d    | postilion run: --max-time: '400d' is too long; the longest duration is 365d
            run  | --connect-to,:25   | postilion run: --connect-to: ':25': no host
            """)
    void aBadValueIsOneLineNamingTheOptionAndTheForm(String command, String args, String message) throws IOException {
        String[] a = args.split(",");
        Cli.Outcome o = cli.run(command, a[0], a[1], script("log 'x'\n").toString());
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).isEqualTo(message + "\n");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(textBlock = """
            run
            send
            """)
    void verboseAndQuietTogetherAreAUsageError(String command) throws IOException {
        String last = command.equals("run") ? script("log 'x'\n").toString() : "--server=127.0.0.1";
        Cli.Outcome o = cli.run(command, "-v", "-q", last);
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).startsWith("postilion " + command + ": Error: --verbose, --quiet are mutually exclusive");
    }

    @Test
    void debugIsOneOptionEveryCommandInherits() throws IOException {
        Path s = script("log 'x'\n");
        assertThat(cli.run("--debug", "run", "-q", s.toString()).code()).isZero();
        assertThat(cli.run("run", "--debug", "-q", s.toString()).code()).isZero();
        assertThat(cli.run("base64", "encode", "--debug", "guyt").out()).isEqualTo("Z3V5dA==\n");
        assertThat(cli.run("profiles", "list", "--debug", "--profiles", dir.resolve("none.yaml").toString()).code())
                .isEqualTo(66);
    }

    @Test
    void base64EncodeAndDecodeAreSubcommandsWithTheirShortNames() {
        assertThat(cli.run("base64", "e", "guyt").out()).isEqualTo("Z3V5dA==\n");
        assertThat(cli.run("base64", "d", "Z3V5dA==").out()).isEqualTo("guyt\n");
        Cli.Outcome alone = cli.run("base64");
        assertThat(alone.code()).isEqualTo(64);
        assertThat(alone.err()).startsWith("postilion base64: no command given").contains("commands: encode, decode");
        Cli.Outcome plainOnDecode = cli.run("base64", "decode", "--plain", "guyt");
        assertThat(plainOnDecode.code()).isEqualTo(64);
        assertThat(plainOnDecode.err()).startsWith("postilion base64 decode: unknown option --plain");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            192.0.2.1     | postilion serve: --bind: '192.0.2.1' is not loopback; the capture server binds loopback only (127.0.0.1 or ::1)
            [::1          | postilion serve: --bind: '[::1' is not an address; write 127.0.0.1 or ::1
            """)
    void serveBindsOnlyALoopbackAddress(String bind, String message) {
        Cli.Outcome o = cli.run("serve", "--bind", bind);
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).isEqualTo(message + "\n");
    }
}
