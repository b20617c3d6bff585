package dev.postilion.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import dev.postilion.io.OutOfMemory;
import dev.postilion.text.Spelling;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code postilion} command: one subcommand class each for run, send, check, profiles, base64 and serve. */
@Command(name = "postilion", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A scriptable SMTP client: telnet-style SMTP sessions as checked Groovy scripts, from one"
                + " hand-made session to resumable bulk sends.",
        subcommands = {RunCommand.class, SendCommand.class, CheckCommand.class, ProfilesCommand.class,
                Base64Command.class, ServeCommand.class, JournalCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The command line the process runs, for the uncaught-exception handler's {@code --debug}. */
    private static volatile Main running;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean debug;

    /** Whether {@code --debug} was given, on this command or any above it. */
    static boolean debugging(CommandSpec spec) {
        return spec.root().userObject() instanceof Main m && m.debug;
    }

    /** {@code postilion} alone is a usage error: the short usage, exit 64. */
    @Override
    public Integer call() {
        return missingCommand(spec.commandLine());
    }

    /** The process entry point. */
    public static void main(String[] args) {
        String outOfMemory = "postilion: " + OutOfMemory.MESSAGE;
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            boolean debug = running != null && running.debug;
            if (e instanceof OutOfMemoryError) {
                System.err.println(outOfMemory);
                if (debug) {
                    e.printStackTrace();
                }
                // Whatever that thread was doing is lost: a run that went on could report success.
                // halt, not exit: the stop-on-signal hook would turn exit into a stopped run (75).
                // What the journal holds is written already; a halt loses none of it.
                System.err.flush();
                Runtime.getRuntime().halt(ExitCode.SOFTWARE.code());
            }
            System.err.println("postilion: internal error on thread " + thread.getName() + ": " + e
                    + (debug ? "" : "\n    (a bug: run again with --debug for the stack trace, and report it)"));
            if (debug) {
                e.printStackTrace();
            }
        });
        System.exit(run(args, Io.system()));
    }

    /** Runs a command line with these streams and environment; returns the exit code (never exits). */
    public static int run(String[] args, Io io) {
        CommandLine cmd = commandLine(io);
        Main root = cmd.getCommand();
        running = root;
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            ExitCode code = ExitCode.of(e);
            if (code == ExitCode.SOFTWARE) {
                io.err().println("postilion: internal error: " + e + (root.debug ? ""
                        : "\n    (a bug: run again with --debug for the stack trace, and report it)"));
            } else {
                io.err().println(commandLine.getCommandSpec().qualifiedName(" ") + ": " + e.getMessage());
            }
            if (root.debug) {
                e.printStackTrace(io.err());
            }
            return code.code();
        });
        try {
            return cmd.execute(args);
        } catch (OutOfMemoryError e) {
            io.err().println("postilion: " + OutOfMemory.MESSAGE);
            if (root.debug) {
                e.printStackTrace(io.err());
            }
            return ExitCode.SOFTWARE.code();
        }
    }

    /** The configured command line: streams, exit codes on every subcommand, commands built with {@code io}. */
    static CommandLine commandLine(Io io) {
        CommandLine cmd = new CommandLine(new Main(), new Factory(io));
        cmd.setOut(new PrintWriter(io.out(), true));
        cmd.setErr(new PrintWriter(io.err(), true));
        Map<String, String> codes = new LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(String.format("%3d", c.code()), c.name() + ": " + c.meaning());
        }
        configure(cmd, codes);
        cmd.setParameterExceptionHandler(Main::usageError);
        cmd.setExitCodeExceptionMapper(e -> ExitCode.of(e).code());
        return cmd;
    }

    private static void configure(CommandLine cmd, Map<String, String> codes) {
        // `--body @note.txt` means "this file" to send alone: no argument is ever replaced by a file's
        // words (picocli's @-files would let a body file add `--bcc`). Set on each command: the
        // root's setting does not reach its subcommands.
        cmd.setExpandAtFiles(false);
        cmd.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE.code());
        cmd.getCommandSpec().exitCodeOnUsageHelp(ExitCode.OK.code());
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        // -V on a subcommand prints the same as postilion --version (it printed an empty line).
        cmd.getCommandSpec().versionProvider(new Version());
        cmd.getSubcommands().values().forEach(sub -> configure(sub, codes));
    }

    /**
     * A usage error: the error, any "did you mean", and one line pointing at the command's help;
     * never the whole help page. A bad value is one line naming the option and what to write, as
     * its converter words it. Exit 64.
     */
    static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        String message = ex.getMessage();
        boolean pointAtHelp = true;
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            message = unmatched(cmd, unmatched);
        } else if (ex instanceof UsageError) {
            pointAtHelp = false;
        } else if (ex.getArgSpec() instanceof OptionSpec option
                && ex.getCause() instanceof CommandLine.TypeConversionException bad) {
            message = option.longestName() + ": " + bad.getMessage();
            // Our converters say what to write; picocli's own ("'abc' is not an int") leave it to --help.
            pointAtHelp = !(bad instanceof Converters.BadValue);
        } else if (ex.getArgSpec() instanceof OptionSpec option && Map.class.isAssignableFrom(option.type())) {
            // picocli's own split found no '=': say the whole form.
            message = option.longestName() + " " + ex.getValue() + ": " + Converters.VAR_FORM;
            pointAtHelp = false;
        }
        err.println(name + ": " + message);
        if (pointAtHelp) {
            err.println("see `" + name + " --help`");
        }
        err.flush();
        return ExitCode.USAGE.code();
    }

    /** Words an unmatched argument: an unknown command with the closest one, or the unknown options. */
    private static String unmatched(CommandLine cmd, CommandLine.UnmatchedArgumentException ex) {
        List<String> words = ex.getUnmatched();
        String first = words.isEmpty() ? "" : words.get(0);
        String hint = first.startsWith("-")
                ? Spelling.didYouMean(first.contains("=") ? first.substring(0, first.indexOf('=')) : first,
                        cmd.getCommandSpec().optionsMap().keySet())
                : Spelling.didYouMean(first, cmd.getSubcommands().keySet());
        for (String w : words) {
            String option = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
            String lower = option.toLowerCase(Locale.ROOT);
            if (lower.startsWith("-") && lower.matches(".*(pass|pasw|pswd|pwd|token|secret).*")) {
                // Never echo what follows: it may be the password itself.
                return "unknown option " + option + ": no option takes a password or token (so it never sits in"
                        + " shell history); use --password-env VAR, --password-file FILE, a profile or the prompt";
            }
        }
        if (!cmd.getSubcommands().isEmpty() && !first.startsWith("-")) {
            return "unknown command '" + first + "'" + hint + "; commands: " + commandNames(cmd);
        }
        if (first.startsWith("-")) {
            return "unknown option " + String.join(" ", words.stream().filter(w -> w.startsWith("-"))
                    .map(w -> w.contains("=") ? w.substring(0, w.indexOf('=')) : w).toList()) + hint;
        }
        return "unexpected argument" + (words.size() == 1 ? " '" + first + "'" : "s: " + String.join(" ", words));
    }

    /** The subcommands' names, each once (aliases left out). */
    private static String commandNames(CommandLine cmd) {
        return String.join(", ", new java.util.LinkedHashSet<>(cmd.getSubcommands().values()).stream()
                .map(CommandLine::getCommandName).toList());
    }

    /** A command that needs a subcommand and got none: the short usage, exit 64. */
    static int missingCommand(CommandLine cmd) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        err.println(name + ": no command given");
        err.print(cmd.getHelp().synopsis(0));
        err.println("commands: " + commandNames(cmd));
        err.println("see `" + name + " --help`");
        err.flush();
        return ExitCode.USAGE.code();
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

    /**
     * The version: the jar manifest's Implementation-Version, else (run from classes, as in
     * tests) the one Maven wrote into {@code version.properties}.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"postilion " + number(), "Java " + System.getProperty("java.version")};
        }

        static String number() {
            String v = Main.class.getPackage().getImplementationVersion();
            if (v != null) {
                return v;
            }
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String fromBuild = p.getProperty("version");
                    if (fromBuild != null && !fromBuild.isBlank() && !fromBuild.startsWith("${")) {
                        return fromBuild;
                    }
                }
            } catch (IOException e) {
                // fall through: no number known
            }
            return "(version unknown: not built by Maven)";
        }
    }
}
