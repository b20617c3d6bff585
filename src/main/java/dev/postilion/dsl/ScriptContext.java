package dev.postilion.dsl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.postilion.transcript.TranscriptListener;

/** What a running script knows about its run: options, where it lives, and (in a dry run) the mistakes found. */
final class ScriptContext {

    /** The password that stands in for a profile's with {@code --local} or {@code --dry-run}. */
    static final String STAND_IN_PASSWORD = "local-test-password";

    private final RunOptions options;
    private final String scriptName;
    private final Path scriptDir;
    private final List<ScriptError> recorded = new ArrayList<>();

    ScriptContext(RunOptions options, String scriptName, Path scriptDir) {
        this.options = options;
        this.scriptName = scriptName;
        this.scriptDir = scriptDir;
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

    /** Records a dry-run mistake; one per script line, since later ones on a line only follow from the first. */
    void record(ScriptError e) {
        for (ScriptError r : recorded) {
            if (r.location().equals(e.location())) {
                return;
            }
        }
        recorded.add(e);
    }

    List<ScriptError> recorded() {
        return recorded;
    }

    /** A profile's password as a masked secret; a stand-in under --local and --dry-run. */
    Object secret(String profile, ScriptLocation at) {
        if (options.local() || options.dryRun()) {
            transcript().info((options.dryRun() ? "--dry-run" : "--local") + ": secret('" + profile
                    + "') stands in as a test password");
            return new MaskedSecret(STAND_IN_PASSWORD);
        }
        throw new ScriptError(at, ScriptError.Kind.CONFIG, "secret('" + profile + "'): profiles are not"
                + " available yet in this build", null);
    }

    /** A secret whose text never shows in output. */
    record MaskedSecret(String value) implements CharSequence {
        @Override public int length() {
            return value.length();
        }

        @Override public char charAt(int index) {
            return value.charAt(index);
        }

        @Override public CharSequence subSequence(int start, int end) {
            return value.subSequence(start, end);
        }

        @Override public String toString() {
            return "********";
        }
    }
}
