package dev.postilion.dsl;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.postilion.batch.RowSource;
import dev.postilion.io.InputFile;

/**
 * The rows of a {@code batch} from the files a script names ({@code csv}, {@code jsonl},
 * {@code yaml}): the file is checked where the script names it, its rows are read by the batch.
 */
final class RowSources {

    private RowSources() {
    }

    /** {@code csv('people.csv')} or {@code csv('people.csv', delimiter: ';')}. */
    static RowSource csv(ScriptScope script, Map<String, ?> options, String path) {
        ScriptLocation at = script.here();
        NamedArgs a = VerbOptions.CSV.check(options, at);
        char delimiter = ',';
        String d = a.string("delimiter");
        if (d != null) {
            if (d.equals("\\t") || d.equalsIgnoreCase("tab")) {
                delimiter = '\t';
            } else if (d.length() != 1 || d.charAt(0) == '"' || d.charAt(0) == '\r' || d.charAt(0) == '\n') {
                return script.problem(new ScriptError(at, "csv: delimiter must be one character such as ';' or"
                        + " 'tab', not '" + d + "'"), RowSource.of(List.of()));
            } else {
                delimiter = d.charAt(0);
            }
        }
        Path file = existing(script, at, "csv", path);
        return file == null ? RowSource.of(List.of()) : RowSource.csv(file, delimiter);
    }

    /** {@code jsonl('people.jsonl')}. */
    static RowSource jsonl(ScriptScope script, String path) {
        Path file = existing(script, script.here(), "jsonl", path);
        return file == null ? RowSource.of(List.of()) : RowSource.jsonLines(file);
    }

    /** {@code yaml('people.yaml')}. */
    static RowSource yaml(ScriptScope script, String path) {
        Path file = existing(script, script.here(), "yaml", path);
        return file == null ? RowSource.of(List.of()) : RowSource.yaml(file);
    }

    private static Path existing(ScriptScope script, ScriptLocation at, String verb, String path) {
        if (path == null) {
            return script.problem(new ScriptError(at, verb + " needs a file name: " + verb + "('people." + verb
                    + "')"), null);
        }
        Path file = script.resolve(path);
        try {
            InputFile.check(file);
        } catch (InputFile.Refused e) {
            return script.problem(new ScriptError(at, ScriptError.Kind.MISSING_FILE, verb + ": "
                    + (e.reason() == InputFile.Reason.MISSING ? "file " : "") + e.getMessage(), null), null);
        }
        return file;
    }
}
