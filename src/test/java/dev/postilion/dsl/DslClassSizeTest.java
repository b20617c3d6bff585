package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The DSL's main classes stay readable: none grows past the issue's ~450 lines, MailScript included. */
class DslClassSizeTest {

    private static final int MOST_LINES = 450;

    @Test
    void everyDslClassIncludingMailScriptStaysWithinFourHundredFiftyLines() throws IOException {
        Path dsl = Path.of("src/main/java/dev/postilion/dsl");
        List<String> tooLong;
        try (Stream<Path> files = Files.list(dsl)) {
            tooLong = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> lines(p) > MOST_LINES)
                    .map(p -> p.getFileName() + ": " + lines(p) + " lines")
                    .toList();
        }
        assertThat(Files.exists(dsl.resolve("MailScript.java"))).isTrue();
        assertThat(tooLong).isEmpty();
    }

    private static long lines(Path p) {
        try (Stream<String> l = Files.lines(p)) {
            return l.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
