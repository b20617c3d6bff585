package dev.postilion.batch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a batch journal back: checks its header against the run, replays every line into a
 * {@link ResumeState}, cuts a torn or garbled tail (and refuses a journal damaged in the middle),
 * and streams the final outcomes of earlier runs for the report. The writing side is {@link Journal}.
 */
final class JournalReader {

    private static final int MAX_LINE = 1 << 20;

    private JournalReader() {
    }

    /** Reads a journal read-only; {@code shard}, {@code source} and {@code keys} null: any. */
    static Journal.Peek peek(Path path, Shard shard, String source, String keys) throws IOException {
        Path shown = Journal.shown(path);
        if (!Files.isRegularFile(path)) {
            throw new JournalException(BatchFiles.noJournal(shown), null, JournalException.Why.USAGE);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ResumeState state = new ResumeState();
            List<String> warnings = new ArrayList<>();
            Map<String, Object> found = new LinkedHashMap<>();
            String id = read(shown, channel, new Journal.Request(true, false, shard, source, false, Journal.Opener.FILE, keys, false,
                    Map.of()), state, warnings, found, false);
            return new Journal.Peek(shown, id, found, state, warnings, found.isEmpty() || found.get("keys") != null);
        }
    }

    /** A fresh batch id: 16 random hex digits. */
    static String newBatchId() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }

    /**
     * Reads every line into {@code state} and the header into {@code found}; returns the batch id.
     * With {@code repair}, cuts a torn or garbled tail (else only warns of it).
     */
    static String read(Path path, FileChannel channel, Journal.Request request, ResumeState state,
                               List<String> warnings, Map<String, Object> found, boolean repair) throws IOException {
        Shard shard = request.shard();
        String source = request.source();
        String id = null;
        long goodEnd = 0;
        long offset = 0;
        long badAt = -1;
        int badLine = 0;
        String badWhy = null;
        int lineNo = 0;
        InputStream in = java.nio.channels.Channels.newInputStream(channel.position(0));
        java.io.BufferedInputStream buf = new java.io.BufferedInputStream(in, 64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        boolean tooLong = false;
        while (true) {
            int b = buf.read();
            if (b < 0) {
                break;
            }
            offset++;
            if (b != '\n') {
                if (line.size() < MAX_LINE) {
                    line.write(b);
                } else {
                    tooLong = true;
                }
                continue;
            }
            lineNo++;
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String why = null;
            Map<String, Object> record = null;
            if (tooLong) {
                why = "longer than " + MAX_LINE + " octets";
            } else {
                try {
                    record = Json.parseObject(text);
                } catch (Json.JsonException e) {
                    why = e.getMessage();
                }
            }
            tooLong = false;
            if (record == null) {
                if (text.isBlank() && badAt < 0) {
                    goodEnd = offset;
                    continue;
                }
                if (badAt < 0) {
                    badAt = goodEnd;
                    badLine = lineNo;
                    badWhy = why;
                }
                continue;
            }
            if (badAt >= 0) {
                throw new JournalException("journal " + path + " is damaged at line " + badLine + " (" + badWhy
                        + "), and good lines follow it; nothing was sent\n    it was not written by this program"
                        + " alone: repair or remove it");
            }
            try {
                if (id == null) {
                    id = header(path, record, request);
                    found.putAll(record);
                } else {
                    apply(record, state, found.get("keys") != null);
                }
            } catch (IllegalArgumentException e) {
                throw new JournalException("journal " + path + " line " + lineNo + ": " + e.getMessage());
            }
            goodEnd = offset;
        }
        boolean tornTail = line.size() > 0 || tooLong;
        long cut = badAt >= 0 ? badAt : goodEnd;
        if (cut < channel.size()) {
            warnings.add("journal " + path + ": " + (badAt >= 0 ? "garbled tail from line " + badLine + " (" + badWhy + ")"
                    : tornTail ? "torn last line (the previous run stopped while writing it)" : "trailing bytes")
                    + (repair ? " cut off; every line before it is kept" : " (a resume cuts it off)"));
            if (repair) {
                channel.truncate(cut);
                channel.force(true);
            }
        }
        if (id == null) {
            // Only a torn header: the previous run stopped before sending anything.
            id = newBatchId();
        }
        return id;
    }

    private static String header(Path path, Map<String, Object> record, Journal.Request request) throws JournalException {
        Shard shard = request.shard();
        String source = request.source();
        if (!Journal.FORMAT.equals(record.get("journal")) || !(record.get("batch") instanceof String id)) {
            throw new JournalException("journal " + path + " is not a Postilion batch journal (its first line"
                    + " has no \"journal\":\"" + Journal.FORMAT + "\"); nothing was sent");
        }
        Object s = record.get("shard");
        if (s != null && shard != null && !shard.toString().equals(s)) {
            throw new JournalException("journal " + path + " belongs to shard " + s + ", not " + shard
                    + "; nothing was sent\n    each shard keeps its own journal");
        }
        Object src = record.get("source");
        if (src != null && source != null && !source.equals(src)) {
            throw new JournalException("journal " + path + " records a batch of " + src + ", not of " + source
                    + "; nothing was sent\n    each batch keeps its own journal");
        }
        Object keys = record.get("keys");
        if (keys != null && request.keys() != null && !keys.equals(request.keys()) && !request.acceptSourceChange()) {
            throw new JournalException("journal " + path + " identifies rows by " + keys + ", this run by "
                    + request.keys() + ": no row would match; nothing was sent\n    give the batch the key it had ("
                    + (keys.equals(Journal.KEYS_DEFAULT) ? "no key:" : "key:") + " as before), or pass --source-changed=accept"
                    + " to send every row again", null, JournalException.Why.SOURCE);
        }
        return id;
    }

    private static void apply(Map<String, Object> record, ResumeState state, boolean keyed) {
        JournalEntry e = JournalEntry.of(record);
        long id;
        if (keyed) {
            if (e.key() == null) {
                return;  // a row that never had a key (invalid before it made a message): nothing to remember
            }
            id = RowKey.parse(e.key());
        } else {
            id = e.row();
        }
        List<String> to = e.to() == null ? List.of() : e.to();
        if (keyed && e.cells() != null && e.cells().length() == 8) {
            state.cells(id, Integer.parseUnsignedInt(e.cells(), 16));
        }
        if (e.state() == RecipientState.SENDING) {
            state.sending(id, to, e.mid(), e.date());
        } else {
            state.terminal(id, to, e.state(), e.done(), first(e.first()));
        }
        state.row(id, e.row());
    }

    /** A result line's {@code "first"}: when its row was first tried, an ISO-8601 instant; null when absent. */
    private static Long first(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(String.valueOf(value)).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("\"first\" must be an instant such as 2026-11-29T03:10:00Z, not '"
                    + value + "'");
        }
    }

    /**
     * Hands every final outcome earlier runs recorded (a {@code sent}, {@code failed} or
     * {@code expired} result line: never tried again) to {@code each}, in the order they happened,
     * streaming the file: a resumed run's report carries them forward.
     */
    static void earlierOutcomes(Path path, long earlierEnd, Consumer<JournalEntry> each) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(
                FileChannel.open(path, StandardOpenOption.READ)), 64 * 1024)) {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                    new CountingLimit(in, earlierEnd), StandardCharsets.UTF_8));
            r.readLine();  // the header
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.contains(FINAL[0]) && !line.contains(FINAL[1]) && !line.contains(FINAL[2])) {
                    continue;
                }
                try {
                    each.accept(JournalEntry.of(Json.parseObject(line)));
                } catch (IllegalArgumentException e) {
                    // Read and checked at open: a line that does not parse now was not a result line.
                }
            }
        }
    }

    /** How a final outcome's state reads in a line. */
    private static final String[] FINAL = {"\"state\":\"" + RecipientState.SENT.wire() + "\"",
        "\"state\":\"" + RecipientState.FAILED.wire() + "\"", "\"state\":\"" + RecipientState.EXPIRED.wire() + "\""};

    /** The first {@code limit} bytes of a stream. */
    private static final class CountingLimit extends java.io.FilterInputStream {
        private long left;

        CountingLimit(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
