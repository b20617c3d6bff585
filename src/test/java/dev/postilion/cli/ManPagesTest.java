package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The man pages' AsciiDoc comes from the command line that --help prints: one page per command, same words. */
class ManPagesTest {

    @TempDir
    Path dir;

    @Test
    void everyCommandAndSubcommandGetsItsOwnPage() throws Exception {
        ManPages.main(new String[] {dir.toString()});

        Set<String> expected = new LinkedHashSet<>(); // a set: an alias is the same page
        names(Main.commandLine(Io.system()), expected);
        try (Stream<Path> pages = Files.list(dir)) {
            assertThat(pages.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(expected)
                    .contains("postilion.adoc", "postilion-run.adoc", "postilion-send.adoc");
        }
    }

    @Test
    void eachPageListsTheExitCodesAndTheOptionsThatHelpPrints() throws Exception {
        ManPages.main(new String[] {dir.toString()});

        String run = read("postilion-run.adoc");
        assertThat(run).startsWith("// tag::picocli-generated-full-manpage[]")
                .contains(":doctype: manpage", "= postilion-run(1)", "--dry-run", "--var");
        for (String page : new String[] {"postilion.adoc", "postilion-run.adoc", "postilion-profiles-test.adoc"}) {
            String text = read(page);
            for (ExitCode code : ExitCode.values()) {
                assertThat(text).as(page).contains(code.name() + ": " + code.meaning());
            }
        }
    }

    @Test
    void withoutAnOutputDirectoryItRefusesToGuess() {
        assertThatThrownBy(() -> ManPages.main(new String[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("usage: ManPages OUTDIR");
    }

    private String read(String page) throws IOException {
        return Files.readString(dir.resolve(page), StandardCharsets.UTF_8);
    }

    private static void names(CommandLine cmd, Set<String> into) {
        if (cmd.getCommandSpec().usageMessage().hidden()) {
            return;
        }
        into.add(cmd.getCommandSpec().qualifiedName("-") + ".adoc");
        cmd.getSubcommands().values().forEach(sub -> names(sub, into));
    }
}
