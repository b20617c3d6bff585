package dev.postilion.batch;

import java.io.IOException;

/** A batch source could not be opened or read on: the batch stops, since later rows cannot be trusted. */
public final class SourceException extends IOException {

    private final boolean missing;

    /** A source that is unreadable or malformed past recovery. */
    public SourceException(String message, Throwable cause) {
        this(message, cause, false);
    }

    SourceException(String message, Throwable cause, boolean missing) {
        super(message, cause);
        this.missing = missing;
    }

    /** A source file that does not exist. */
    static SourceException missing(String message) {
        return new SourceException(message, null, true);
    }

    /** True when the source file does not exist (rather than being malformed or unreadable). */
    public boolean missing() {
        return missing;
    }
}
