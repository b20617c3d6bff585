package dev.postilion.dsl;

import groovy.lang.Script;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.postilion.batch.RowSource;

/**
 * The script's words that talk no SMTP: {@code env}, {@code file}, {@code log}, {@code secret},
 * {@code maxTime}, and the batch sources {@code csv}, {@code jsonl} and {@code yaml}.
 * {@link MailScript} extends it with the SMTP verbs; Groovy finds the words of both on the
 * script's base class.
 */
public abstract class LocalVerbs extends Script {

    /** The run, as the script's words see it; set before the script runs. */
    private ScriptScope scope;

    LocalVerbs() {
    }

    /** Called by {@link MailScript#attach} before {@code run()}. */
    final void attachScope(ScriptScope runScope) {
        this.scope = runScope;
    }

    /** An environment variable; fails the script when it is not set. */
    public String env(String name) {
        if (name == null) {
            return scope.problem(new ScriptError(scope.here(), VerbSpelling.missingValue("env")), "");
        }
        String v = scope.context().options().env().apply(name);
        if (v == null) {
            return scope.problem(new ScriptError(scope.here(), ScriptError.Kind.CONFIG, "environment variable "
                    + name + " is not set (export it, or give a default: env('" + name + "', 'value'))", null), "");
        }
        return v;
    }

    /** An environment variable, or {@code fallback} when it is not set. */
    public String env(String name, String fallback) {
        if (name == null) {
            return scope.problem(new ScriptError(scope.here(), VerbSpelling.missingValue("env")), fallback);
        }
        String v = scope.context().options().env().apply(name);
        return v != null ? v : fallback;
    }

    /** A file relative to the script's folder (absolute paths stay as they are). */
    public File file(String path) {
        ScriptLocation at = scope.here();
        if (path == null) {
            return scope.problem(new ScriptError(at, VerbSpelling.missingValue("file")), null);
        }
        Path p = scope.resolve(path);
        if (!Files.exists(p)) {
            return scope.problem(new ScriptError(at, ScriptError.Kind.MISSING_FILE, "file " + p + " does not exist",
                    null), p.toFile());
        }
        return p.toFile();
    }

    /** Writes an info line ({@code ===}) into the transcript. */
    public void log(Object text) {
        scope.context().transcript().info(String.valueOf(text));
    }

    /**
     * The password of a profile as a masked secret: its {@code toString()} never shows it, and only
     * AUTH reads it. With {@code --local} and no such profile, a stand-in test password is used.
     */
    public Object secret(String profile) {
        return scope.context().secret(profile, scope.here());
    }

    /**
     * Limits the whole run to {@code duration} ({@code '50m'}, {@code '1h'}) from its start, like
     * {@code --max-time}; the shorter of the two wins. At the limit the run stops: a running batch
     * keeps its journal for {@code --resume}, and the exit code is 75 (temporary), so a cron job
     * never overlaps its next run.
     */
    public void maxTime(String duration) {
        ScriptLocation at = scope.here();
        if (duration == null) {
            throw new ScriptError(at, VerbSpelling.missingValue("maxTime"));
        }
        Duration d = RunLimit.scriptLimit(duration, at);
        scope.context().limit().limit(d, RunLimit.named("maxTime", d) + " (" + at + ")");
    }

    /** A CSV file with a header line, as the rows of a {@code batch}: {@code csv('people.csv')}. */
    public RowSource csv(String path) {
        return csv(Map.of(), path);
    }

    /** A CSV file with another delimiter: {@code csv('people.csv', delimiter: ';')} (or {@code 'tab'}). */
    public RowSource csv(Map<String, ?> options, String path) {
        return RowSources.csv(scope, options, path);
    }

    /** A JSON Lines file (one JSON object per line), as the rows of a {@code batch}. */
    public RowSource jsonl(String path) {
        return RowSources.jsonl(scope, path);
    }

    /** A YAML file holding a list of mappings, as the rows of a {@code batch}. */
    public RowSource yaml(String path) {
        return RowSources.yaml(scope, path);
    }
}
