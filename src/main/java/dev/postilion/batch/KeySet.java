package dev.postilion.batch;

/**
 * A set of row keys (61-bit digests, or row numbers for an old journal) in one primitive array with
 * open addressing: 8 bytes a slot and 4 beside it for a digest of the row's cells, at most three
 * quarters full, so 16 to 32 bytes a key (a million keys: 24 MiB). Each key carries two flags: {@link #DONE} (an earlier run finished its row) and
 * {@link #SEEN} (this run met the key already: a duplicate, or a match while comparing a source).
 * Not thread-safe: {@link ResumeState} guards it.
 */
final class KeySet {

    /** An earlier run finished the row: every recipient sent, failed or expired. */
    static final long DONE = 1L << 62;
    /** This run met the key. */
    static final long SEEN = 1L << 61;
    private static final long KEY = SEEN - 1;
    private static final long FLAGS = DONE | SEEN;

    private long[] table = new long[1024];
    /** Beside each key: a 32-bit digest of its row's cells when the journal recorded one (0: none). */
    private int[] cells = new int[1024];
    private int size;

    /** The key as stored: its low 61 bits, never 0 (0 marks an empty slot). */
    static long norm(long key) {
        long k = key & KEY;
        return k == 0 ? 1 : k;
    }

    private static int hash(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        return (int) k;
    }

    private int slot(long[] t, long k) {
        int mask = t.length - 1;
        int i = hash(k) & mask;
        while (t[i] != 0 && (t[i] & KEY) != k) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** The key's flags ({@link #DONE}, {@link #SEEN}, or 0), or -1 when the key is not in the set. */
    long flags(long key) {
        long v = table[slot(table, norm(key))];
        return v == 0 ? -1 : v & FLAGS;
    }

    boolean contains(long key) {
        return flags(key) >= 0;
    }

    /** Adds the key (if missing) and sets {@code flags} on it. True when the key was new. */
    boolean add(long key, long flags) {
        long k = norm(key);
        int i = slot(table, k);
        if (table[i] != 0) {
            table[i] |= flags & FLAGS;
            return false;
        }
        table[i] = k | (flags & FLAGS);
        if (++size * 4L > table.length * 3L) {
            grow();
        }
        return true;
    }

    /** Keeps a digest of the key's row cells (the key must be in the set). */
    void cells(long key, int digest) {
        int i = slot(table, norm(key));
        if (table[i] != 0) {
            cells[i] = digest;
        }
    }

    /** The digest of the key's row cells, or 0 when none was recorded. */
    int cells(long key) {
        int i = slot(table, norm(key));
        return table[i] == 0 ? 0 : cells[i];
    }

    /** Clears {@code flag} on every key. */
    void clear(long flag) {
        for (int i = 0; i < table.length; i++) {
            table[i] &= ~flag;
        }
    }

    /** Keys in the set. */
    int size() {
        return size;
    }

    /** Keys with {@code flag} set. */
    long count(long flag) {
        long n = 0;
        for (long v : table) {
            if (v != 0 && (v & flag) != 0) {
                n++;
            }
        }
        return n;
    }

    private void grow() {
        if (table.length >= 1 << 30) {
            throw new IllegalStateException("more than 800 million keys in one batch");
        }
        long[] bigger = new long[table.length * 2];
        int[] biggerCells = new int[bigger.length];
        for (int i = 0; i < table.length; i++) {
            long v = table[i];
            if (v != 0) {
                int j = slot(bigger, v & KEY);
                bigger[j] = v;
                biggerCells[j] = cells[i];
            }
        }
        table = bigger;
        cells = biggerCells;
    }
}
