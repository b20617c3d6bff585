package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line itself: @-files, usage errors, the version, no command at all. */
@Timeout(60)
class CommandLineTest {

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    /** Every command path: the root, each subcommand and each sub-subcommand. */
    private static List<CommandLine> everyCommand() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(Io.system()), all);
        return all;
    }

    private static void collect(CommandLine cmd, List<CommandLine> all) {
        all.add(cmd);
        cmd.getSubcommands().values().forEach(sub -> collect(sub, all));
    }

    private static String[] path(CommandLine cmd, String... more) {
        List<String> words = new ArrayList<>(List.of(cmd.getCommandSpec().qualifiedName(" ").split(" ")));
        words.remove(0);
        words.addAll(List.of(more));
        return words.toArray(String[]::new);
    }

    @Test
    void atFileExpansionIsOffOnEveryCommand() {
        List<CommandLine> all = everyCommand();
        assertThat(all).hasSizeGreaterThan(8);
        for (CommandLine cmd : all) {
            assertThat(cmd.isExpandAtFiles()).as(cmd.getCommandSpec().qualifiedName()).isFalse();
        }
    }

    @Test
    void noFilesWordsAreEverReadAsArgumentsOnAnyCommand() throws Exception {
        // Were @FILE expanded, -V here would print the version (exit 0) on every command.
        Path file = dir.resolve("args");
        Files.writeString(file, "-V\n");
        for (CommandLine cmd : everyCommand()) {
            Cli.Outcome o = cli.run(path(cmd, "@" + file));
            String name = cmd.getCommandSpec().qualifiedName(" ");
            assertThat(o.all()).as(name + "\n" + o.all()).doesNotContain("Java " + System.getProperty("java.version"));
            if (name.equals("postilion base64 encode")) {
                continue;
            }
            assertThat(o.code()).as(name + "\n" + o.all()).isNotZero();
        }
        Cli.Outcome encoded = cli.run("base64", "encode", "@" + file);
        assertThat(encoded.code()).isZero();
        assertThat(encoded.out().trim()).isEqualTo(Base64.getEncoder().encodeToString(("@" + file)
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void runsScriptArgumentsAndVarsAreNeverReadAsFiles() throws Exception {
        Path words = dir.resolve("words");
        Files.writeString(words, "--dry-run --var evil=1\n");
        Path seen = dir.resolve("seen.txt");
        Path script = dir.resolve("echo.groovy");
        Files.writeString(script, "new File(out).text = args.join('|') + '\\n' + x + '\\n' + binding.hasVariable('evil')\n");
        Cli.Outcome o = cli.run("run", "--var", "out=" + seen, "--var", "x=@" + words, script.toString(),
                "@" + words, "@@" + words);
        assertThat(o.code()).as(o.all()).isZero();
        assertThat(Files.readString(seen)).isEqualTo("@" + words + "|@@" + words + "\n@" + words + "\nfalse");
        assertThat(o.all()).doesNotContain("--dry-run");
    }

    @Test
    void noCommandIsAUsageErrorWithTheShortUsage() {
        Cli.Outcome o = cli.run();
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.out()).isEmpty();
        assertThat(o.err()).startsWith("postilion: no command given\n").contains("postilion [-hV] [--debug] [COMMAND]")
                .contains("commands: run, send, check, profiles, base64, serve").endsWith("see `postilion --help`\n")
                .doesNotContain("Exit codes");
        assertThat(o.err().lines()).hasSizeLessThan(6);
    }

    @Test
    void profilesWithNoSubcommandIsAUsageErrorWithTheShortUsage() {
        Cli.Outcome o = cli.run("profiles");
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).startsWith("postilion profiles: no command given\n").contains("commands: list, show, test")
                .endsWith("see `postilion profiles --help`\n");
        assertThat(o.err().lines()).hasSizeLessThan(6);
    }

    @Test
    void aUsageErrorPrintsTheErrorAndOneLinePointingToHelp() {
        Cli.Outcome o = cli.run("send", "--bdy", "hello");
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.out()).isEmpty();
        assertThat(o.err()).isEqualTo("postilion send: unknown option --bdy (did you mean '--body'?)\n"
                + "see `postilion send --help`\n");
        Cli.Outcome missing = cli.run("run");
        assertThat(missing.code()).isEqualTo(64);
        assertThat(missing.err()).isEqualTo("postilion run: Missing required parameter: 'SCRIPT'\n"
                + "see `postilion run --help`\n");
        Cli.Outcome badValue = cli.run("run", "--concurrency", "abc", "x.groovy");
        assertThat(badValue.code()).isEqualTo(64);
        assertThat(badValue.err().lines()).hasSize(2);
        assertThat(badValue.err()).contains("'abc' is not an int").doesNotContain("Usage");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sned:send", "chek:check", "serv:serve", "bsae64:base64", "profiles lsit:list"})
    void anUnknownCommandSuggestsTheClosestAndExits64(String pair) {
        String[] typed = pair.split(":")[0].split(" ");
        String meant = pair.split(":")[1];
        Cli.Outcome o = cli.run(typed);
        assertThat(o.code()).isEqualTo(64);
        assertThat(o.err()).contains("unknown command '" + typed[typed.length - 1] + "' (did you mean '" + meant + "'?)")
                .contains("see `postilion").doesNotContain("Usage:");
        assertThat(o.err().lines()).hasSize(2);
    }

    @Test
    void anUnknownPasswordOptionNeverEchoesItsValue() {
        for (String[] args : List.of(new String[] {"send", "--password", "hunter2-Secret"},
                new String[] {"send", "--password=hunter2-Secret"}, new String[] {"check", "--pass", "hunter2-Secret"})) {
            Cli.Outcome o = cli.run(args);
            assertThat(o.code()).isEqualTo(64);
            assertThat(o.all()).doesNotContain("hunter2-Secret").contains("--password-env VAR");
        }
    }

    @Test
    void versionPrintsTheVersionNumber() {
        Cli.Outcome o = cli.run("--version");
        assertThat(o.code()).isZero();
        assertThat(o.out()).matches("postilion \\d+\\.\\d+\\.\\d+\\S*\nJava \\S+\n").doesNotContain("development");
    }

    @Test
    void everySubcommandsDashVPrintsTheVersion() {
        String expected = cli.run("--version").out();
        for (CommandLine cmd : everyCommand()) {
            if (cmd.getCommandSpec().optionsMap().containsKey("-V")) {
                Cli.Outcome o = cli.run(path(cmd, "-V"));
                assertThat(o.code()).as(cmd.getCommandName()).isZero();
                assertThat(o.out()).as(cmd.getCommandSpec().qualifiedName()).isEqualTo(expected);
            }
        }
        assertThat(cli.run("send", "-V").out()).isEqualTo(expected);
        assertThat(cli.run("profiles", "list", "--version").out()).isEqualTo(expected);
    }
}
