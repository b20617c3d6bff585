package dev.postilion.batch;

import java.util.concurrent.atomic.AtomicLong;

/** The batch's running counts, one named counter each, safe to bump from any thread; {@link #snapshot()} reads them. */
final class Tally {

    /** Rows of this shard read (earlier runs' finished rows excluded). */
    final AtomicLong rows = new AtomicLong();
    /** Rows a journal says an earlier run finished. */
    final AtomicLong doneBefore = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong deferred = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong inDoubt = new AtomicLong();
    final AtomicLong invalid = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong pending = new AtomicLong();
    /** Transactions the server accepted. */
    final AtomicLong messages = new AtomicLong();
    /** Rows finished in this run, whatever became of them (the progress display's count). */
    final AtomicLong finished = new AtomicLong();
    /** Recipients a dry run checked. */
    final AtomicLong checked = new AtomicLong();
    /** Rows that repeat the key of an earlier row. */
    final AtomicLong duplicates = new AtomicLong();
    /** Rows an earlier run finished whose other cells have changed since (not sent again). */
    final AtomicLong changed = new AtomicLong();

    /** Counts {@code n} recipients that reached {@code state} (sent, failed, deferred, expired or in doubt). */
    void recipients(RecipientState state, long n) {
        AtomicLong counter = switch (state) {
            case SENT -> sent;
            case FAILED -> failed;
            case DEFERRED -> deferred;
            case EXPIRED -> expired;
            default -> inDoubt;
        };
        counter.addAndGet(n);
    }

    /** The counts now. */
    Totals snapshot() {
        return new Totals(rows.get(), doneBefore.get(), sent.get(), failed.get(), deferred.get(), inDoubt.get(),
                invalid.get(), skipped.get(), pending.get(), messages.get(), expired.get(), checked.get());
    }
}
