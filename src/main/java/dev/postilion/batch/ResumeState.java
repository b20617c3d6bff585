package dev.postilion.batch;

import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a journal says is already done, kept compact: one bit per finished row, and a small map for
 * the rows that are only partly done or in doubt. Deferred recipients are tried again by a resumed
 * batch; all it remembers of them is when their row was first tried, so that its age (for
 * {@code maxAge}) counts from the first run.
 */
final class ResumeState {

    /** A recipient's standing from earlier runs. */
    enum Standing {
        SENT, FAILED, IN_DOUBT, EXPIRED
    }

    /** A row partly done: each remembered recipient's standing, and the Message-ID and Date last used. */
    static final class RowMemory {
        final Map<String, Standing> recipients = new LinkedHashMap<>();
        String messageId;
        String date;

        /** The recipients a resumed run must not send to (done, or in doubt unless resent). */
        boolean blocks(String recipient, boolean resendInDoubt) {
            Standing s = recipients.get(recipient);
            return s == Standing.SENT || s == Standing.FAILED || s == Standing.EXPIRED
                    || (s == Standing.IN_DOUBT && !resendInDoubt);
        }

        List<String> inDoubt() {
            return recipients.entrySet().stream().filter(e -> e.getValue() == Standing.IN_DOUBT)
                    .map(Map.Entry::getKey).toList();
        }
    }

    private final BitSet complete = new BitSet();
    private final Map<Long, RowMemory> partial = new HashMap<>();
    private final Map<Long, Long> firstTried = new HashMap<>();
    private long completeCount;

    static final ResumeState EMPTY = new ResumeState();

    /** True when every recipient of the row was sent or failed in an earlier run. */
    boolean complete(long row) {
        return row <= Integer.MAX_VALUE && complete.get((int) row);
    }

    /** The row's partial memory, or null. */
    RowMemory partial(long row) {
        return partial.get(row);
    }

    /** When an earlier run first tried the row (milliseconds since 1970), or null when none left it deferred. */
    Long firstTried(long row) {
        return firstTried.get(row);
    }

    /** Rows finished in earlier runs. */
    long completeCount() {
        return completeCount;
    }

    /** Rows with a recipient in doubt, by row number. */
    Map<Long, RowMemory> inDoubtRows() {
        Map<Long, RowMemory> out = new java.util.TreeMap<>();
        partial.forEach((row, m) -> {
            if (m.recipients.containsValue(Standing.IN_DOUBT)) {
                out.put(row, m);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    // ------------------------------------------------------------------ loading, record by record

    void sending(long row, List<String> to, String messageId, String date) {
        if (complete(row)) {
            return;
        }
        RowMemory m = partial.computeIfAbsent(row, r -> new RowMemory());
        for (String r : to) {
            m.recipients.put(r, Standing.IN_DOUBT);
        }
        m.messageId = messageId;
        m.date = date;
    }

    /**
     * A result line.
     *
     * @param first when the row was first tried (milliseconds since 1970), or null when the line does not say
     */
    void terminal(long row, List<String> to, String state, boolean done, Long first) {
        if (complete(row)) {
            return;
        }
        if (done) {
            if (row > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("row number too large for a journal: " + row);
            }
            complete.set((int) row);
            completeCount++;
            partial.remove(row);
            firstTried.remove(row);
            return;
        }
        if (first != null) {
            firstTried.merge(row, first, Math::min);
        }
        RowMemory m = partial.get(row);
        switch (state) {
            case "sent", "failed", "in-doubt", "expired" -> {
                if (m == null) {
                    m = new RowMemory();
                    partial.put(row, m);
                }
                Standing s = switch (state) {
                    case "sent" -> Standing.SENT;
                    case "failed" -> Standing.FAILED;
                    case "expired" -> Standing.EXPIRED;
                    default -> Standing.IN_DOUBT;
                };
                for (String r : to) {
                    m.recipients.put(r, s);
                }
            }
            case "deferred", "not-sent" -> {
                if (m != null) {
                    to.forEach(m.recipients::remove);
                    if (m.recipients.isEmpty()) {
                        partial.remove(row);
                    }
                }
            }
            default -> {
                // "invalid" and later states this version does not know: nothing to remember.
            }
        }
    }
}
