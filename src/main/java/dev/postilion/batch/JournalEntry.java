package dev.postilion.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One line of the batch journal after its header: a change of some recipients' state. The on-disk
 * form is {@link #toJson()}, fields in this order, absent ones left out:
 *
 * <pre>
 * {"row":17,"key":"…","cells":"…","state":"sending","to":["b@y"],"mid":"&lt;…&gt;","date":"…"}
 * {"row":17,"key":"…","state":"sent","to":["b@y"],"code":250,"queue":"4F3D21","attempts":1,"done":true}
 * {"row":17,"key":"…","state":"deferred","to":["b@y"],"code":451,"reply":"451 …","first":"…","attempts":3}
 * {"row":17,"key":"…","state":"not-sent","to":["b@y"],"code":451,"reply":"451 …"}
 * {"row":18,"state":"invalid","reply":"has no email"}
 * {"row":17,"key":"…","state":"sent","to":["b@y"],"settled":"by the operator (journal settle)","mid":"&lt;…&gt;"}
 * </pre>
 *
 * @param row the row number when the line was written
 * @param key the row's key (16 hex digits), or null (a journal written before keys, an invalid row)
 * @param cells a digest of the row's cells as 8 hex digits (sending lines of keyed rows), or null
 * @param state the new state; null when read from a journal that names a state this version does not know
 * @param to the recipients the line is about, or null (invalid rows)
 * @param code the reply code, or null
 * @param queue the server's queue id from a 2xx after the dot, or null
 * @param reply the first line of the reply (for invalid rows: why), or null
 * @param first when the row was first tried, an ISO-8601 instant (deferred and expired lines), or null
 * @param attempts transactions tried for these recipients, or null
 * @param done true on the line that finished the row (every recipient sent, failed or expired)
 * @param settled who settled an in-doubt message (journal settle), or null
 * @param mid the Message-ID, or null
 * @param date the Date (ISO-8601 with offset), or null
 */
record JournalEntry(long row, String key, String cells, RecipientState state, List<String> to, Integer code,
                    String queue, String reply, String first, Integer attempts, boolean done, String settled,
                    String mid, String date) {

    /** Written and forced to disk before the final dot: the message may be delivered from here on. */
    static JournalEntry sending(long row, Long key, int cells, List<String> to, String mid, String date) {
        return new JournalEntry(row, key == null ? null : RowKey.hex(key),
                cells == 0 ? null : RowKey.hex(cells & 0xffffffffL, 8), RecipientState.SENDING, to, null, null, null,
                null, null, false, null, mid, date);
    }

    /** A result for some recipients of a transaction. */
    static JournalEntry result(long row, Long key, RecipientState state, List<String> to, Integer code,
                               String queue, String reply, String first, Integer attempts, boolean done) {
        return new JournalEntry(row, key == null ? null : RowKey.hex(key), null, state, to, code, queue, reply, first,
                attempts, done, null, null, null);
    }

    /** The server answered the final dot without taking the message: that transaction delivered nothing. */
    static JournalEntry notSent(long row, Long key, List<String> to, int code, String reply) {
        return new JournalEntry(row, key == null ? null : RowKey.hex(key), null, RecipientState.NOT_SENT, to, code,
                null, reply, null, null, false, null, null, null);
    }

    /** A row that could not make a message. */
    static JournalEntry invalid(long row, String why) {
        return new JournalEntry(row, null, null, RecipientState.INVALID, null, null, null, why, null, null, false,
                null, null, null);
    }

    /** The operator's decision on in-doubt recipients. */
    static JournalEntry settled(long row, String key, RecipientState state, List<String> to, String settled,
                                String mid) {
        return new JournalEntry(row, key, null, state, to, null, null, null, null, null, false, settled, mid, null);
    }

    /** The line, without its line feed. */
    String toJson() {
        StringBuilder sb = new StringBuilder(256).append("{\"row\":").append(row);
        put(sb, "key", key);
        put(sb, "cells", cells);
        put(sb, "state", state == null ? null : state.wire());
        put(sb, "to", to);
        put(sb, "code", code);
        put(sb, "queue", queue);
        put(sb, "reply", reply);
        put(sb, "first", first);
        put(sb, "attempts", attempts);
        put(sb, "done", done ? Boolean.TRUE : null);
        put(sb, "settled", settled);
        put(sb, "mid", mid);
        put(sb, "date", date);
        return sb.append('}').toString();
    }

    /** Appends {@code ,"name":value} when the value is there (names are plain ASCII, as JSON writes them). */
    static void put(StringBuilder sb, String name, Object value) {
        if (value != null) {
            Json.write(sb.append(",\"").append(name).append("\":"), value);
        }
    }

    /**
     * A line as read back. Unknown fields are ignored, and so is a state this version does not know.
     *
     * @throws IllegalArgumentException when {@code row} or {@code state} is missing or of the wrong type
     */
    static JournalEntry of(Map<String, Object> record) {
        Object rowValue = record.get("row");
        Object st = record.get("state");
        if (!(rowValue instanceof Long row) || row < 1 || !(st instanceof String s)) {
            throw new IllegalArgumentException("a record needs \"row\" (a number from 1) and \"state\"");
        }
        List<String> to = null;
        Object t = record.get("to");
        if (t instanceof List<?> list) {
            to = new ArrayList<>(list.size());
            for (Object x : list) {
                to.add(String.valueOf(x));
            }
        } else if (t != null) {
            to = List.of(String.valueOf(t));
        }
        Object key = record.get("key");
        return new JournalEntry(row, key == null ? null : String.valueOf(key), text(record.get("cells")),
                RecipientState.ofWire(s), to, number(record.get("code")), text(record.get("queue")),
                text(record.get("reply")), record.get("first") == null ? null : String.valueOf(record.get("first")),
                number(record.get("attempts")), Boolean.TRUE.equals(record.get("done")), text(record.get("settled")),
                text(record.get("mid")), text(record.get("date")));
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    private static Integer number(Object value) {
        return value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (int) l.longValue() : null;
    }
}
