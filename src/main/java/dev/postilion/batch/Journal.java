package dev.postilion.batch;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batch journal: an append-only file, one JSON object per line, one line per change of a
 * message's state. The first line names the batch (its id seeds every stable Message-ID) and
 * the shard. Then, per transaction:
 *
 * <pre>
 * {"row":17,"state":"sending","to":["b@y"],"mid":"&lt;...&gt;","date":"..."}   written and fsync'd before the final dot
 * {"row":17,"state":"sent","to":["b@y"],"code":250,"queue":"4F3D21","attempts":1,"done":true}
 * </pre>
 *
 * <p>States: {@code sending}; then {@code sent} (2xx after the dot), {@code failed} (5xx),
 * {@code deferred} (4xx or a lost connection after the retries), {@code expired} (still 4xx when
 * the message reached its maximum age: never tried again), {@code in-doubt} (the dot went out and
 * no reply came back: RFC 1047's window), {@code invalid} (the row could not make a message),
 * {@code not-sent} (the server answered the final dot without taking the message: 4xx, or a daily
 * quota; whatever follows, that transaction delivered nothing, so a resume must not list it in doubt).
 * {@code done} marks the line that finished the row: every recipient sent, failed or expired.
 * Deferred and expired lines carry {@code first}, when the row was first tried, so that a resumed
 * run counts the age from there.
 *
 * <p>Durability: the {@code sending} line is forced to disk before the final dot is sent (group
 * commit: one fsync covers every line written before it, so concurrent connections share them).
 * Other lines are written at once (one write per line, so a killed process loses none) and forced
 * with the next {@code sending} line, every {@value #SYNC_EVERY} lines, and on close. A power loss
 * can therefore lose the latest result lines; their messages then read as {@code sending} with no
 * result, which a resumed batch reports as in doubt: never sent twice silently, never lost.
 *
 * <p>A torn last line (a crash in the middle of a write) is cut off when the journal is reopened.
 *
 * <p>A write or force that fails (a full disk: ENOSPC) breaks the journal: every later line is
 * refused at once, so a {@code sending} line can never follow a torn one and no final dot goes out
 * that the journal cannot record.
 */
final class Journal implements Closeable {

    static final String FORMAT = "postilion-batch-journal";
    static final int SYNC_EVERY = 1000;

    /** Opens the journal's file; tests pass one that fills up (a disk that runs out of space). */
    @FunctionalInterface
    interface Opener {
        /** The file, opened to read and write, created when missing. */
        FileChannel open(Path path) throws IOException;

        Opener FILE = path -> FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final String batchId;
    private final ResumeState state;
    private final List<String> warnings;
    private final boolean fsync;
    private final Object syncLock = new Object();
    private long written;
    private Map<String, Object> header = Map.of();
    /** Runs before each force to disk (the batch flushes its report there). */
    private volatile Runnable onSync = () -> { };
    /** The file's size when it was opened: the lines of earlier runs end here. */
    private long earlierEnd;
    private boolean keyed = true;
    private volatile long synced;
    private long sinceSync;
    private boolean closed;
    /** The first write or force that failed; after it nothing more is written. */
    private volatile IOException broken;

    private Journal(Path path, FileChannel channel, FileLock lock, String batchId, ResumeState state,
                    List<String> warnings, boolean fsync) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.batchId = batchId;
        this.state = state;
        this.warnings = warnings;
        this.fsync = fsync;
    }

    /**
     * Opens a journal. A new (or empty) file gets a header and a fresh batch id. An existing one is
     * continued only with {@code resume}: it is read (torn tail cut), checked against the shard,
     * and its done rows become the {@link #state()}.
     *
     * @throws JournalException when the file belongs to another shard, is damaged in the middle,
     *                          exists without {@code resume}, is missing with {@code resume}, or is
     *                          locked by another run
     */
    static Journal open(Path path, boolean resume, Shard shard, String source) throws IOException {
        return open(path, resume, shard, source, true);
    }

    /**
     * Opens a journal; with {@code fsync} false, lines are written before the dot but not forced to
     * disk until the journal closes: a killed process loses nothing (the kernel has every line),
     * an operating-system crash or power loss can.
     */
    static Journal open(Path path, boolean resume, Shard shard, String source, boolean fsync) throws IOException {
        return open(path, resume, shard, source, fsync, Opener.FILE);
    }

    /** {@link #open(Path, boolean, Shard, String, boolean)} with the file opened by {@code opener}. */
    static Journal open(Path path, boolean resume, Shard shard, String source, boolean fsync, Opener opener)
            throws IOException {
        return open(path, new Request(resume, false, shard, source, fsync, opener));
    }

    /**
     * What a run asks of its journal.
     *
     * @param resume continue the batch the journal records
     * @param create with {@code resume}: start a new journal when there is none (a cron line's first run)
     * @param shard the slice of the source this run takes
     * @param source the source's name
     * @param fsync force lines to disk before each final dot
     * @param opener opens the file
     * @param keys what identifies a row: {@value #KEYS_DEFAULT}, or {@code column NAME}, or {@code script}
     * @param acceptSourceChange go on when the journal keys rows otherwise than this run
     * @param about facts about the source and script for a new journal's header (size, header line, digest)
     */
    record Request(boolean resume, boolean create, Shard shard, String source, boolean fsync, Opener opener,
                   String keys, boolean acceptSourceChange, Map<String, Object> about) {

        Request(boolean resume, boolean create, Shard shard, String source, boolean fsync, Opener opener) {
            this(resume, create, shard, source, fsync, opener, KEYS_DEFAULT, false, Map.of());
        }
    }

    /** How rows are keyed by default: a digest of their envelope recipients. */
    static final String KEYS_DEFAULT = "recipients";

    /** The path as messages show it: absolute, so a run from another folder says where it looked. */
    static Path shown(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** Opens a journal as {@code request} asks. */
    static Journal open(Path path, Request request) throws IOException {
        Path shown = shown(path);
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // A device or a pipe would be read without end on --resume, and cannot keep what is written.
            throw new JournalException("journal " + shown + " is not a regular file (a folder, a device or a pipe"
                    + " cannot hold a journal)");
        }
        boolean existed = Files.isRegularFile(path) && Files.size(path) > 0;
        if (request.resume() && !existed && !request.create()) {
            throw new JournalException(BatchFiles.noJournal(shown), null, JournalException.Why.USAGE);
        }
        Path parent = shown.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new JournalException("journal " + shown + ": folder " + parent + " does not exist");
        }
        if (!request.resume() && existed) {
            throw new JournalException(BatchFiles.exists(shown), null, JournalException.Why.USAGE);
        }
        FileChannel channel = request.opener().open(path);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new JournalException("journal " + shown + " is in use by another batch run; nothing was sent"
                    + "\n    wait for it to finish, or give this run its own --journal", null, true);
        }
        try {
            List<String> warnings = new ArrayList<>();
            ResumeState state = new ResumeState();
            String id;
            Map<String, Object> headerFound = Map.of();
            if (channel.size() == 0) {
                id = JournalReader.newBatchId();
            } else {
                if (!request.resume()) {
                    throw new JournalException(BatchFiles.exists(shown), null, JournalException.Why.USAGE);
                }
                Map<String, Object> found = new LinkedHashMap<>();
                id = JournalReader.read(shown, channel, request, state, warnings, found, true);
                headerFound = found;
            }
            channel.position(channel.size());
            Journal j = new Journal(shown, channel, lock, id, state, warnings, request.fsync());
            if (channel.size() == 0) {
                Map<String, Object> header = new LinkedHashMap<>();
                header.put("journal", FORMAT);
                header.put("version", 2);
                header.put("batch", id);
                header.put("shard", String.valueOf(request.shard() == null ? Shard.ALL : request.shard()));
                header.put("shardBy", "key");
                header.put("keys", request.keys());
                header.put("source", request.source());
                request.about().forEach(header::putIfAbsent);
                header.put("created", Instant.now().toString());
                j.append(header);
                j.sync();
                headerFound = header;
            }
            j.header = headerFound;
            j.earlierEnd = channel.size();
            j.keyed = headerFound.get("keys") != null;
            if (!j.keyed) {
                warnings.add("journal " + shown + " was written before rows had keys: it resumes by row number (and"
                        + (request.shard() == null || Shard.ALL.equals(request.shard()) ? "" : " shard "
                        + request.shard() + " by row number, as it"
                        + " was sliced then; and") + " a changed source is not detected for it: rows inserted, deleted"
                        + " or re-sorted since would be sent twice or never); finish it before editing the source");
            }
            return j;
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    /**
     * A journal read without writing or locking it (a torn tail is left for the next resume to cut):
     * for {@code journal show} and for a dry run that says what a resume would do.
     *
     * @param keyed false for a journal written before keys (rows by number)
     */
    record Peek(Path path, String batchId, Map<String, Object> header, ResumeState state, List<String> warnings,
                boolean keyed) {
    }

    /** Reads a journal read-only; {@code shard}, {@code source} and {@code keys} null: any. */
    static Peek peek(Path path, Shard shard, String source, String keys) throws IOException {
        return JournalReader.peek(path, shard, source, keys);
    }

    /**
     * Hands every final outcome earlier runs recorded (a {@code sent}, {@code failed} or
     * {@code expired} result line: never tried again) to {@code each}, in the order they happened,
     * streaming the file: a resumed run's report carries them forward.
     */
    void earlierOutcomes(java.util.function.Consumer<JournalEntry> each) throws IOException {
        JournalReader.earlierOutcomes(path, earlierEnd, each);
    }

    /** The batch id, the seed of every stable Message-ID. */
    String batchId() {
        return batchId;
    }

    /** What earlier runs finished (empty for a new journal). */
    ResumeState state() {
        return state;
    }

    /** Repairs made while reading (a torn tail cut off). */
    List<String> warnings() {
        return warnings;
    }

    Path path() {
        return path;
    }

    /** Runs {@code action} before each force to disk. */
    void onSync(Runnable action) {
        this.onSync = action;
    }

    /** True when rows are identified by key (false: a journal written before keys, by row number). */
    boolean keyed() {
        return keyed;
    }

    /** The header line as read or written. */
    Map<String, Object> header() {
        return header;
    }

    /** Records that the final dot of this transaction is next, and forces it to disk first. */
    void sending(long row, List<String> to, String messageId, String date) throws IOException {
        sending(row, null, to, messageId, date);
    }

    /** {@link #sending(long, List, String, String)} for the row with this key (null: none). */
    void sending(long row, Long key, List<String> to, String messageId, String date) throws IOException {
        sending(row, key, 0, to, messageId, date);
    }

    /** ... and a digest of the row's cells (0: none), so a resume can say when a sent row changed since. */
    void sending(long row, Long key, int cells, List<String> to, String messageId, String date) throws IOException {
        long seq = append(JournalEntry.sending(row, key, cells, to, messageId, date).toJson() + "\n");
        if (fsync) {
            syncTo(seq);
        }
    }

    /** Records a result line; forced with the next {@code sending} line or every {@value #SYNC_EVERY} lines. */
    void result(JournalEntry entry) throws IOException {
        long seq = append(entry.toJson() + "\n");
        if (!fsync) {
            return;
        }
        boolean due;
        synchronized (this) {
            due = ++sinceSync >= SYNC_EVERY;
            if (due) {
                sinceSync = 0;
            }
        }
        if (due) {
            syncTo(seq);
        }
    }

    private long append(Map<String, Object> record) throws IOException {
        return append(Json.write(new StringBuilder(256), record).append('\n'));
    }

    /** Appends one line (ending in a line feed). */
    private synchronized long append(CharSequence line) throws IOException {
        if (closed) {
            throw new IOException("journal " + path + " is closed");
        }
        refuseIfBroken();
        ByteBuffer bytes = ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            broken = e;
            throw e;
        }
        return ++written;
    }

    private void refuseIfBroken() throws IOException {
        IOException e = broken;
        if (e != null) {
            throw new IOException(e.getMessage() + " (an earlier write failed; nothing more is written)", e);
        }
    }

    /** Forces every line written so far. */
    void sync() throws IOException {
        long seq;
        synchronized (this) {
            seq = written;
        }
        syncTo(seq);
    }

    private void syncTo(long seq) throws IOException {
        if (synced >= seq) {
            return;
        }
        synchronized (syncLock) {
            if (synced >= seq) {
                return;
            }
            refuseIfBroken();
            long target;
            synchronized (this) {
                target = written;
            }
            onSync.run();
            try {
                channel.force(false);
            } catch (IOException e) {
                broken = e;
                throw e;
            }
            synced = target;
        }
    }

    /** After a failed write: keep what was written before it, if the disk lets us; the failure is already known. */
    private void forceQuietly() {
        try {
            channel.force(false);
        } catch (IOException ignored) {
            // The first failure has been reported; this one says nothing new.
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        try {
            if (broken == null) {
                sync();
            } else {
                forceQuietly();
            }
        } finally {
            synchronized (this) {
                closed = true;
            }
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
