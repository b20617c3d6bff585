package dev.postilion.batch;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a running batch to a person: on a terminal, a progress bar with sent / failed / deferred
 * counts, rate and ETA. Off the terminal (cron), and in tests, {@link #NONE}: nothing until the
 * summary line.
 */
public interface Progress {

    /**
     * Called after every outcome and every row read.
     *
     * @param finished rows finished so far
     * @param estimatedRows the expected number of rows, or -1 when unknown
     * @param totals the counts so far
     */
    void update(long finished, long estimatedRows, Totals totals);

    /** The batch is over. */
    void close();

    /** Shows nothing. */
    Progress NONE = new Progress() {
        @Override
        public void update(long finished, long estimatedRows, Totals totals) {
        }

        @Override
        public void close() {
        }
    };

    /** A progress bar (me.tongfei progressbar) written to {@code out}, normally stderr. */
    static Progress bar(String task, PrintStream out) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(-1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .setUnit(" msg", 1)
                .showSpeed()
                .build();
        return new Progress() {
            @Override
            public void update(long finished, long estimatedRows, Totals t) {
                synchronized (bar) {
                    if (estimatedRows > 0) {
                        bar.maxHint(Math.max(estimatedRows, finished));
                    }
                    bar.stepTo(finished);
                    bar.setExtraMessage(String.format(Locale.ROOT, " sent %d failed %d deferred %d%s", t.sent(),
                            t.failed(), t.deferred(), t.inDoubt() > 0 ? " in-doubt " + t.inDoubt() : ""));
                }
            }

            @Override
            public void close() {
                synchronized (bar) {
                    bar.close();
                }
            }
        };
    }
}
