package dev.postilion.batch;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a running batch to a person ({@code --progress}): on a terminal, a bar with the rows done of
 * the source's counted total, sent / failed / deferred counts, the rate and an ETA, fitted to the
 * terminal's width; under CI or {@code nohup}, a plain line every few seconds; under cron, and in
 * tests, {@link #NONE}: nothing until the summary line.
 */
public interface Progress {

    /**
     * Called after outcomes and rows read, from any thread.
     *
     * @param finished rows finished so far (sent, failed, deferred, in doubt, invalid or skipped)
     * @param expectedRows the rows this run has to do (the source's counted rows of this shard,
     *                     without those an earlier run finished), or -1 when unknown
     * @param totals the counts so far
     */
    void update(long finished, long expectedRows, Totals totals);

    /** The batch is over: the last update was the final one. */
    void close();

    /** Clears the display from the terminal before another line is printed; the next update draws it again. */
    default void clear() {
    }

    /** Shows nothing. */
    Progress NONE = new Progress() {
        @Override
        public void update(long finished, long expectedRows, Totals totals) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * A bar redrawn in place on {@code out} (normally stderr, a terminal), at most {@code width}
     * columns wide, ending with a final frame and a line break.
     */
    static Progress bar(String task, PrintStream out, int width) {
        return new TextProgress(TextProgress.Style.BAR, task, out, width, Duration.ofMillis(200),
                BatchClock.SYSTEM).ticking(Duration.ofSeconds(1));
    }

    /** One plain line every {@code interval} on {@code out} (a log under CI or nohup). */
    static Progress plain(String task, PrintStream out, Duration interval) {
        return new TextProgress(TextProgress.Style.PLAIN, task, out, Integer.MAX_VALUE, interval, BatchClock.SYSTEM)
                .ticking(interval.compareTo(Duration.ofSeconds(1)) < 0 ? interval : Duration.ofSeconds(1));
    }

    /**
     * How a batch shows its progress, as {@code --progress} chose it.
     *
     * @param mode none, a bar or plain lines
     * @param width the terminal's columns (for the bar)
     * @param interval how often a plain line is printed
     */
    record Display(Mode mode, int width, Duration interval) {

        /** The three ways to show a batch. */
        public enum Mode { NONE, BAR, PLAIN }

        /** Plain mode's interval unless told otherwise. */
        public static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

        /** Nothing until the summary line. */
        public static final Display NONE = new Display(Mode.NONE, 0, PLAIN_INTERVAL);

        /** A bar at most {@code width} columns wide. */
        public static Display bar(int width) {
            return new Display(Mode.BAR, width, PLAIN_INTERVAL);
        }

        /** A plain line every {@code interval}. */
        public static Display plain(Duration interval) {
            return new Display(Mode.PLAIN, 0, interval);
        }

        /** The progress of one batch, named {@code task}, written to {@code out}. */
        public Progress start(String task, PrintStream out) {
            return switch (mode) {
                case NONE -> Progress.NONE;
                case BAR -> Progress.bar(task, out, width);
                case PLAIN -> Progress.plain(task, out, interval);
            };
        }
    }
}
