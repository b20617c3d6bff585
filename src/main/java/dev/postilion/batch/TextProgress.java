package dev.postilion.batch;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bar and the plain lines of {@link Progress}, drawn from the latest update on the batch's
 * clock: the percentage and ETA come from the counted total and the rate of the last half minute,
 * and the bar fits its width by dropping the least useful parts first. Tests drive it with a fake
 * clock; a real run adds a ticker thread, so the time shown moves on while no row finishes.
 */
final class TextProgress implements Progress {

    /** How the progress is written. */
    enum Style { BAR, PLAIN }

    /** The rate is measured over this much recent time (a slow start or a pause fades out). */
    private static final long WINDOW = Duration.ofSeconds(30).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final int MIN_BAR = 10;
    private static final int MAX_BAR = 40;

    private final Style style;
    private final String task;
    private final PrintStream out;
    private final int width;
    private final long interval;
    private final BatchClock clock;
    private final long started;
    /** (time, finished) pairs, at most one a second, over the last {@link #WINDOW}. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /** The bar's parts (by priority) once dropped for want of room: they stay out, so frames do not jump. */
    private final java.util.Set<Integer> dropped = new java.util.HashSet<>();
    private long finished;
    private long expected = -1;
    private Totals totals;
    private long lastShown;
    private boolean shownAny;
    private int lastLength;
    private boolean closed;
    private Thread ticker;

    /**
     * A progress display.
     *
     * @param width the most columns a bar may use (the terminal's width)
     * @param interval the least time between two frames (bar) or lines (plain)
     */
    TextProgress(Style style, String task, PrintStream out, int width, Duration interval, BatchClock clock) {
        this.style = style;
        this.task = task;
        this.out = out;
        this.width = Math.max(1, width);
        this.interval = interval.toNanos();
        this.clock = clock;
        this.started = clock.nanoTime();
        this.lastShown = started;
    }

    /** Starts a daemon thread that redraws every {@code period} when something is due. */
    TextProgress ticking(Duration period) {
        Thread t = new Thread(() -> {
            try {
                while (!isClosed()) {
                    Thread.sleep(Math.max(1, period.toMillis()));
                    tick();
                }
            } catch (InterruptedException e) {
                // close() stops the ticker.
            }
        }, "postilion-progress");
        t.setDaemon(true);
        synchronized (this) {
            ticker = t;
        }
        t.start();
        return this;
    }

    @Override
    public synchronized void update(long finished, long expectedRows, Totals totals) {
        if (closed) {
            return;
        }
        this.finished = Math.max(this.finished, finished);
        this.expected = expectedRows;
        this.totals = totals;
        tick();
    }

    /** Draws a frame (or prints a line) when one is due. */
    synchronized void tick() {
        if (closed || totals == null) {
            return;
        }
        long now = clock.nanoTime();
        sample(now);
        boolean due = style == Style.BAR ? !shownAny || now - lastShown >= interval : now - lastShown >= interval;
        if (due) {
            show(now, false);
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = ticker;
            if (totals != null && (style == Style.BAR || shownAny)) {
                long now = clock.nanoTime();
                sample(now);
                show(now, true);
            }
        }
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public synchronized void clear() {
        if (closed || style != Style.BAR || lastLength == 0) {
            return;
        }
        out.print("\r" + " ".repeat(lastLength) + "\r");
        out.flush();
        lastLength = 0;
        shownAny = false;  // drawn again at the next update
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void show(long now, boolean last) {
        lastShown = now;
        shownAny = true;
        if (style == Style.PLAIN) {
            out.println(plainLine(now));
            out.flush();
            return;
        }
        String line = barLine(now);
        StringBuilder sb = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastLength; i++) {
            sb.append(' ');
        }
        lastLength = line.length();
        if (last) {
            sb.append(System.lineSeparator());
        }
        out.print(sb);
        out.flush();
    }

    // ------------------------------------------------------------------ the numbers

    private void sample(long now) {
        if (samples.isEmpty() || now - samples.peekLast()[0] >= SECOND) {
            samples.addLast(new long[] {now, finished});
        }
        while (samples.size() > 2 && now - samples.peekFirst()[0] > WINDOW) {
            samples.removeFirst();
        }
    }

    /** Rows finished per second over the recent window (0 while nothing moves); NaN before a second has passed. */
    double rate(long now) {
        long[] first = samples.peekFirst();
        if (first != null && now - first[0] >= SECOND) {
            return (finished - first[1]) / ((now - first[0]) / 1e9);
        }
        long elapsed = now - started;
        return elapsed >= SECOND ? finished / (elapsed / 1e9) : Double.NaN;
    }

    /** The total shown: never less than what is done. */
    private long total() {
        return expected < 0 ? -1 : Math.max(expected, finished);
    }

    private int percent() {
        long total = total();
        return total == 0 ? 100 : (int) Math.min(100, finished * 100 / total);
    }

    /** Seconds left at the recent rate, or -1 when unknown. */
    private long etaSeconds(long now) {
        long total = total();
        double rate = rate(now);
        if (total < 0 || Double.isNaN(rate) || rate <= 0) {
            return -1;
        }
        return (long) Math.ceil((total - finished) / rate);
    }

    // ------------------------------------------------------------------ the texts

    /** One line for a log: {@code batch people.csv: 1234 of 5000 rows (24%), ETA 3m 20s; 1230 sent, 4 failed; 41 rows/s}. */
    String plainLine(long now) {
        StringBuilder sb = new StringBuilder(task).append(": ");
        long total = total();
        if (total >= 0) {
            sb.append(finished).append(" of ").append(total).append(total == 1 ? " row" : " rows")
                    .append(" (").append(percent()).append("%)");
            long eta = etaSeconds(now);
            if (finished < total && eta >= 0) {
                sb.append(", ETA ").append(span(eta));
            }
        } else {
            sb.append(finished).append(finished == 1 ? " row" : " rows").append(" done in ")
                    .append(span((now - started) / 1_000_000_000L));
        }
        if (totals.doneBefore() > 0) {
            sb.append(" (+").append(totals.doneBefore()).append(" done before)");
        }
        sb.append("; ").append(String.join(", ", counts(" ", true)));
        double rate = rate(now);
        if (!Double.isNaN(rate)) {
            sb.append("; ").append(rate(rate)).append(" rows/s");
        }
        return sb.toString();
    }

    /** A bar that fits {@code width - 1} columns (the last column would wrap on some terminals). */
    String barLine(long now) {
        long total = total();
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(task, 1, ""));
        if (total >= 0) {
            parts.add(new Part(String.format(Locale.ROOT, "%3d%%", percent()), 9, "  "));
            parts.add(new Part(null, 3, " "));
            String done = Long.toString(finished);
            String all = Long.toString(total);
            parts.add(new Part(" ".repeat(Math.max(0, all.length() - done.length())) + done + "/" + all, 10, " "));
        } else {
            parts.add(new Part(finished + (finished == 1 ? " row" : " rows"), 10, "  "));
        }
        if (totals.doneBefore() > 0) {
            parts.add(new Part("+" + totals.doneBefore() + " done before", 2, " "));
        }
        parts.add(new Part(String.join(" ", counts(" ", false)), 5, "  "));
        double rate = rate(now);
        if (!Double.isNaN(rate)) {
            parts.add(new Part(rate(rate) + "/s", 6, "  "));
        }
        if (total >= 0) {
            long eta = etaSeconds(now);
            if (finished < total && eta >= 0) {
                parts.add(new Part("ETA " + span(eta), 8, "  "));
            }
        } else {
            parts.add(new Part(span((now - started) / 1_000_000_000L), 4, "  "));
        }
        int room = width - 1;
        // The most useful parts first, each one kept if it still fits; shown in their own order.
        parts.removeIf(p -> dropped.contains(p.priority));
        List<Part> byUse = new ArrayList<>(parts);
        byUse.sort((a, b) -> Integer.compare(b.priority, a.priority));
        List<Part> kept = new ArrayList<>();
        for (Part p : byUse) {
            List<Part> tried = new ArrayList<>(kept);
            tried.add(p);
            tried.sort(java.util.Comparator.comparingInt(parts::indexOf));
            if (kept.isEmpty() || length(tried) <= room) {
                kept = tried;
            }
        }
        for (Part p : parts) {
            if (!kept.contains(p)) {
                dropped.add(p.priority);
            }
        }
        parts = kept;
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (sb.length() > 0) {
                sb.append(p.separator);
            }
            sb.append(p.text != null ? p.text : bar(barCells()));
        }
        return sb.length() > room ? sb.substring(0, room) : sb.toString();
    }

    /** One part of the bar's line; the lowest priority is dropped first; null text is the bar itself. */
    private record Part(String text, int priority, String separator) {
    }

    private int length(List<Part> parts) {
        int n = 0;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            n += (i == 0 ? 0 : p.separator.length()) + (p.text != null ? p.text.length() : barCells() + 2);
        }
        return n;
    }

    /** The bar's cells: a sixth of the width, 10 to 40, the same in every frame so the bar never jumps. */
    private int barCells() {
        return Math.max(MIN_BAR, Math.min(MAX_BAR, width / 6));
    }

    private String bar(int inner) {
        long total = total();
        int filled = total <= 0 ? inner : (int) (inner * Math.min(finished, total) / total);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < inner; i++) {
            sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return sb.append(']').toString();
    }

    /** {@code sent 12}, then each other count that is not zero. */
    private List<String> counts(String between, boolean countFirst) {
        List<String> out = new ArrayList<>();
        Totals t = totals;
        add(out, t.sent(), "sent", between, countFirst, t.checked() == 0);
        add(out, t.checked(), "checked", between, countFirst, false);
        add(out, t.failed(), "failed", between, countFirst, false);
        add(out, t.deferred(), "deferred", between, countFirst, false);
        add(out, t.expired(), "expired", between, countFirst, false);
        add(out, t.inDoubt(), "in doubt", between, countFirst, false);
        add(out, t.invalid(), "invalid", between, countFirst, false);
        add(out, t.skipped(), "skipped", between, countFirst, false);
        return out;
    }

    private static void add(List<String> out, long n, String what, String between, boolean countFirst, boolean always) {
        if (n > 0 || always) {
            out.add(countFirst ? n + between + what : what + between + n);
        }
    }

    private static String rate(double perSecond) {
        return perSecond < 10 ? String.format(Locale.ROOT, "%.1f", perSecond) : String.format(Locale.ROOT, "%.0f", perSecond);
    }

    /** A span in its two largest units: {@code 45s}, {@code 3m 20s}, {@code 2h 05m}, {@code 3d 4h}. */
    static String span(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h " + String.format(Locale.ROOT, "%02d", seconds % 3600 / 60) + "m";
        }
        return seconds / 86400 + "d " + seconds % 86400 / 3600 + "h";
    }
}
