package dev.postilion.dsl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileException;
import dev.postilion.profile.ProfileFile;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.profile.Secret;
import dev.postilion.transcript.TranscriptListener;

/** What a running script knows about its run: options, where it lives, and (in a dry run) the mistakes found. */
final class ScriptContext {

    /** The password that stands in for a profile's with {@code --local} or {@code --dry-run}. */
    static final String STAND_IN_PASSWORD = "local-test-password";

    private final RunOptions options;
    private final String scriptName;
    private final Path scriptDir;
    private final String scriptDigest;
    private final List<ScriptError> recorded = new ArrayList<>();
    private final List<Problem> batchProblems = new ArrayList<>();
    private final RunLimit limit;
    private ProfileFile profiles;
    private Profile current;
    /** Which profile each secret handed out by {@code secret('name')} belongs to (AUTH-02). */
    private final java.util.Map<Object, Profile> secretOwners =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    /** {@code scriptDigest}: of the script file's bytes as read ({@code sha256:...}), or null for script text. */
    ScriptContext(RunOptions options, String scriptName, Path scriptDir, RunLimit limit, String scriptDigest) {
        this.options = options;
        this.scriptName = scriptName;
        this.scriptDir = scriptDir;
        this.limit = limit;
        this.scriptDigest = scriptDigest;
    }

    /** The same run with other options (a dry run's, pointed at its stand-in server). */
    ScriptContext withOptions(RunOptions other) {
        return new ScriptContext(other, scriptName, scriptDir, limit, scriptDigest);
    }

    /** The digest of the script file as it was read, or null when the script was given as text. */
    String scriptDigest() {
        return scriptDigest;
    }

    /** The run's wall-clock limit (--max-time, maxTime). */
    RunLimit limit() {
        return limit;
    }

    RunOptions options() {
        return options;
    }

    TranscriptListener transcript() {
        return options.transcript();
    }

    String scriptName() {
        return scriptName;
    }

    Path scriptDir() {
        return scriptDir;
    }

    /** The script line running now. */
    ScriptLocation here() {
        return ScriptLocation.current(scriptName);
    }

    /** A file the script names: relative to the script's folder ({@code ~/} is the home folder). */
    Path resolve(String path) {
        Path p = Path.of(path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path);
        return p.isAbsolute() ? p : scriptDir.resolve(p).normalize();
    }

    /** Records a mistake in a dry run (and returns {@code fallback}); throws it otherwise. */
    <T> T problem(ScriptError error, T fallback) {
        if (options.dryRun()) {
            record(error);
            return fallback;
        }
        throw error;
    }

    /**
     * The sender when the script names none: the {@code from:} of the profile the connection was made
     * from, or null. One rule for a bare {@code mail}, a top-level {@code send { }} and a batch's rows.
     */
    String profileFrom() {
        Profile p = current;
        return p == null ? null : p.from();
    }

    /** Records a dry-run mistake; one per script line, since later ones on a line only follow from the first. */
    synchronized void record(ScriptError e) {
        for (ScriptError r : recorded) {
            if (r.location().equals(e.location())) {
                return;
            }
        }
        recorded.add(e);
    }

    synchronized List<ScriptError> recorded() {
        return new ArrayList<>(recorded);
    }

    /** A batch that ended with deferred, failed or invalid items: reported when the script ends. */
    synchronized void batchProblem(Problem p) {
        batchProblems.add(p);
    }

    synchronized List<Problem> batchProblems() {
        return new ArrayList<>(batchProblems);
    }

    /**
     * A profile's password (or token) as a masked secret. Under --local and --dry-run a profile that
     * does not exist (or a missing profiles file) gives a stand-in test password instead.
     */
    Object secret(String name, ScriptLocation at) {
        Profile p;
        try {
            p = profile(name, at);
        } catch (ScriptError e) {
            if (options.local() || options.dryRun()) {
                return standIn(name == null ? "default" : name);
            }
            throw e;
        }
        if (p.secret() == null) {
            if (options.local() || options.dryRun()) {
                return standIn(p.name());
            }
            throw new ScriptError(at, ScriptError.Kind.CONFIG, "secret('" + p.name() + "'): profile '" + p.name()
                    + "' (" + p.location() + ") has no password or token", null);
        }
        if (options.dryRun()) {
            return standIn(p.name());
        }
        Object secret = p.secret();
        secretOwners.put(secret, p);
        return secret;
    }

    /** The profile a {@code secret('name')} came from, or null for any other value. */
    Profile ownerOf(Object secret) {
        return secret == null ? null : secretOwners.get(secret);
    }

    private Object standIn(String name) {
        transcript().info((options.dryRun() ? "--dry-run" : "--local") + ": secret('" + name
                + "') stands in as a test password");
        return Secret.of(STAND_IN_PASSWORD);
    }

    /**
     * A profile by name; null means the one of the last {@code connect profile:}, else
     * {@code --profile}, else the file's {@code default:}.
     */
    Profile profile(String name, ScriptLocation at) {
        if (name == null && current != null) {
            return current;
        }
        try {
            if (profiles == null) {
                ProfileLoader loader = options.profileLoader() != null ? options.profileLoader() : new ProfileLoader();
                profiles = loader.load(options.profilesFile());
            }
            return profiles.select(name != null ? name : options.profile());
        } catch (ProfileException e) {
            throw new ScriptError(at, e.kind() == ProfileException.Kind.NOINPUT ? ScriptError.Kind.MISSING_FILE
                    : ScriptError.Kind.CONFIG, e.getMessage(), e);
        }
    }

    /** Makes a profile the one later verbs default to. */
    void use(Profile p) {
        current = p;
    }

    /** The profile in use, or null. */
    Profile current() {
        return current;
    }
}
