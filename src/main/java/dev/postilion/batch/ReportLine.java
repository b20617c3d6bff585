package dev.postilion.batch;

import java.util.List;

import dev.postilion.smtp.Reply;

/**
 * One line of the batch report: what became of one recipient (or of a row that made no message).
 * The on-disk form is {@link #toJson()}, fields in this order, absent ones left out:
 * {@code row, to, state, key, mid, code, enhanced, reply, queue, attempts, settled, error}; a line
 * carried forward from an earlier run's journal names {@code queue} before {@code reply}, as that
 * journal did, and ends with {@code "earlierRun":true}.
 *
 * @param row the row number
 * @param to the recipient (a list of them for a pending row), or null
 * @param state what became of it
 * @param key the row's key (duplicate rows), or null
 * @param mid the Message-ID, or null
 * @param code the reply code, or null
 * @param enhanced the reply's enhanced status code, or null
 * @param reply the whole reply (every line), or null
 * @param queue the server's queue id, or null
 * @param attempts transactions tried, or null
 * @param settled who settled the message (lines from an earlier run), or null
 * @param error the problem in words, or null
 * @param earlierRun true for an outcome an earlier run recorded
 */
record ReportLine(long row, Object to, RecipientState state, String key, String mid, Integer code, String enhanced,
                  String reply, String queue, Integer attempts, String settled, String error, boolean earlierRun) {

    /** A recipient's outcome in this run; the reply (if any) gives code, enhanced code and text. */
    static ReportLine outcome(long row, String to, RecipientState state, String mid, Reply reply, String queue,
                              int attempts, String error) {
        return new ReportLine(row, to, state, null, mid, reply == null ? null : reply.code(),
                reply == null ? null : reply.enhanced(), reply == null ? null : reply.toString(), queue, attempts,
                null, error, false);
    }

    /** A recipient a dry run checked. */
    static ReportLine checked(long row, String to, String mid) {
        return new ReportLine(row, to, RecipientState.CHECKED, null, mid, null, null, null, null, null, null, null,
                false);
    }

    /** A row the script made no message for. */
    static ReportLine skipped(long row) {
        return new ReportLine(row, null, RecipientState.SKIPPED, null, null, null, null, null, null, null, null, null,
                false);
    }

    /** A row with the key of an earlier row of this run. */
    static ReportLine duplicate(long row, String key, String error) {
        return new ReportLine(row, null, RecipientState.DUPLICATE, key, null, null, null, null, null, null, null,
                error, false);
    }

    /** A row that could not make a message; {@code to} is its address when it is fit to show, else null. */
    static ReportLine invalid(long row, String to, String error) {
        return new ReportLine(row, to, RecipientState.INVALID, null, null, null, null, null, null, null, null, error,
                false);
    }

    /** A row left unsent because the batch stopped. */
    static ReportLine pending(long row, List<String> to) {
        return new ReportLine(row, to.isEmpty() ? null : to.size() == 1 ? to.get(0) : to, RecipientState.PENDING,
                null, null, null, null, null, null, null, null, null, false);
    }

    /** A final outcome an earlier run recorded in the journal, for one of its recipients. */
    static ReportLine earlier(JournalEntry e, String to) {
        return new ReportLine(e.row(), to, e.state(), null, e.mid(), e.code(), null, e.reply(), e.queue(),
                e.attempts(), e.settled(), null, true);
    }

    /** The line, without its line feed. */
    String toJson() {
        StringBuilder sb = new StringBuilder(256).append("{\"row\":").append(row);
        JournalEntry.put(sb, "to", to);
        JournalEntry.put(sb, "state", state == null ? null : state.wire());
        JournalEntry.put(sb, "key", key);
        JournalEntry.put(sb, "mid", mid);
        JournalEntry.put(sb, "code", code);
        JournalEntry.put(sb, "enhanced", enhanced);
        if (earlierRun) {
            JournalEntry.put(sb, "queue", queue);
            JournalEntry.put(sb, "reply", reply);
        } else {
            JournalEntry.put(sb, "reply", reply);
            JournalEntry.put(sb, "queue", queue);
        }
        JournalEntry.put(sb, "attempts", attempts);
        JournalEntry.put(sb, "settled", settled);
        JournalEntry.put(sb, "error", error);
        JournalEntry.put(sb, "earlierRun", earlierRun ? Boolean.TRUE : null);
        return sb.append('}').toString();
    }

    /**
     * The report's last line: {@code "summary":true}, then the batch, its source and shard, the
     * outcome, the counts ({@code checked} only for a dry run), why it stopped, and its speed.
     */
    record Summary(String batch, String source, String shard, Outcome outcome, Totals totals, boolean dryRun,
                   String stopped, long elapsedMs, double messagesPerSecond) {

        String toJson() {
            StringBuilder sb = new StringBuilder(512).append("{\"summary\":true");
            put(sb, "batch", batch);
            put(sb, "source", source);
            put(sb, "shard", shard);
            put(sb, "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            Totals t = totals;
            put(sb, "rows", t.rows());
            put(sb, "doneBefore", t.doneBefore());
            put(sb, "sent", t.sent());
            put(sb, "failed", t.failed());
            put(sb, "deferred", t.deferred());
            put(sb, "expired", t.expired());
            put(sb, "inDoubt", t.inDoubt());
            put(sb, "invalid", t.invalid());
            put(sb, "skipped", t.skipped());
            put(sb, "pending", t.pending());
            put(sb, "messages", t.messages());
            if (dryRun) {
                put(sb, "checked", t.checked());
            }
            put(sb, "stopped", stopped);
            put(sb, "elapsedMs", elapsedMs);
            put(sb, "messagesPerSecond", messagesPerSecond);
            return sb.append('}').toString();
        }

        /** Like {@link JournalEntry#put}, but writes null too: the summary always names why it stopped. */
        private static void put(StringBuilder sb, String name, Object value) {
            Json.write(sb.append(",\"").append(name).append("\":"), value);
        }
    }
}
