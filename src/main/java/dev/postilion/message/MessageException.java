package dev.postilion.message;

/**
 * A message could not be built: bad data (an address, a header with a line break, a missing
 * template variable), a missing input file, or a local read failure. The text names the field
 * or file and never contains a raw control character.
 */
public final class MessageException extends RuntimeException {

    /** What kind of failure this is (the command line maps each to its exit code). */
    public enum Kind {
        /** Bad data: an address, a header value, a template error. */
        BAD_DATA,
        /** An attachment, inline image, raw message or template file is missing. */
        MISSING_INPUT,
        /** A file exists but could not be read. */
        LOCAL_IO
    }

    private final Kind kind;

    /** A bad-data failure. */
    public MessageException(String message) {
        this(Kind.BAD_DATA, message, null);
    }

    /** A bad-data failure with its cause. */
    public MessageException(String message, Throwable cause) {
        this(Kind.BAD_DATA, message, cause);
    }

    /** A failure of the given kind. */
    public MessageException(Kind kind, String message) {
        this(kind, message, null);
    }

    /** A failure of the given kind, with its cause. */
    public MessageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What kind of failure this is. */
    public Kind kind() {
        return kind;
    }
}
