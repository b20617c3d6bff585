package dev.postilion.batch;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.postilion.message.Mailbox;
import dev.postilion.message.MessageException;
import dev.postilion.message.MessageSpec;
import dev.postilion.message.MimeAssembler;
import dev.postilion.message.OutgoingMessage;
import dev.postilion.message.Stamps;

/**
 * A row becomes a ready message: the script's builder makes its spec, the row is keyed (and claimed
 * against the journal's memory of earlier runs), the message gets its stable Message-ID and Date
 * ({@link Stamps#stable}: a resent message is the same message), and it is assembled once, kept as
 * bytes when small. Recipients an earlier run finished are left out; those in doubt are listed.
 */
final class RowMessages {

    private final Function<Row, MessageSpec> builder;
    private final BatchOptions options;
    private final Ledger ledger;
    private final Tally tally;
    private final ResumeState resume;
    private final boolean byRowNumber;
    private final String batchId;
    private final String keyName;
    /** What the script names as a row's key, or null for the default (its envelope recipients). */
    private final Function<Row, Object> keyFunction;
    private final BiConsumer<Outcome, String> stop;
    private final Runnable progress;
    private final MimeAssembler assembler = new MimeAssembler();

    /**
     * @param resume what earlier runs did
     * @param byRowNumber a journal written before keys: rows by number
     * @param batchId the seed of every stable Message-ID
     * @param keyName how rows are keyed, for duplicate lines
     * @param keyFunction what the script names as a row's key, or null: its envelope recipients
     * @param stop stops the batch (a missing template, a local I/O failure)
     * @param progress redraws the progress display
     */
    RowMessages(Function<Row, MessageSpec> builder, BatchOptions options, Ledger ledger, ResumeState resume,
                boolean byRowNumber, String batchId, String keyName, Function<Row, Object> keyFunction,
                BiConsumer<Outcome, String> stop, Runnable progress) {
        this.builder = builder;
        this.options = options;
        this.ledger = ledger;
        this.tally = ledger.tally();
        this.resume = resume;
        this.byRowNumber = byRowNumber;
        this.batchId = batchId;
        this.keyName = keyName;
        this.keyFunction = keyFunction;
        this.stop = stop;
        this.progress = progress;
    }

    /**
     * Builds the row's message. True: ready to send; false: the row is finished (invalid, skipped,
     * nothing left); null: the batch stopped.
     */
    Boolean prepare(Work w) {
        Row row = w.row;
        MessageSpec spec;
        try {
            spec = builder.apply(row);
            if (spec == null) {
                ledger.skipped(row);
                return false;
            }
            if (!byRowNumber && w.key == null) {
                Long key = recipientsKey(spec);
                if (key != null) {
                    if (!options.shard().containsKey(key)) {
                        tally.rows.decrementAndGet();  // another shard's row
                        return false;
                    }
                    ResumeState.Claim claim = resume.claim(key);
                    if (claim == ResumeState.Claim.DONE_BEFORE) {
                        tally.rows.decrementAndGet();
                        tally.doneBefore.incrementAndGet();
                        changedSince(row, key);
                        progress.run();
                        return false;
                    }
                    if (claim == ResumeState.Claim.DUPLICATE) {
                        ledger.duplicate(row, key, keyName);
                        return false;
                    }
                    w.key = key;
                    w.id = key;
                } else if (options.shard().index() != 1) {
                    tally.rows.decrementAndGet();  // no recipient, no key: the first shard reports the row
                    return false;
                }
            }
            ResumeState.RowMemory memory = w.key == null && !byRowNumber ? null : resume.partial(w.id);
            Long first = w.key == null && !byRowNumber ? null : resume.firstTried(w.id);
            w.firstTry = first != null ? first : options.clock().epochMillis();
            if (!spec.isRaw()) {
                if (spec.getMessageId().isEmpty()) {
                    spec.messageId(memory != null && memory.messageId != null ? memory.messageId
                            : Stamps.stable(batchId, w.key != null ? RowKey.hex(w.key) : String.valueOf(row.number()),
                            spec.getFrom().map(Mailbox::domain).orElse(null)));
                }
                if (spec.getDate().isEmpty()) {
                    spec.date(Stamps.stableDate(memory != null ? memory.date : null));
                }
                w.messageId = spec.getMessageId().orElse(null);
                w.date = spec.getDate().map(ZonedDateTime::toOffsetDateTime).map(Object::toString).orElse(null);
            }
            OutgoingMessage message = assembler.assemble(spec);
            byte[] bytes = SmallMessage.bytes(message);
            w.small = bytes == null ? null : new SmallMessage(bytes);
            if (bytes == null) {
                message.size();
            }
            if (message.envelopeFrom().isEmpty() || message.envelopeFrom().get().isEmpty()) {
                ledger.invalidRow(row, "its message has no sender: give from in the message (or a profile with from:)");
                return false;
            }
            if (message.envelopeRecipients().isEmpty()) {
                ledger.invalidRow(row, "its message has no recipient (to, cc or bcc)");
                return false;
            }
            List<String> toSend = new ArrayList<>();
            List<String> listed = new ArrayList<>();
            for (String r : message.envelopeRecipients()) {
                if (memory == null || !memory.blocks(r, options.resendInDoubt())) {
                    toSend.add(r);
                } else if (memory.recipients.get(r) == RecipientState.IN_DOUBT) {
                    listed.add(r);
                }
            }
            w.message = message;
            w.pending = toSend;
            w.open = toSend.size() + listed.size();
            if (!listed.isEmpty()) {
                ledger.resolve(w, listed, RecipientState.IN_DOUBT, null, "an earlier run sent the final dot and got no reply: the message"
                        + " may have been delivered; not resent (--resend-in-doubt sends it again with Message-ID "
                        + w.messageId + ")", null, false);
            }
            if (toSend.isEmpty()) {
                tally.finished.incrementAndGet();
                return false;
            }
            return true;
        } catch (InvalidRowException e) {
            ledger.invalidRow(row, e.getMessage(), e.where());
            return false;
        } catch (MessageException e) {
            if (e.kind() == MessageException.Kind.BAD_DATA) {
                ledger.invalidRow(row, e.getMessage());
                return false;
            }
            stop.accept(e.kind() == MessageException.Kind.MISSING_INPUT ? Outcome.NO_INPUT : Outcome.LOCAL_IO,
                    "[row " + row.number() + "] " + ledger.origin() + e.getMessage());
            return null;
        }
    }

    /** Counts a row finished before whose cells differ from what the journal recorded when it was sent. */
    void changedSince(Row row, long key) {
        int before = resume.cells(key);
        if (before != 0 && before != RowKey.cells(row)) {
            tally.changed.incrementAndGet();
        }
    }

    /** The key of a row's message: a digest of its envelope recipients; null when it has none. */
    static Long recipientsKey(MessageSpec spec) {
        List<String> to = new ArrayList<>();
        for (List<Mailbox> list : List.of(spec.getTo(), spec.getCc(), spec.getBcc())) {
            list.forEach(m -> to.add(m.address()));
        }
        return RowKey.ofRecipients(to);
    }

    /**
     * Before the row is queued: keys it by its number (a journal written before keys) or by what the
     * script names, and claims the key. False when the row is finished here: another shard's, done
     * in an earlier run, a duplicate, or without a key (reported invalid by the first shard).
     */
    boolean claimBeforeBuilding(Work work) {
        Row row = work.row;
        if (byRowNumber) {
            // A journal written before keys: rows by number, sliced as they were then.
            if (!options.shard().contains(row.number())) {
                return false;
            }
            if (resume.complete(row.number())) {
                tally.doneBefore.incrementAndGet();
                return false;
            }
            work.id = row.number();
        } else if (keyFunction != null && row.problem() == null) {
            Long key = RowKey.ofValue(keyFunction.apply(row));
            if (key == null) {
                if (options.shard().index() == 1) {
                    tally.rows.incrementAndGet();
                    ledger.invalidRow(row, "has no key (" + keyName + " is empty): every row needs one");
                }
                return false;
            }
            if (!options.shard().containsKey(key)) {
                return false;
            }
            ResumeState.Claim claim = resume.claim(key);
            if (claim == ResumeState.Claim.DONE_BEFORE) {
                tally.doneBefore.incrementAndGet();
                changedSince(row, key);
                return false;
            }
            if (claim == ResumeState.Claim.DUPLICATE) {
                tally.rows.incrementAndGet();
                ledger.duplicate(row, key, keyName);
                return false;
            }
            work.id = key;
            work.key = key;
        }
        return true;
    }

    /**
     * A builder thread's work: builds rows' messages ahead of the connections, taking fresh rows
     * from {@code queue} and handing ready ones back; {@code fatal} gets a builder's own failure.
     */
    Runnable builder(WorkQueue queue, Consumer<Throwable> fatal) {
        return () -> build(queue, fatal);
    }

    private void build(WorkQueue queue, Consumer<Throwable> fatal) {
        try {
            Work w;
            while ((w = queue.takeFresh()) != null) {
                boolean handedOn = false;
                try {
                    Boolean ready = prepare(w);
                    if (ready == null) {
                        ledger.pending(w);
                    } else if (ready) {
                        handedOn = queue.putReady(w);
                        if (!handedOn) {
                            ledger.pending(w);
                        }
                    }
                } catch (RuntimeException | Error e) {
                    fatal.accept(e);
                    ledger.pending(w);
                } finally {
                    if (!handedOn) {
                        queue.builtNothing();
                    }
                }
            }
        } catch (InterruptedException e) {
            stop.accept(Outcome.DEFERRED, "interrupted");
        }
    }

    /** Why the row's address field is unfit for a message, or null (also when no field is checked). */
    static String addressProblem(Row row, BatchOptions options) {
        String field = options.addressField();
        if (field == null) {
            return null;
        }
        String value = row.text(field);
        if (value == null || value.isBlank()) {
            return "has no " + field;
        }
        try {
            Mailbox.parse(field, value);
            return null;
        } catch (MessageException e) {
            return e.getMessage();
        }
    }
}
