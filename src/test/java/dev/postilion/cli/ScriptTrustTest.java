package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * GRV-02: scripts are trusted code. Nothing restricts what a Groovy script can do, so nothing may
 * say otherwise: no help text and no README line calls scripts sandboxed or secure, and the README
 * says plainly that they are trusted.
 */
class ScriptTrustTest {

    @TempDir
    Path dir;

    /** Every command's --help, subcommands of subcommands included. */
    private static List<String> helpTexts() {
        Io io = new Io(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of(), prompt -> null);
        List<String> texts = new ArrayList<>();
        collect(Main.commandLine(io), texts);
        return texts;
    }

    private static void collect(CommandLine cmd, List<String> into) {
        into.add(cmd.getCommandSpec().qualifiedName() + "\n" + cmd.getUsageMessage(CommandLine.Help.Ansi.OFF));
        cmd.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    @DisplayName("GRV-02: no --help text calls scripts sandboxed, secure or safe to run")
    void noHelpTextClaimsScriptsAreSandboxed() {
        List<String> texts = helpTexts();
        assertThat(texts).extracting(t -> t.lines().findFirst().orElse(""))
                .contains("postilion", "postilion run", "postilion send", "postilion profiles show");
        for (String text : texts) {
            String lower = text.toLowerCase(Locale.ROOT).replace("insecure", "");
            assertThat(lower).as(text).doesNotContain("sandbox", "secure", "untrusted script", "safe to run");
        }
    }

    @Test
    @DisplayName("GRV-02: the README says scripts are trusted code and mentions a sandbox only to deny one")
    void readmeSaysScriptsAreTrustedCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String flowing = readme.replaceAll("\\s+", " ");
        assertThat(flowing).contains("A script is trusted code").contains("Postilion does not sandbox scripts");
        List<String> mentions = readme.lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("sandbox")).toList();
        assertThat(mentions).isNotEmpty().allSatisfy(line -> assertThat(line.toLowerCase(Locale.ROOT))
                .as("a line that mentions a sandbox must deny one").containsAnyOf("not a sandbox", "does not sandbox",
                        "never call", "never a sandbox"));
        assertThat(flowing.toLowerCase(Locale.ROOT)).doesNotContain("secure script", "sandboxed script",
                "safe to run untrusted", "untrusted scripts are");
    }

    @Test
    @DisplayName("GRV-02: which is the truth: a script runs with the user's permissions (files, classes, environment)")
    void aScriptRunsWithTheUsersPermissions() throws Exception {
        Path script = Files.writeString(dir.resolve("plain.groovy"), """
                def sys = Class.forName('java.lang.System')
                new File(scriptDir, 'written.txt').text = 'written by ' + sys.getProperty('java.version')
                """.replace("scriptDir", "'" + dir + "'"));
        Cli.Outcome o = new Cli().run("run", script.toString());
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(Files.readString(dir.resolve("written.txt")))
                .isEqualTo("written by " + System.getProperty("java.version"));
    }
}
