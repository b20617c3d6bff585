package dev.postilion.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code postilion} command: one subcommand class each for run, send, check, profiles, base64 and serve. */
@Command(name = "postilion", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"A scriptable SMTP client: telnet-style SMTP sessions as checked Groovy scripts,",
                "from one hand-made session to resumable bulk sends."},
        subcommands = {RunCommand.class, SendCommand.class, CheckCommand.class, ProfilesCommand.class,
                Base64Command.class, ServeCommand.class, JournalCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** The process entry point. */
    public static void main(String[] args) {
        System.exit(run(args, Io.system()));
    }

    /** Runs a command line with these streams and environment; returns the exit code (never exits). */
    public static int run(String[] args, Io io) {
        CommandLine cmd = commandLine(io);
        boolean debug = Arrays.asList(args).contains("--debug");
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            io.err().println("postilion: internal error: " + e
                    + (debug ? "" : "\n    (a bug: run again with --debug for the stack trace, and report it)"));
            if (debug) {
                e.printStackTrace(io.err());
            }
            return ExitCode.SOFTWARE.code();
        });
        return cmd.execute(args);
    }

    /** The configured command line: streams, exit codes on every subcommand, commands built with {@code io}. */
    static CommandLine commandLine(Io io) {
        CommandLine cmd = new CommandLine(new Main(), new Factory(io));
        cmd.setOut(new java.io.PrintWriter(io.out(), true));
        cmd.setErr(new java.io.PrintWriter(io.err(), true));
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(String.format("%3d", c.code()), c.name() + ": " + c.meaning());
        }
        configure(cmd, codes);
        return cmd;
    }

    private static void configure(CommandLine cmd, Map<String, String> codes) {
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE.code());
        cmd.getCommandSpec().exitCodeOnUsageHelp(ExitCode.OK.code());
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cmd.getSubcommands().values().forEach(sub -> configure(sub, codes));
    }

    /** Builds commands, handing {@link Io} to those whose constructor takes it. */
    private static final class Factory implements CommandLine.IFactory {
        private final Io io;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Io io) {
            this.io = io;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(Io.class).newInstance(io);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"postilion " + (v == null ? "development build" : v),
                    "Java " + System.getProperty("java.version")};
        }
    }
}
