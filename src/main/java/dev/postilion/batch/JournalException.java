package dev.postilion.batch;

import java.io.IOException;

/** The journal cannot be used: damaged, locked by another run, or of another batch or shard. */
public final class JournalException extends IOException {

    /** Why the journal cannot be used, for the exit code. */
    enum Why {
        /** The file is damaged or unreadable (exit 74). */
        DAMAGED,
        /** Another run holds it (exit 75: try again later). */
        LOCKED,
        /** The command line asks for the wrong thing: a resume without a journal, a new batch on an old one (64). */
        USAGE,
        /** The source is not the one the journal records (exit 65). */
        SOURCE
    }

    private final Why why;

    JournalException(String message, Throwable cause, boolean locked) {
        this(message, cause, locked ? Why.LOCKED : Why.DAMAGED);
    }

    JournalException(String message, Throwable cause, Why why) {
        super(message, cause);
        this.why = why;
    }

    JournalException(String message) {
        this(message, null, Why.DAMAGED);
    }

    /** True when another run holds the journal (try again later), rather than the file being unusable. */
    public boolean locked() {
        return why == Why.LOCKED;
    }

    /** What the run should exit with. */
    Outcome outcome() {
        return switch (why) {
            case LOCKED -> Outcome.DEFERRED;
            case USAGE -> Outcome.USAGE;
            case SOURCE -> Outcome.BAD_SOURCE;
            case DAMAGED -> Outcome.LOCAL_IO;
        };
    }
}
