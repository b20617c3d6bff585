package dev.postilion.batch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of {@link Batch#run()}.
 *
 * @param outcome how it ended, for the exit code
 * @param totals the counts
 * @param stopReason why the batch stopped before the end of its source, or null when it did not
 * @param problems the first few item problems, each {@code [row 17 b@y] ...}, for the console
 * @param moreProblems how many more problems the report holds beyond {@code problems}
 * @param elapsed wall time of the run
 * @param batchId the id that seeds the Message-IDs (the journal's)
 * @param report the report file, or null
 * @param journal the journal file, or null
 */
public record BatchResult(Outcome outcome, Totals totals, String stopReason, List<String> problems, long moreProblems,
                          Duration elapsed, String batchId, Path report, Path journal) {

    public BatchResult {
        problems = List.copyOf(problems);
    }

    /** True when everything was sent. */
    public boolean ok() {
        return outcome == Outcome.SENT;
    }

    /** Messages the server accepted per second of wall time. */
    public double messagesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : totals.messages() / s;
    }

    /**
     * One line for people and cron mail:
     * {@code batch people.csv: 2000 rows: 1998 sent, 1 failed, 1 deferred in 3.2 s (625 msg/s)}.
     */
    public String summary(String source) {
        Totals t = totals;
        StringBuilder sb = new StringBuilder("batch ").append(source).append(": ");
        sb.append(t.rows()).append(t.rows() == 1 ? " row" : " rows");
        if (t.doneBefore() > 0) {
            sb.append(" (+").append(t.doneBefore()).append(" done before)");
        }
        sb.append(": ");
        if (t.checked() > 0 && t.sent() == 0) {
            sb.append(t.checked()).append(" checked (a dry run sends nothing)");
        } else {
            sb.append(t.sent()).append(" sent");
        }
        appendIf(sb, t.failed(), "failed");
        appendIf(sb, t.deferred(), "deferred");
        appendIf(sb, t.expired(), "expired");
        appendIf(sb, t.inDoubt(), "in doubt");
        appendIf(sb, t.invalid(), "invalid");
        appendIf(sb, t.skipped(), "skipped");
        appendIf(sb, t.pending(), "not sent (stopped)");
        sb.append(String.format(java.util.Locale.ROOT, " in %.1f s (%.0f msg/s)", elapsed.toMillis() / 1000.0,
                messagesPerSecond()));
        if (report != null) {
            sb.append("; report ").append(report);
        }
        return sb.toString();
    }

    private static void appendIf(StringBuilder sb, long n, String what) {
        if (n > 0) {
            sb.append(", ").append(n).append(' ').append(what);
        }
    }
}
