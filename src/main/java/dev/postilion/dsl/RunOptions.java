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
        return builder(transcript, err).build();
    }

    /** Options that start as {@link #defaults}, changed one setting at a time. */
    public static Builder builder(TranscriptListener transcript, PrintStream err) {
        return new Builder(transcript, err);
    }

    /** Options that start as these, changed one setting at a time. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Collects the settings of a run; each setter returns the builder, {@link #build()} the options. */
    public static final class Builder {
        private Map<String, String> vars = Map.of();
        private List<String> args = List.of();
        private final TranscriptListener transcript;
        private final PrintStream err;
        private String connectTo;
        private int connectPort;
        private List<Path> trustedCa = List.of();
        private boolean insecure;
        private Duration timeout;
        private boolean local;
        private boolean dryRun;
        private Function<String, String> env = System::getenv;
        private String profile;
        private Path profilesFile;
        private ProfileLoader profileLoader;
        private BatchOverrides batch = BatchOverrides.NONE;
        private Resolver resolver = Resolver.SYSTEM;
        private Duration maxTime;

        private Builder(TranscriptListener transcript, PrintStream err) {
            this.transcript = transcript;
            this.err = err;
        }

        private Builder(RunOptions o) {
            this(o.transcript, o.err);
            vars = o.vars;
            args = o.args;
            connectTo = o.connectTo;
            connectPort = o.connectPort;
            trustedCa = o.trustedCa;
            insecure = o.insecure;
            timeout = o.timeout;
            local = o.local;
            dryRun = o.dryRun;
            env = o.env;
            profile = o.profile;
            profilesFile = o.profilesFile;
            profileLoader = o.profileLoader;
            batch = o.batch;
            resolver = o.resolver;
            maxTime = o.maxTime;
        }

        public Builder vars(Map<String, String> v) {
            vars = v;
            return this;
        }

        public Builder args(List<String> a) {
            args = a;
            return this;
        }

        public Builder connectTo(String host, int port) {
            connectTo = host;
            connectPort = port;
            return this;
        }

        public Builder trustedCa(List<Path> ca) {
            trustedCa = ca;
            return this;
        }

        public Builder insecure(boolean on) {
            insecure = on;
            return this;
        }

        public Builder timeout(Duration t) {
            timeout = t;
            return this;
        }

        public Builder local(boolean on) {
            local = on;
            return this;
        }

        public Builder dryRun(boolean on) {
            dryRun = on;
            return this;
        }

        public Builder env(Function<String, String> e) {
            env = e;
            return this;
        }

        public Builder profile(String p) {
            profile = p;
            return this;
        }

        public Builder profiles(Path file, ProfileLoader loader) {
            profilesFile = file;
            profileLoader = loader;
            return this;
        }

        /** Command-line overrides for every batch ({@code postilion run --concurrency, --rate, --journal, ...}). */
        public Builder batch(BatchOverrides b) {
            batch = b;
            return this;
        }

        /** Resolves every connection's host name with {@code r} (tests: no DNS). */
        public Builder resolver(Resolver r) {
            resolver = r;
            return this;
        }

        /** Stops the run when it has taken {@code limit} ({@code --max-time}); null for no limit. */
        public Builder maxTime(Duration limit) {
            maxTime = limit;
            return this;
        }

        public RunOptions build() {
            return new RunOptions(vars, args, transcript, err, connectTo, connectPort, trustedCa, insecure, timeout,
                    local, dryRun, env, profile, profilesFile, profileLoader, batch, resolver, maxTime);
        }
    }
}
