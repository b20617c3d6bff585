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

import dev.postilion.batch.Progress;
import dev.postilion.batch.BatchFiles;
import dev.postilion.dsl.RunOptions;
import dev.postilion.dsl.ScriptRunner;
import dev.postilion.transcript.SwaksPrinter;
import dev.postilion.transcript.TranscriptListener;
import dev.postilion.transcript.TranscriptRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UseDefaultConverter;

/** {@code postilion run SCRIPT}: plays a Groovy script over the engine, every reply checked. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a Postilion script: connect, ehlo, auth, mail, rcpt, data, quit, with every reply"
                + " checked.", "A failure names the script line, the SMTP stage and the server's reply."})
public final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "The .groovy script to run.")
    Path script;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Values the script sees as args.")
    List<String> args = new ArrayList<>();

    @Option(names = "--var", paramLabel = "K=V", converter = {Converters.VarName.class, UseDefaultConverter.class},
            description = "A variable the script sees by name (repeatable).")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(names = "--profile", paramLabel = "NAME",
            description = "The profile connect, a bare auth, mail and secret() use when the script names none.")
    String profile;

    @Option(names = "--profiles", paramLabel = "FILE", description = "The profiles file (else $POSTILION_PROFILES,"
            + " else ~/.config/postilion/profiles.yaml).")
    Path profilesFile;

    @Mixin
    OutputMixin output = new OutputMixin();

    @Option(names = "--transcript", paramLabel = "FILE", description = "Also write the dialogue to FILE (secrets masked, unless --show-secrets).")
    Path transcriptFile;

    @Option(names = "--dry-run", description = "Check the script against a local stand-in; report every mistake.")
    boolean dryRun;

    @Option(names = "--local", description = "Run against an embedded capture server; messages go to ./outbox.")
    boolean local;

    @Option(names = "--outbox", paramLabel = "DIR", description = "Where --local writes messages (default ./outbox).")
    Path outbox = Path.of("outbox");

    @Option(names = "--connect-to", paramLabel = "HOST:PORT",
            converter = Converters.HostPortValue.class,
            description = "Send every connect of the script to HOST:PORT instead (staging, tests).")
    HostPort connectTo;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Trust this CA (PEM) on every connection.")
    List<Path> tlsCa = new ArrayList<>();

    @Option(names = "--insecure", description = "Skip TLS certificate checks (loud; never with real credentials).")
    boolean insecure;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "Cap every SMTP stage's timeout (30s, 2m).")
    Duration timeout;

    @Option(names = "--max-time", paramLabel = "DURATION", converter = Converters.PositiveDuration.class,
            description = "Stop the whole run after DURATION (50m, 1h), compiling included: exit 75, a batch's journal"
                    + " kept for --resume (for cron).")
    Duration maxTime;

    @Mixin
    BatchOptionsMixin batch = new BatchOptionsMixin();

    @Spec
    CommandSpec spec;

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
        batch.check(spec);
        if (local && (dryRun || connectTo != null)) {
            throw new UsageError(spec, "--local cannot be combined with --dry-run or --connect-to");
        }
        Progress.Display display = batch.display(io, output.quiet());
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("--journal", batch.journal);
        outputs.put("--report", batch.report);
        outputs.put("--transcript", transcriptFile);
        if (local) {
            outputs.put("--outbox", outbox);
        }
        String clash = BatchFiles.clash(outputs);
        if (clash == null && batch.journal != null && batch.resume) {
            // Without --resume the script may still say resume: true; the batch checks that case itself.
            clash = BatchFiles.journalProblem(batch.journal, true, batch.newJournal);
        }
        if (clash != null) {
            throw new UsageError(spec, clash);
        }
        Map<String, Path> others = new LinkedHashMap<>();
        others.put("--transcript", transcriptFile);
        if (local) {
            others.put("--outbox", outbox);
        }
        boolean showSecrets = output.showSecrets;
        TranscriptRecorder recorder = new TranscriptRecorder(showSecrets);
        List<TranscriptListener> listeners = new ArrayList<>();
        listeners.add(recorder);
        if (output.verbose()) {
            listeners.add(new SwaksPrinter(err, err, showSecrets));
        } else if (!output.quiet()) {
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
        RunOptions options = RunOptions.builder(transcript, err)
                .vars(vars).args(args).trustedCa(tlsCa).insecure(insecure).timeout(timeout)
                .dryRun(dryRun).profile(profile).env(io.env()::get).resolver(io.resolver())
                .maxTime(maxTime)
                .profiles(profilesFile, new dev.postilion.profile.ProfileLoader(io.env()).withPrompter(io.prompter()))
                .batch(batch.overrides(display, others)).build();
        if (connectTo != null) {
            options = options.toBuilder().connectTo(connectTo.host(), connectTo.port()).build();
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
                options = options.toBuilder().local(true).connectTo(server.host(), server.port())
                        .trustedCa(concat(tlsCa, server.certificate())).build();
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
            server.report(err, output.quiet() && result.ok());
        }
        if (result.ok()) {
            if (dryRun && !output.quiet()) {
                out.println("=== --dry-run: " + script + " looks right (nothing was sent)");
            }
            return ExitCode.OK.code();
        }
        if (output.quiet()) {
            err.print(recorder.text());
        }
        ExitCode worst = null;
        for (dev.postilion.dsl.Problem p : result.problems()) {
            err.println(p.message());
            if (Main.debugging(spec) && p.cause() != null) {
                p.cause().printStackTrace(err);
            }
            ExitCode code = ExitCode.of(p);
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

    private static List<Path> concat(List<Path> a, Path b) {
        List<Path> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }
}
