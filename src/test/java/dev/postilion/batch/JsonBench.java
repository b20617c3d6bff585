package dev.postilion.batch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A JMH-free microbenchmark of {@link Json} (package-private, hence here rather than in
 * {@code bench/}): JSON Lines rows and journal lines parsed, report and journal lines written.
 * Run with {@code java -cp target/classes:target/test-classes:DEPS dev.postilion.batch.JsonBench [N]};
 * prints lines per CPU second, the best of several rounds after a warm-up ({@code cold}: the time of a
 * fresh JVM's first parse and write, class loading included).
 */
public final class JsonBench {

    /** Rounds are timed in this thread's CPU time: the machine it runs on is shared, so wall time is noise. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private JsonBench() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("cold")) {
            long t = System.nanoTime();
            Json.line(Json.parseObject("{\"email\":\"a@example.com\",\"n\":1,\"tags\":[\"x\"]}"));
            System.out.printf(Locale.ROOT, "RESULT cold-first-parse-and-write %.1f ms%n", (System.nanoTime() - t) / 1e6);
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        List<String> rows = new ArrayList<>(n);
        List<Map<String, Object>> reports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add("{\"email\":\"user" + i + "@example.com\",\"name\":\"J\u00f6rg " + i
                    + "\",\"n\":" + i + ",\"score\":" + i + ".5,\"tags\":[\"a\",\"b\"],\"vip\":true}");
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("row", (long) i);
            r.put("to", "user" + i + "@example.com");
            r.put("state", "sent");
            r.put("reply", "250 2.0.0 Ok: queued as 4F" + i);
            r.put("mid", "<" + i + ".x@postilion.invalid>");
            r.put("attempts", 1L);
            r.put("ms", 12L);
            r.put("note", i % 100 == 0 ? "tab\there \u2028 del\u007f" : null);
            reports.add(r);
        }
        List<String> lines = new ArrayList<>(n);
        for (Map<String, Object> r : reports) {
            lines.add(Json.line(r));
        }
        for (int round = 0; round < 3; round++) {
            parse(rows);
            parse(lines);
            write(reports);
        }
        double parseRows = 0;
        double parseLines = 0;
        double writeLines = 0;
        for (int round = 0; round < 7; round++) {
            parseRows = Math.max(parseRows, parse(rows));
            parseLines = Math.max(parseLines, parse(lines));
            writeLines = Math.max(writeLines, write(reports));
        }
        System.out.printf(Locale.ROOT, "RESULT parse-source-rows %.0f lines/s%n", parseRows);
        System.out.printf(Locale.ROOT, "RESULT parse-journal-lines %.0f lines/s%n", parseLines);
        System.out.printf(Locale.ROOT, "RESULT write-report-lines %.0f lines/s%n", writeLines);
    }

    private static double parse(List<String> lines) {
        long t = CPU.getCurrentThreadCpuTime();
        long sink = 0;
        for (String l : lines) {
            sink += Json.parseObject(l).size();
        }
        return rate(lines.size(), t, sink);
    }

    private static double write(List<Map<String, Object>> records) {
        long t = CPU.getCurrentThreadCpuTime();
        long sink = 0;
        StringBuilder sb = new StringBuilder(256);
        for (Map<String, Object> r : records) {
            sb.setLength(0);
            sink += Json.write(sb, r).length();
        }
        return rate(records.size(), t, sink);
    }

    private static double rate(int count, long start, long sink) {
        double s = (CPU.getCurrentThreadCpuTime() - start) / 1e9;
        if (sink == 42) {
            System.out.print("");
        }
        return count / s;
    }
}
