package dev.postilion.batch;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a journal says is already done, kept compact and looked up by a row's identity: its key (a
 * digest of its recipients, or of what the script names), or its row number for a journal written
 * before keys. Every identity the journal names sits in one {@link KeySet} (8 bytes a slot), marked
 * when its row is finished; a small map holds the rows only partly done or in doubt. Deferred
 * recipients are tried again by a resumed batch; all it remembers of them is when their row was
 * first tried, so that its age (for {@code maxAge}) counts from the first run. The same set tells a
 * run which identities it met already, so a key twice in the source is sent once.
 */
final class ResumeState {

    /** What a run does with a row's identity when it meets it. */
    enum Claim {
        /** Not finished before, not met before in this run: send. */
        NEW,
        /** An earlier run finished it. */
        DONE_BEFORE,
        /** This run met it already, in an earlier row. */
        DUPLICATE
    }

    /** A row partly done: each remembered recipient's standing, and the Message-ID and Date last used. */
    static final class RowMemory {
        final Map<String, RecipientState> recipients = new LinkedHashMap<>();
        String messageId;
        String date;
        /** The row number the journal last wrote for it (the source's order may have changed since). */
        long row;

        /** The recipients a resumed run must not send to (done, or in doubt unless resent). */
        boolean blocks(String recipient, boolean resendInDoubt) {
            RecipientState s = recipients.get(recipient);
            return s != null && (s.isFinal() || s == RecipientState.IN_DOUBT && !resendInDoubt);
        }

        List<String> inDoubt() {
            return recipients.entrySet().stream().filter(e -> e.getValue() == RecipientState.IN_DOUBT)
                    .map(Map.Entry::getKey).toList();
        }
    }

    private final KeySet known = new KeySet();
    private final Map<Long, RowMemory> partial = new HashMap<>();
    private final Map<Long, Long> firstTried = new HashMap<>();
    private long completeCount;

    /** True when every recipient of the row was sent or failed in an earlier run. */
    synchronized boolean complete(long id) {
        long f = known.flags(id);
        return f >= 0 && (f & KeySet.DONE) != 0;
    }

    /** The row's partial memory, or null. */
    synchronized RowMemory partial(long id) {
        return partial.get(id);
    }

    /** When an earlier run first tried the row (milliseconds since 1970), or null when none left it deferred. */
    synchronized Long firstTried(long id) {
        return firstTried.get(id);
    }

    /** Rows finished in earlier runs. */
    synchronized long completeCount() {
        return completeCount;
    }

    /** Identities the journal names (finished, partly done, in doubt, deferred). */
    synchronized int knownCount() {
        return known.size();
    }

    /** Rows with a recipient in doubt, by identity. */
    synchronized Map<Long, RowMemory> inDoubtRows() {
        Map<Long, RowMemory> out = new java.util.TreeMap<>();
        partial.forEach((row, m) -> {
            if (m.recipients.containsValue(RecipientState.IN_DOUBT)) {
                out.put(row, m);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Rows partly done or in doubt, by identity (for {@code journal show}). */
    synchronized Map<Long, RowMemory> partialRows() {
        return Collections.unmodifiableMap(new java.util.TreeMap<>(partial));
    }

    /** Notes the row number a journal line gave the identity. */
    synchronized void row(long id, long row) {
        RowMemory m = partial.get(id);
        if (m != null) {
            m.row = row;
        }
    }

    /** The digest of the cells the identity's row had when it was sent (0: not recorded). */
    synchronized int cells(long id) {
        return known.cells(id);
    }

    /** Keeps the digest of the cells the identity's row had when the journal wrote it. */
    void cells(long id, int digest) {
        known.add(id, 0);
        known.cells(id, digest);
    }

    /** Records that this run met {@code id}, and says what to do with its row. */
    synchronized Claim claim(long id) {
        long f = known.flags(id);
        if (f >= 0 && (f & KeySet.SEEN) != 0) {
            return Claim.DUPLICATE;
        }
        known.add(id, KeySet.SEEN);
        return f >= 0 && (f & KeySet.DONE) != 0 ? Claim.DONE_BEFORE : Claim.NEW;
    }

    /** While comparing a source with the journal: true the first time a known identity is met. */
    synchronized boolean match(long id) {
        long f = known.flags(id);
        if (f < 0 || (f & KeySet.SEEN) != 0) {
            return false;
        }
        known.add(id, KeySet.SEEN);
        return true;
    }

    /** Forgets the marks {@link #match} left, before the run proper. */
    synchronized void forgetMatches() {
        known.clear(KeySet.SEEN);
    }

    // ------------------------------------------------------------------ loading, record by record

    /** A line that names the identity without changing its standing (invalid, not-sent). */
    void named(long id) {
        known.add(id, 0);
    }

    void sending(long id, List<String> to, String messageId, String date) {
        if (complete(id)) {
            return;
        }
        known.add(id, 0);
        RowMemory m = partial.computeIfAbsent(id, r -> new RowMemory());
        for (String r : to) {
            m.recipients.put(r, RecipientState.IN_DOUBT);
        }
        m.messageId = messageId;
        m.date = date;
    }

    /**
     * A result line.
     *
     * @param first when the row was first tried (milliseconds since 1970), or null when the line does not say
     */
    void terminal(long id, List<String> to, RecipientState state, boolean done, Long first) {
        if (complete(id)) {
            return;
        }
        if (done) {
            known.add(id, KeySet.DONE);
            completeCount++;
            partial.remove(id);
            firstTried.remove(id);
            return;
        }
        known.add(id, 0);
        if (first != null) {
            firstTried.merge(id, first, Math::min);
        }
        RowMemory m = partial.get(id);
        switch (state == null ? RecipientState.INVALID : state) {
            case SENT, FAILED, IN_DOUBT, EXPIRED -> {
                if (m == null) {
                    m = new RowMemory();
                    partial.put(id, m);
                }
                for (String r : to) {
                    m.recipients.put(r, state);
                }
            }
            case DEFERRED, NOT_SENT -> {
                if (m != null) {
                    to.forEach(m.recipients::remove);
                    if (m.recipients.isEmpty()) {
                        partial.remove(id);
                    }
                }
            }
            default -> {
                // invalid, and states this version does not know (null): nothing to remember.
            }
        }
    }
}
