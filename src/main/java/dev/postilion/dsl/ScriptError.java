package dev.postilion.dsl;

import java.time.Duration;

import dev.postilion.smtp.Durations;

/**
 * A mistake of the script's author, found while running it: an unknown named argument, a verb out
 * of order, a missing file. Its message is the whole user-facing text, starting with the location.
 */
public class ScriptError extends RuntimeException {

    /** What kind of mistake, for the exit code. */
    public enum Kind {
        /** A mistake in the script (exit 65). */
        SCRIPT,
        /** A file the script names does not exist (exit 66). */
        MISSING_FILE,
        /** A profile, secret or TLS setting is wrong (exit 78). */
        CONFIG,
        /** A local file could not be read or written (exit 74). */
        LOCAL_IO,
        /** The command line asks for something the files contradict: {@code --resume} with no journal (exit 64). */
        USAGE
    }

    private final ScriptLocation location;
    private final Kind kind;
    private final String detail;

    public ScriptError(ScriptLocation location, String detail) {
        this(location, Kind.SCRIPT, detail, null);
    }

    public ScriptError(ScriptLocation location, Kind kind, String detail, Throwable cause) {
        super(location + ": " + (kind == Kind.SCRIPT ? "script error: " : "") + detail, cause);
        this.location = location;
        this.kind = kind;
        this.detail = detail;
    }

    /** The duration a script wrote ({@link Durations#parse}), or a script error naming {@code what}. */
    static Duration duration(ScriptLocation at, String what, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ScriptError(at, what + ": " + e.getMessage());
        }
    }

    public ScriptLocation location() {
        return location;
    }

    public Kind kind() {
        return kind;
    }

    /** The message without the location. */
    public String detail() {
        return detail;
    }
}
