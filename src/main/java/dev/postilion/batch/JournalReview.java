package dev.postilion.batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator's view of a journal and the operator's decisions: {@link #show} lists what the
 * journal knows, messages in doubt first (read-only, without the lock); {@link #settle} records, under
 * the journal's lock, that in-doubt messages count as sent (they arrived) or failed (give them up),
 * so a later {@code --resume} has nothing left to list and exits 0. The other way out is
 * {@code --resume --resend-in-doubt}: the same message again, with the same Message-ID, so a
 * receiver that got the first copy can drop the second.
 */
public final class JournalReview {

    private JournalReview() {
    }

    /** One recipient of a row the journal knows as not finished. */
    public record Item(long row, String key, String to, String state, String messageId) {
    }

    /** What a journal records. */
    public record View(Path path, Map<String, Object> header, long doneRows, List<Item> inDoubt, List<Item> partial,
                       List<String> warnings) {

        /** For people: the header, the in-doubt messages, the rows partly done, the count of finished rows. */
        public String text() {
            StringBuilder sb = new StringBuilder("journal ").append(path).append('\n');
            sb.append("  batch ").append(header.get("batch")).append(", source ").append(header.get("source"))
                    .append(", shard ").append(header.getOrDefault("shard", "1/1")).append(", rows by ")
                    .append(header.get("keys") != null ? "key (" + header.get("keys") + ")" : "row number (an old journal)")
                    .append(", created ").append(header.get("created")).append('\n');
            warnings.forEach(w -> sb.append("  ! ").append(w).append('\n'));
            sb.append("  in doubt: ").append(inDoubt.size()).append(inDoubt.size() == 1 ? " recipient" : " recipients")
                    .append(inDoubt.isEmpty() ? "\n" : " (the final dot went out and no reply came: maybe delivered)\n");
            for (Item i : inDoubt) {
                sb.append("    ").append(item(i)).append('\n');
            }
            if (!partial.isEmpty()) {
                sb.append("  partly done: ").append(partial.size()).append(partial.size() == 1 ? " recipient\n"
                        : " recipients\n");
                for (Item i : partial) {
                    sb.append("    ").append(item(i)).append("  ").append(i.state()).append('\n');
                }
            }
            sb.append("  done: ").append(doneRows).append(doneRows == 1 ? " row" : " rows")
                    .append(" (every recipient sent, failed or expired)\n");
            if (!inDoubt.isEmpty()) {
                sb.append("  settle them: postilion journal settle ").append(path).append(" --all --as sent (they"
                        + " arrived) or --as failed (give them up); or send them again, same Message-ID: run with"
                        + " --resume --resend-in-doubt\n");
            }
            return sb.toString();
        }

        private static String item(Item i) {
            return "row " + i.row() + (i.key() != null ? "  key " + i.key() : "") + "  " + i.to()
                    + (i.messageId() != null ? "  " + i.messageId() : "");
        }
    }

    /**
     * Reads the journal without writing or locking it.
     *
     * @throws JournalException when there is no journal, or it is damaged
     */
    public static View show(Path journal) throws IOException {
        Journal.Peek p = Journal.peek(journal, null, null, null);
        List<Item> inDoubt = new ArrayList<>();
        List<Item> partial = new ArrayList<>();
        p.state().partialRows().forEach((id, m) -> m.recipients.forEach((to, standing) -> {
            Item item = new Item(m.row, p.keyed() ? RowKey.hex(id) : null, to,
                    standing.wire(), m.messageId);
            (standing == RecipientState.IN_DOUBT ? inDoubt : partial).add(item);
        }));
        return new View(p.path(), p.header(), p.state().completeCount(), inDoubt, partial, p.warnings());
    }

    /** Which in-doubt messages to settle: all, one row number (as the journal wrote it), or one key. */
    public record Selection(boolean all, Long row, String key) {

        boolean takes(long row, String key) {
            return all || (this.row != null && this.row == row) || (this.key != null && this.key.equalsIgnoreCase(key));
        }

        @Override
        public String toString() {
            return all ? "the journal" : row != null ? "row " + row : "key " + key;
        }
    }

    /**
     * Records the operator's decision for the in-doubt recipients {@code which} selects, under the
     * journal's lock. Returns them; an empty list when nothing in doubt matched (nothing is written).
     *
     * @param sent true: they count as sent; false: as failed
     * @throws JournalException when there is no journal, another run holds it, or it is damaged
     */
    public static List<Item> settle(Path journal, Selection which, boolean sent) throws IOException {
        List<Item> settled = new ArrayList<>();
        try (Journal j = Journal.open(journal, new Journal.Request(true, false, null, null, true, Journal.Opener.FILE,
                null, true, Map.of()))) {
            for (Map.Entry<Long, ResumeState.RowMemory> e : j.state().inDoubtRows().entrySet()) {
                ResumeState.RowMemory m = e.getValue();
                String key = j.keyed() ? RowKey.hex(e.getKey()) : null;
                if (!which.takes(m.row, key)) {
                    continue;
                }
                List<String> to = m.inDoubt();
                j.result(JournalEntry.settled(m.row, key, sent ? RecipientState.SENT : RecipientState.FAILED, to,
                        "by the operator (journal settle)", m.messageId));
                to.forEach(t -> settled.add(new Item(m.row, key, t, (sent ? RecipientState.SENT : RecipientState.FAILED).wire(), m.messageId)));
            }
        }
        return settled;
    }
}
