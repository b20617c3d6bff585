package dev.postilion.batch;

import java.nio.file.Path;

/** The batch run in a child JVM that {@link BatchKillTest} kills with SIGKILL. */
public final class BatchChild {

    private BatchChild() {
    }

    /** Arguments: server port, journal file, rows, concurrency. */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Path journal = Path.of(args[1]);
        int rows = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        BatchResult r = new Batch(RowSource.of(BatchTest.people(rows)), BatchTest::hello,
                BatchKillTest.sessions(port), BatchOptions.defaults().withConcurrency(concurrency).withJournal(journal))
                .run();
        System.out.println(r.summary("people"));
    }
}
