package dev.postilion.dsl;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.Resolver;
import dev.postilion.transcript.TranscriptListener;

/**
 * Everything a script run gets from outside the script: its variables, where the dialogue goes,
 * and the overrides given on the command line.
 *
 * @param vars {@code --var k=v} values, visible in the script as variables and in {@code vars}
 * @param args positional arguments after the script, visible as {@code args}
 * @param transcript where the dialogue goes
 * @param err where warnings go
 * @param connectTo when set, every {@code connect} goes to this host instead (for --local and tests)
 * @param connectPort the port that goes with {@code connectTo}
 * @param trustedCa extra PEM trust anchors for every connection
 * @param insecure skip certificate checks on every connection
 * @param timeout when set, caps every stage's timeout
 * @param local the target is the embedded capture server: secrets may stand in, implicit TLS becomes STARTTLS
 * @param dryRun check the script against a stand-in server, collecting every mistake
 * @param env the environment ({@code System::getenv} outside tests)
 * @param profile the profile named with {@code --profile}, or null
 * @param profilesFile the file named with {@code --profiles}, or null for the usual lookup
 * @param profileLoader loads profiles (its environment decides the lookup); null for the real one
 * @param batch command-line overrides for every {@code batch} of the script ({@link BatchOverrides#NONE} for none)
 * @param resolver turns host names into addresses for every connection ({@link Resolver#SYSTEM} outside tests)
 * @param maxTime when set, the wall-clock limit of the whole run ({@code --max-time}): at the limit the run is
 *        stopped and reported as a temporary failure
 */
public record RunOptions(Map<String, String> vars, List<String> args, TranscriptListener transcript, PrintStream err,
                         String connectTo, int connectPort, List<Path> trustedCa, boolean insecure, Duration timeout,
                         boolean local, boolean dryRun, Function<String, String> env, String profile,
                         Path profilesFile, ProfileLoader profileLoader, BatchOverrides batch,
                         Resolver resolver, Duration maxTime) {

    public RunOptions {
        if (batch == null) {
            batch = BatchOverrides.NONE;
        }
        if (resolver == null) {
            resolver = Resolver.SYSTEM;
        }
        vars = Map.copyOf(vars);
        args = List.copyOf(args);
        trustedCa = List.copyOf(trustedCa);
    }

    /** Defaults for tests and embedding: no variables, no overrides, the real environment. */
    public static RunOptions defaults(TranscriptListener transcript, PrintStream err) {
        return new RunOptions(Map.of(), List.of(), transcript, err, null, 0, List.of(), false, null, false, false,
                System::getenv, null, null, null, BatchOverrides.NONE, Resolver.SYSTEM, null);
    }

    public RunOptions withVars(Map<String, String> v) {
        return new RunOptions(v, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withConnectTo(String host, int port) {
        return new RunOptions(vars, args, transcript, err, host, port, trustedCa, insecure, timeout, local, dryRun,
                env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withTrustedCa(List<Path> ca) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, ca, insecure, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withTimeout(Duration t) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, t, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withLocal(boolean on) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, on,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withDryRun(boolean on) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                on, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withEnv(Function<String, String> e) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, e, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withInsecure(boolean on) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, on, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withArgs(List<String> a) {
        return new RunOptions(vars, a, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withProfile(String p) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, p, profilesFile, profileLoader, batch, resolver, maxTime);
    }

    public RunOptions withProfiles(Path file, ProfileLoader loader) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, profile, file, loader, batch, resolver, maxTime);
    }

    // ---- batch overrides (postilion run --concurrency, --rate, --journal, ...)

    public RunOptions withBatch(BatchOverrides b) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, b, resolver, maxTime);
    }

    /** Resolves every connection's host name with {@code r} (tests: no DNS). */
    public RunOptions withResolver(Resolver r) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, r, maxTime);
    }

    /** Stops the run when it has taken {@code limit} ({@code --max-time}); null for no limit. */
    public RunOptions withMaxTime(Duration limit) {
        return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout, local,
                dryRun, env, profile, profilesFile, profileLoader, batch, resolver, limit);
    }
}
