package dev.postilion.batch;

/**
 * What the progress display shows: the rows this run finished against the rows it has to do. The
 * total is counted ahead when the source can be (its rows in this shard, without those an earlier
 * run finished), stays an estimate while rows are sliced by key, and is exact once the source has
 * been read to its end.
 */
final class ProgressTotal {

    private final BatchOptions options;
    private final Tally tally;
    /** The rows this run has to do; -1 while unknown. */
    private volatile long expected = -1;
    /** Whether the source was read to its end: the final total is then the rows this run had. */
    private volatile boolean readToEnd;

    ProgressTotal(BatchOptions options, Tally tally) {
        this.options = options;
        this.tally = tally;
    }

    /** Before reading: the total counted ahead, -1 for a source that cannot be counted (an iterator). */
    void start(RowReader r, ResumeState resume) {
        if (options.progress() == Progress.NONE) {
            return;
        }
        long all = r.total();
        expected = all < 0 ? -1 : Math.max(0, options.shard().rowsIn(all) - resume.completeCount());
        update();
    }

    /** The source has been read to its end: its rows are the exact total. */
    void readToEnd() {
        readToEnd = true;
        expected = tally.rows.get();
    }

    /** Redraws the display. */
    void update() {
        if (options.progress() == Progress.NONE) {
            return;
        }
        long done = tally.finished.get();
        // The total ahead is an estimate where rows are sliced by key: never show more done than total.
        options.progress().update(done, expected < 0 ? -1 : Math.max(expected, done), tally.snapshot());
    }

    /** The final frame, every row counted (100% when the batch ran to its end); then the display closes. */
    void close() {
        if (readToEnd) {
            // Rows found done before (or outside this shard) by their key while being built are decided
            // only now: the exact total is the rows this run had.
            expected = tally.rows.get();
        }
        update();
        options.progress().close();
    }
}
