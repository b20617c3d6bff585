package dev.postilion.batch;

import java.io.IOException;
import java.util.List;

import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.TransactionListener;

/**
 * One transaction of a row, as the session's listener: journals "sending" (forced to disk) right
 * before the final dot, refuses the dot once the batch is cancelled, and hands the replies to its
 * {@link Worker} when they come.
 */
final class Transaction implements TransactionListener {
    private final Batch batch;
    private final Worker worker;
    private final Work work;
    private final String server;
    private List<String> accepted;
    private boolean dotNext;
    private IOException journalFailure;
    private boolean stoppedBeforeDot;

    ReplyClassifier.Attempt attempt() {
        return new ReplyClassifier.Attempt(accepted, dotNext, stoppedBeforeDot, journalFailure);
    }

    Transaction(Batch batch, Worker worker, Work work, String server) {
        this.batch = batch;
        this.worker = worker;
        this.work = work;
        this.server = server;
    }

    void beforeDataEnd(List<String> to) throws IOException {
        accepted = to;
        String why = batch.cancelled();
        if (why != null) {
            // BAT-06: stopped from outside (a signal, the run's time limit) while this message
            // was being written: the dot is never sent, so the server discards it.
            stoppedBeforeDot = true;
            throw new IOException(why);
        }
        Journal journal = batch.journal();
        if (journal != null) {
            try {
                journal.sending(work.row.number(), work.key, work.key == null ? 0 : RowKey.cells(work.row), to,
                        work.messageId, work.date);
            } catch (IOException e) {
                journalFailure = e;
                throw new IOException("journal " + journal.path() + " cannot be written: " + e.getMessage(), e);
            }
        }
        dotNext = true;
    }

    @Override
    public void ended(SendResult result) {
        guarded(() -> worker.ended(work, result, server));
    }

    @Override
    public void lost(SmtpException e) {
        guarded(() -> worker.lost(work, this, e, server));
    }

    /** A listener must not throw into the session: a bug here stops the batch and leaves the row pending. */
    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            batch.fatal(e);
            worker.release(work, false);
        }
    }
}
