package dev.postilion.bench;

import dev.postilion.batch.Batch;
import dev.postilion.batch.BatchOptions;
import dev.postilion.batch.BatchResult;
import dev.postilion.batch.Outcome;
import dev.postilion.batch.Row;
import dev.postilion.batch.RowSource;
import dev.postilion.batch.SessionFactory;
import dev.postilion.message.MessageSpec;
import dev.postilion.smtp.SessionOptions;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedWriter;
import java.io.IOException;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The measurements {@code scripts/bench} runs, one per JVM: N personalised ~1 KiB messages through
 * the batch engine or through a plain Jakarta Mail {@code Transport.sendMessage} loop over one
 * connection, to a local sink. Prints {@code RESULT name value} lines.
 *
 * <pre>
 * Bench jakarta  HOST PORT N          warm-up of 100,000, then the best of 5 rounds of N over one connection
 * Bench batch    HOST PORT N C [J [nofsync]]  the same at concurrency C (J: a journal file)
 * Bench cold     HOST PORT N C        N at concurrency C (0: the Jakarta loop) with no warm-up
 * Bench latency  HOST PORT N          Jakarta and concurrency 1 through a 20 ms round-trip proxy
 * Bench million  HOST PORT CSV C      a CSV (made when missing, 1,000,000 rows) with journal and
 *                                      report: msgs/s and the largest heap in use afterwards
 * </pre>
 */
public final class Bench {

    private static final String BODY = body();
    private static final int WARM_UP = 100_000;
    /** Measured rounds after the warm-up; the best counts (other load on the machine only slows a round). */
    private static final int ROUNDS = 5;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        switch (mode) {
            case "jakarta" -> {
                int n = Integer.parseInt(args[3]);
                jakarta(host, port, WARM_UP);
                double best = 0;
                for (int i = 0; i < ROUNDS; i++) {
                    best = Math.max(best, jakarta(host, port, n));
                }
                result("jakarta", best);
            }
            case "batch" -> {
                int n = Integer.parseInt(args[3]);
                int c = Integer.parseInt(args[4]);
                Path journal = args.length > 5 ? Path.of(args[5]) : null;
                boolean fsync = args.length <= 6 || !args[6].equals("nofsync");
                if (journal != null) {
                    Files.deleteIfExists(journal);
                }
                batch(host, port, WARM_UP, c, null, true);
                double best = 0;
                for (int i = 0; i < ROUNDS; i++) {
                    if (journal != null) {
                        Files.deleteIfExists(journal);
                    }
                    best = Math.max(best, batch(host, port, n, c, journal, fsync));
                }
                result("batch", best);
            }
            case "cold" -> {
                int n = Integer.parseInt(args[3]);
                int c = Integer.parseInt(args[4]);
                result("cold", c == 0 ? jakarta(host, port, n) : batch(host, port, n, c, null, true));
            }
            case "latency" -> {
                int n = Integer.parseInt(args[3]);
                // Every chunk waits 10 ms each way: a 20 ms round trip.
                try (LatencyProxy proxy = new LatencyProxy(host, port, 10)) {
                    result("rtt20-jakarta", jakarta(host, proxy.port(), n));
                    result("rtt20-batch-c1", batch(host, proxy.port(), n, 1, null, true));
                }
            }
            case "million" -> million(host, port, Path.of(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("mode: jakarta, batch, cold, latency or million");
        }
    }

    private static void result(String name, double value) {
        System.out.println(String.format(Locale.ROOT, "RESULT %s %.0f", name, value));
    }

    private static String body() {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 900) {
            sb.append("The quick brown fox jumps over the lazy dog, and the batch goes on. ").append('\n');
        }
        return sb.toString();
    }

    private static Iterator<Map<String, Object>> rows(int n) {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Map<String, Object> next() {
                i++;
                return Map.of("email", "reader" + i + "@example.com", "name", "Reader " + i);
            }
        };
    }

    private static MessageSpec message(Row row) {
        return new MessageSpec().from("Bench <bench@example.com>").to(row.text("email"))
                .subject("Hello " + row.text("name")).text("Dear " + row.text("name") + ",\n" + BODY);
    }

    private static SessionFactory sessions(String host, int port) {
        return SessionFactory.connecting(host, port, "bench.example.com", SessionOptions.DEFAULT, null, null);
    }

    /** Messages per second through the batch engine. */
    static double batch(String host, int port, int n, int concurrency, Path journal, boolean fsync)
            throws IOException {
        long start = System.nanoTime();
        BatchResult r = new Batch(RowSource.of(rows(n)), Bench::message, sessions(host, port),
                BatchOptions.defaults().withConcurrency(concurrency).withJournal(journal).withFsync(fsync)).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (r.outcome() != Outcome.SENT || r.totals().sent() != n) {
            throw new IOException("batch did not send everything: " + r.summary("bench") + " " + r.problems());
        }
        return n / seconds;
    }

    /** Messages per second through Jakarta Mail, one connection, one sendMessage per message. */
    static double jakarta(String host, int port, int n) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.localhost", "bench.example.com");
        Session session = Session.getInstance(p);
        long start = System.nanoTime();
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            InternetAddress from = new InternetAddress("Bench <bench@example.com>");
            for (int i = 1; i <= n; i++) {
                MimeMessage m = new MimeMessage(session);
                m.setFrom(from);
                InternetAddress[] to = {new InternetAddress("reader" + i + "@example.com")};
                m.setRecipients(Message.RecipientType.TO, to);
                m.setSubject("Hello Reader " + i, "UTF-8");
                m.setText("Dear Reader " + i + ",\n" + BODY, "UTF-8");
                m.saveChanges();
                t.sendMessage(m, to);
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** A million-row CSV with journal and report; the heap's high-water mark after each GC. */
    static void million(String host, int port, Path csv, int concurrency) throws IOException {
        if (!Files.exists(csv)) {
            try (BufferedWriter w = Files.newBufferedWriter(csv)) {
                w.write("email,name\n");
                for (int i = 1; i <= 1_000_000; i++) {
                    w.write("reader" + i + "@example.com,Reader " + i + "\n");
                }
            }
        }
        Path dir = Files.createTempDirectory("postilion-million");
        long[] liveAfterGc = {0};
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
                    long used = info.getMemoryUsageAfterGc().entrySet().stream()
                            .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                    synchronized (liveAfterGc) {
                        liveAfterGc[0] = Math.max(liveAfterGc[0], used);
                    }
                }
            }, null, null);
        }
        long start = System.nanoTime();
        BatchResult r = new Batch(RowSource.csv(csv), Bench::message, sessions(host, port),
                BatchOptions.defaults().withConcurrency(concurrency).withJournal(dir.resolve("journal.jsonl"))
                        .withReport(dir.resolve("report.jsonl"))).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak;
        synchronized (liveAfterGc) {
            peak = liveAfterGc[0];
        }
        System.out.println(r.summary(csv.getFileName().toString()));
        result("million-msgs-per-s", r.totals().sent() / seconds);
        result("million-largest-live-heap-after-a-gc-mib", peak / (1024.0 * 1024));
        result("million-journal-mib", Files.size(dir.resolve("journal.jsonl")) / (1024.0 * 1024));
        result("million-max-heap-mib", Runtime.getRuntime().maxMemory() / (1024.0 * 1024));
    }
}
