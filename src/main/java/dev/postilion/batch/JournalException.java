package dev.postilion.batch;

import java.io.IOException;

/** The journal cannot be used: damaged, locked by another run, or of another batch or shard. */
public final class JournalException extends IOException {

    private final boolean locked;

    JournalException(String message, Throwable cause, boolean locked) {
        super(message, cause);
        this.locked = locked;
    }

    JournalException(String message) {
        this(message, null, false);
    }

    /** True when another run holds the journal (try again later), rather than the file being unusable. */
    public boolean locked() {
        return locked;
    }
}
