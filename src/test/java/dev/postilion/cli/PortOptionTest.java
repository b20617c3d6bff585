package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --port} outside 1-65535 is a usage error that says so, never the JDK's "port out of range". */
class PortOptionTest {

    private final Cli cli = new Cli();

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            send  | 99999
            send  | 0
            check | 70000
            check | -1
            """)
    void portOutsideTheRangeIsAUsageErrorWithoutJavaWords(String command, String port) {
        Cli.Outcome o = command.equals("send")
                ? cli.run("send", "--server", "127.0.0.1", "--port", port, "--tls", "none", "--from", "a@x.test",
                        "--to", "b@y.test", "--body", "hi")
                : cli.run("check", "--server", "127.0.0.1", "--port", port, "--tls", "none");
        assertThat(o.code()).as(o.all()).isEqualTo(64);
        assertThat(o.err()).isEqualTo("postilion " + command + ": --port: '" + port + "' is not a port; write 1 to 65535\n");
        assertThat(o.all()).doesNotContain("java.").doesNotContain("Exception").doesNotContain("Trying");
    }
}
