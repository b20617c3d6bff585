package dev.postilion.profile;

/**
 * A profiles file, a profile in it, or one of its secrets could not be used. The message names
 * the file and line ({@code profiles.yaml:7: profile 'work': unknown key 'hots' (did you mean
 * 'host'?)}), never a secret's value, and never carries a stack trace; its {@link Kind} decides the
 * command line's exit code.
 */
public final class ProfileException extends RuntimeException {

    /** What kind of failure this is (the command line maps each to its exit code). */
    public enum Kind {
        /** The configuration is wrong or incomplete. */
        CONFIG,
        /** A profiles file that the user named explicitly does not exist. */
        NOINPUT
    }

    private final Kind kind;

    ProfileException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    ProfileException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** A configuration error with a ready message. */
    static ProfileException config(String message) {
        return new ProfileException(Kind.CONFIG, message);
    }

    /** A configuration error at a place in a profile: {@code file:line: profile 'p': detail}. */
    static ProfileException at(ProfileLocation location, String profile, String detail) {
        return config(location + ": profile '" + profile + "': " + detail);
    }

    /** A configuration error at a place in the file, outside any profile: {@code file:line: detail}. */
    static ProfileException at(ProfileLocation location, String detail) {
        return config(location + ": " + detail);
    }

    /**
     * The profile failure behind {@code failure}, or null: a secret that could not be read when AUTH
     * asked for it arrives wrapped in the engine's AUTH failure.
     */
    public static ProfileException causing(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProfileException p) {
                return p;
            }
        }
        return null;
    }

    /** What kind of failure this is. */
    public Kind kind() {
        return kind;
    }
}
