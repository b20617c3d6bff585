package dev.postilion.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine states facts; the command line, the script and the profile word the remedies in their own words. */
class EngineVocabularyTest {

    private static final Path ENGINE = Path.of("src/main/java/dev/postilion/smtp");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|(?m)^\\s*//.*$", Pattern.DOTALL);
    private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"");
    /** A CLI flag, a script option or verb call, or a profile key. */
    private static final Pattern SURFACE_WORD =
            Pattern.compile("--[a-z]|tlsCa|tls_ca|allowCleartextAuth|\\w\\(\\)|\\btls:? '|token: \\{");

    @Test
    void engineMessagesNameNoCliFlagOrScriptOption() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(ENGINE)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).as("the engine's sources are where this test looks").hasSizeGreaterThan(20);
        for (Path file : sources) {
            String code = COMMENT.matcher(Files.readString(file)).replaceAll("");
            Matcher m = LITERAL.matcher(code);
            while (m.find()) {
                if (SURFACE_WORD.matcher(m.group()).find()) {
                    found.add(ENGINE.relativize(file) + ": " + m.group());
                }
            }
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theVocabularyScanWouldSeeEachKindOfSurfaceWord() {
        for (String word : List.of("\"use --tls-ca FILE\"", "\"tlsCa: in connect\"", "\"tls_ca: in a profile\"",
                "\"or rset() first\"", "\"use tls 'implicit'\"", "\"allowCleartextAuth\"")) {
            assertThat(SURFACE_WORD.matcher(word).find()).as(word).isTrue();
        }
        assertThat(SURFACE_WORD.matcher("\"host not found: '\"").find()).isFalse();
    }
}
