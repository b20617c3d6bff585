package dev.postilion.dsl;

import dev.postilion.smtp.SmtpException;

/**
 * An SMTP step of the script failed: the server refused, timed out or broke the protocol. The
 * message is {@code <script>:<line>: <what the engine says>}; the cause carries the stage, the
 * reply and the server.
 */
public final class ScriptFailure extends RuntimeException {

    private final ScriptLocation location;
    private final SmtpException.Kind kind;

    public ScriptFailure(ScriptLocation location, SmtpException cause) {
        this(location, cause.kind(), cause.getMessage() + Hints.remedy(cause), cause);
    }

    public ScriptFailure(ScriptLocation location, SmtpException.Kind kind, String message, Throwable cause) {
        super(location + ": " + message, cause);
        this.location = location;
        this.kind = kind;
    }

    public ScriptLocation location() {
        return location;
    }

    /** What kind of failure, for the exit code. */
    public SmtpException.Kind kind() {
        return kind;
    }
}
