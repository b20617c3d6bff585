package dev.postilion.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import dev.postilion.batch.Progress;
import dev.postilion.batch.BatchFiles;
import dev.postilion.batch.Rate;
import dev.postilion.batch.Shard;
import dev.postilion.dsl.BatchOverrides;
import dev.postilion.smtp.Durations;
import dev.postilion.dsl.RunOptions;
import dev.postilion.dsl.ScriptRunner;
import dev.postilion.transcript.SwaksPrinter;
import dev.postilion.transcript.TranscriptListener;
import dev.postilion.transcript.TranscriptRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postilion run SCRIPT}: plays a Groovy script over the engine, every reply checked. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a Postilion script: connect, ehlo, auth, mail, rcpt, data, quit, with every reply"
                + " checked.", "A failure names the script line, the SMTP stage and the server's reply."})
public final class RunCommand implements Callable<Integer> {

    private static final Pattern VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "The .groovy script to run.")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Values the script sees as args.")
    List<String> args = new ArrayList<>();

    @Option(names = "--var", paramLabel = "K=V", description = "A variable the script sees by name (repeatable).")
    List<String> vars = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "NAME",
            description = "The profile connect, a bare auth, mail and secret() use when the script names none.")
    String profile;

    @Option(names = "--profiles", paramLabel = "FILE", description = "The profiles file (else $POSTILION_PROFILES,"
            + " else ~/.config/postilion/profiles.yaml).")
    Path profilesFile;

    @Option(names = {"-v", "--verbose"}, description = "Print the dialogue to stderr (swaks style).")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing unless the script fails; then the dialogue too.")
    boolean quiet;

    @Option(names = "--transcript", paramLabel = "FILE", description = "Also write the dialogue to FILE (secrets masked, unless --show-secrets).")
    Path transcriptFile;

    @Option(names = "--dry-run", description = "Check the script against a local stand-in; report every mistake.")
    boolean dryRun;

    @Option(names = "--local", description = "Run against an embedded capture server; messages go to ./outbox.")
    boolean local;

    @Option(names = "--outbox", paramLabel = "DIR", description = "Where --local writes messages (default ./outbox).")
    Path outbox = Path.of("outbox");

    @Option(names = "--connect-to", paramLabel = "HOST:PORT",
            description = "Send every connect of the script to HOST:PORT instead (staging, tests).")
    String connectTo;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Trust this CA (PEM) on every connection.")
    List<Path> tlsCa = new ArrayList<>();

    @Option(names = "--insecure", description = "Skip TLS certificate checks (loud; never with real credentials).")
    boolean insecure;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Cap every SMTP stage's timeout (30s, 2m).")
    String timeout;

    @Option(names = "--max-time", paramLabel = "DURATION", description = "Stop the whole run after DURATION (50m, 1h),"
            + " compiling included: exit 75, a batch's journal kept for --resume (for cron).")
    String maxTime;

    @Option(names = "--show-secrets", description = "Show passwords and tokens in the dialogue (never in errors).")
    boolean showSecrets;

    @Option(names = "--debug", description = "Print stack traces of failures.")
    boolean debug;

    // ---- batch overrides: apply to every batch of the script (dev.postilion.dsl.BatchOverrides)

    @Option(names = "--concurrency", paramLabel = "N", description = "Batch: connections in the pool.")
    Integer concurrency;

    @Option(names = "--rate", paramLabel = "N/UNIT", description = "Batch: at most N messages per s, min or h (30/min).")
    String rate;

    @Option(names = "--per-connection", paramLabel = "N", description = "Batch: messages before reconnecting.")
    Integer perConnection;

    @Option(names = "--journal", paramLabel = "FILE", description = "Batch: record each message's state, for --resume.")
    Path journal;

    @Option(names = "--resume", description = "Batch: continue the journal's batch (it must exist: exit 64 if not);"
            + " send only what is not done.")
    boolean resume;

    @Option(names = "--resend-in-doubt", description = "Batch: with --resume, send in-doubt messages again (same"
            + " Message-ID).")
    boolean resendInDoubt;

    @Option(names = "--new-journal", description = "Batch: with --resume, start a journal when none exists (the"
            + " first run of a cron line); without it --resume refuses to start over.")
    boolean newJournal;

    @Option(names = "--source-changed", paramLabel = "accept", description = "Batch: with --resume, go on although the"
            + " source lacks most of the journal's recipients (matching by key still sends each once).")
    String sourceChanged;

    @Option(names = "--report", paramLabel = "FILE", description = "Batch: one JSON line per recipient, then a summary.")
    Path report;

    @Option(names = "--shard", paramLabel = "K/N", description = "Batch: take only slice K of N of the rows.")
    String shard;

    @Option(names = "--max-errors", paramLabel = "N", description = "Batch: stop after N identical permanent errors in"
            + " a row (0: never).")
    Integer maxErrors;

    @Option(names = "--max-age", paramLabel = "DURATION", description = "Batch: a message still refused temporarily"
            + " this long after its first try expires, never tried again (default 5d; 0: never).")
    String maxAge;

    @Option(names = "--max-recipients", paramLabel = "N", description = "Batch: at most N recipients per transaction;"
            + " more are sent in further transactions (Gmail 100, Exchange Online 500; 0: no limit).")
    Integer maxRecipients;

    @Option(names = "--progress", paramLabel = "WHEN", description = "Batch: auto (a bar when stderr is a terminal,"
            + " else nothing, so cron mails nothing), bar, plain (a line every 10s, for CI and nohup) or none."
            + " Default: auto.")
    String progress = "auto";

    @Option(names = "--progress-interval", paramLabel = "DURATION", description = "Batch: how often --progress plain"
            + " prints its line (default 10s).")
    String progressInterval;

    private final Io io;
    private final PrintStream out;
    private final PrintStream err;

    public RunCommand(Io io) {
        this.io = io;
        this.out = io.out();
        this.err = io.err();
    }

    @Override
    public Integer call() {
        Map<String, String> varMap = new LinkedHashMap<>();
        for (String v : vars) {
            int eq = v.indexOf('=');
            String name = eq > 0 ? v.substring(0, eq) : "";
            if (eq <= 0 || !VAR_NAME.matcher(name).matches()) {
                err.println("postilion run: --var " + v + ": write --var name=value (name: letters, digits, _)");
                return ExitCode.USAGE.code();
            }
            varMap.put(name, v.substring(eq + 1));
        }
        Duration cap = null;
        if (timeout != null) {
            try {
                cap = Durations.parse(timeout);
            } catch (IllegalArgumentException e) {
                err.println("postilion run: --timeout: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
        }
        Duration limit = null;
        if (maxTime != null) {
            try {
                limit = Durations.parse(maxTime);
            } catch (IllegalArgumentException e) {
                err.println("postilion run: --max-time: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
            if (limit.isZero()) {
                err.println("postilion run: --max-time: the limit must be longer than 0 (write 30m, 1h)");
                return ExitCode.USAGE.code();
            }
        }
        String batchProblem = checkBatchOptions();
        if (batchProblem != null) {
            err.println("postilion run: " + batchProblem);
            return ExitCode.USAGE.code();
        }
        Duration age = null;
        if (maxAge != null) {
            try {
                age = Durations.parse(maxAge);
            } catch (IllegalArgumentException e) {
                err.println("postilion run: --max-age: " + e.getMessage() + " (0: messages never expire)");
                return ExitCode.USAGE.code();
            }
        }
        Progress.Display display;
        try {
            display = progressDisplay();
        } catch (IllegalArgumentException e) {
            err.println("postilion run: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        if (local && (dryRun || connectTo != null)) {
            err.println("postilion run: --local cannot be combined with --dry-run or --connect-to");
            return ExitCode.USAGE.code();
        }
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("--journal", journal);
        outputs.put("--report", report);
        outputs.put("--transcript", transcriptFile);
        if (local) {
            outputs.put("--outbox", outbox);
        }
        String clash = BatchFiles.clash(outputs);
        if (clash == null && journal != null && resume) {
            // Without --resume the script may still say resume: true; the batch checks that case itself.
            clash = BatchFiles.journalProblem(journal, true, newJournal);
        }
        if (clash != null) {
            err.println("postilion run: " + clash);
            return ExitCode.USAGE.code();
        }
        Map<String, Path> others = new LinkedHashMap<>();
        others.put("--transcript", transcriptFile);
        if (local) {
            others.put("--outbox", outbox);
        }
        TranscriptRecorder recorder = new TranscriptRecorder(showSecrets);
        List<TranscriptListener> listeners = new ArrayList<>();
        listeners.add(recorder);
        if (verbose) {
            listeners.add(new SwaksPrinter(err, err, showSecrets));
        } else if (!quiet) {
            listeners.add(new SwaksPrinter(out, err, showSecrets));
        }
        PrintStream fileOut = null;
        if (transcriptFile != null) {
            try {
                fileOut = new PrintStream(Files.newOutputStream(transcriptFile), true, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("postilion run: cannot write transcript " + transcriptFile + ": " + e.getMessage());
                return ExitCode.IOERR.code();
            }
            listeners.add(new SwaksPrinter(fileOut, fileOut, showSecrets));
        }
        TranscriptListener transcript = TranscriptListener.all(listeners);
        RunOptions options = RunOptions.defaults(transcript, err)
                .withVars(varMap).withArgs(args).withTrustedCa(tlsCa).withInsecure(insecure).withTimeout(cap)
                .withDryRun(dryRun).withProfile(profile).withEnv(io.env()::get).withResolver(io.resolver())
                .withMaxTime(limit)
                .withProfiles(profilesFile, new dev.postilion.profile.ProfileLoader(io.env()).withPrompter(io.prompter()))
                .withBatch(new BatchOverrides(concurrency, rate, perConnection, journal, resume, resendInDoubt, report,
                        shard, maxErrors, display, age, maxRecipients, newJournal,
                        sourceChanged != null, others));
        if (connectTo != null) {
            HostPort hp;
            try {
                hp = HostPort.parse(connectTo, 25);
            } catch (IllegalArgumentException e) {
                err.println("postilion run: --connect-to: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
            options = options.withConnectTo(hp.host(), hp.port());
        }
        if (insecure) {
            err.println("*** --insecure: TLS certificates are not checked; anyone in the path can read this session");
        }
        LocalServer server = null;
        try {
            if (local) {
                try {
                    server = LocalServer.start(outbox, transcript);
                } catch (IOException e) {
                    err.println("postilion run: --local: cannot start the capture server: " + e.getMessage());
                    return ExitCode.IOERR.code();
                }
                options = options.withLocal(true).withConnectTo(server.host(), server.port())
                        .withTrustedCa(concat(tlsCa, server.certificate()));
            }
            ScriptRunner runner = new ScriptRunner();
            try (StopOnSignal signal = StopOnSignal.install(runner, out, err)) {
                return signal.report(finish(runner.run(script, options), server, recorder));
            }
        } finally {
            if (server != null) {
                server.close();
            }
            if (fileOut != null) {
                fileOut.close();
            }
        }
    }

    /** Prints what the run left to say and returns its exit code. */
    private int finish(ScriptRunner.Result result, LocalServer server, TranscriptRecorder recorder) {
        if (server != null) {
            server.report(err, quiet && result.ok());
        }
        if (result.ok()) {
            if (dryRun && !quiet) {
                out.println("=== --dry-run: " + script + " looks right (nothing was sent)");
            }
            return ExitCode.OK.code();
        }
        if (quiet && !verbose) {
            err.print(recorder.text());
        }
        ExitCode worst = null;
        for (ScriptRunner.Problem p : result.problems()) {
            err.println(p.message());
            if (debug && p.cause() != null) {
                p.cause().printStackTrace(err);
            }
            ExitCode code = exitCode(p);
            if (worst == null) {
                worst = code;
            }
        }
        if (dryRun) {
            err.println("--dry-run: " + result.problems().size() + " problem"
                    + (result.problems().size() == 1 ? "" : "s") + " found");
        }
        return worst.code();
    }

    /**
     * What {@code --progress} asks for: auto is a bar when stderr is a terminal (and not {@code -q}),
     * else nothing; bar and plain are shown wherever stderr goes.
     *
     * @throws IllegalArgumentException naming the option and what to write
     */
    private Progress.Display progressDisplay() {
        Duration every = Progress.Display.PLAIN_INTERVAL;
        if (progressInterval != null) {
            try {
                every = Durations.parse(progressInterval);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--progress-interval: " + e.getMessage());
            }
            if (every.isZero()) {
                throw new IllegalArgumentException("--progress-interval: the interval must be longer than 0 (write 10s,"
                        + " 1m)");
            }
        }
        return switch (progress.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> !quiet && io.err() == System.err && Terminal.stderrIsTerminal()
                    ? Progress.Display.bar(Terminal.columns(io.env())) : Progress.Display.NONE;
            case "bar" -> Progress.Display.bar(Terminal.columns(io.env()));
            case "plain" -> Progress.Display.plain(every);
            case "none" -> Progress.Display.NONE;
            default -> throw new IllegalArgumentException("--progress: '" + progress + "' is not a choice; write auto,"
                    + " bar, plain or none");
        };
    }

    /** Checks the batch overrides; returns what is wrong, or null. */
    private String checkBatchOptions() {
        if (concurrency != null && concurrency < 1) {
            return "--concurrency must be at least 1";
        }
        if (perConnection != null && perConnection < 0) {
            return "--per-connection cannot be negative (0: no limit)";
        }
        if (maxErrors != null && maxErrors < 0) {
            return "--max-errors cannot be negative (0: never stop)";
        }
        if (maxRecipients != null && maxRecipients < 0) {
            return "--max-recipients cannot be negative (0: no limit)";
        }
        if (sourceChanged != null && !sourceChanged.equals("accept")) {
            return "--source-changed takes one value: accept (resume although the source lacks most of the journal's"
                    + " recipients)";
        }
        if (resendInDoubt && !resume) {
            return "--resend-in-doubt goes with --resume (it resends what the journal lists as in doubt)";
        }
        try {
            if (rate != null) {
                Rate.parse(rate);
            }
            if (shard != null) {
                Shard.parse(shard);
            }
        } catch (IllegalArgumentException e) {
            return (rate != null && e.getMessage().contains("rate") ? "--rate: " : "--shard: ") + e.getMessage();
        }
        return null;
    }

    private static List<Path> concat(List<Path> a, Path b) {
        List<Path> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }

    /** The exit code for one problem of a run. */
    static ExitCode exitCode(ScriptRunner.Problem p) {
        return switch (p.category()) {
            case SCRIPT -> ExitCode.DATAERR;
            case MISSING_FILE -> ExitCode.NOINPUT;
            case CONFIG -> ExitCode.CONFIG;
            case LOCAL_IO -> ExitCode.IOERR;
            case USAGE -> ExitCode.USAGE;
            case ASSERTION -> ExitCode.UNAVAILABLE;
            case INTERNAL -> ExitCode.SOFTWARE;
            case TIME_LIMIT -> ExitCode.TEMPFAIL;
            case SMTP, BATCH -> ExitCodes.forKind(p.smtpKind());
        };
    }
}
