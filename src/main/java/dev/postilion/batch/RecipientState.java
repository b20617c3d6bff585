package dev.postilion.batch;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** What became of a recipient (or of a row), as the journal, the report and a resume name it. */
public enum RecipientState {
    /** The final dot is next: journaled and forced to disk before it goes out. */
    SENDING,
    /** The server accepted the message (2xx after the dot). */
    SENT,
    /** Refused permanently (5xx). */
    FAILED,
    /** Still refused temporarily (4xx, a lost connection) after every retry; a resume tries again. */
    DEFERRED,
    /** Still refused temporarily when the message reached its maximum age: never tried again. */
    EXPIRED,
    /** The dot went out and no reply came back (RFC 1047): maybe delivered, never resent silently. */
    IN_DOUBT,
    /** The row could not make a message. */
    INVALID,
    /** The server answered the final dot without taking the message (4xx, a daily quota). */
    NOT_SENT,
    /** Read, but not finished because the batch stopped (report only; a resume sends it). */
    PENDING,
    /** The script made no message for the row (report only). */
    SKIPPED,
    /** The row repeats the key of an earlier row of this run: sent once (report only). */
    DUPLICATE,
    /** A dry run built the message and sent nothing (report only). */
    CHECKED;

    private static final Map<String, RecipientState> BY_WIRE = new HashMap<>();

    static {
        for (RecipientState s : values()) {
            BY_WIRE.put(s.wire(), s);
        }
    }

    private final String wire = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The name in the journal and the report: {@code sent}, {@code in-doubt}, {@code not-sent} ... */
    public String wire() {
        return wire;
    }

    /** The state a journal or report names, or null for a name this version does not know. */
    public static RecipientState ofWire(String name) {
        return BY_WIRE.get(name);
    }

    /** A final outcome: the recipient is never tried again (sent, failed, expired). */
    public boolean isFinal() {
        return this == SENT || this == FAILED || this == EXPIRED;
    }

    @Override
    public String toString() {
        return wire;
    }
}
