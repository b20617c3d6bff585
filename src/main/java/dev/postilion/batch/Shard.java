package dev.postilion.batch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic slice of a source by row key: shard {@code K/N} takes the rows whose key (a
 * digest of the recipients, or what the script names) leaves remainder {@code K-1} when divided by
 * {@code N}, so an inserted or re-sorted row never moves between shards. The N shards of a source
 * are disjoint and together take every row, whatever host runs them (cron boxes, a Kubernetes
 * Indexed Job with {@code K = JOB_COMPLETION_INDEX + 1}). A journal written before keys keeps the
 * old slicing by row number ({@link #contains}) when resumed.
 *
 * @param index K, from 1
 * @param count N
 */
public record Shard(int index, int count) {

    /** The whole source. */
    public static final Shard ALL = new Shard(1, 1);

    private static final Pattern FORM = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d+)\\s*");

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + " does not exist: write K/N with"
                    + " 1 <= K <= N");
        }
    }

    /**
     * Parses {@code K/N}.
     *
     * @throws IllegalArgumentException naming the form
     */
    public static Shard parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a shard; write K/N, e.g. 2/4 for the second of four");
        }
        try {
            return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a shard; K and N are too large");
        }
    }

    /** True when the row with this key belongs to this shard. */
    public boolean containsKey(long key) {
        return Long.remainderUnsigned(key, count) == index - 1;
    }

    /** True when row {@code number} (from 1) belongs to this shard by the old slicing, by row number. */
    public boolean contains(long number) {
        return (number - 1) % count == index - 1;
    }

    /** How many of the rows numbered 1 to {@code rows} this shard takes. */
    public long rowsIn(long rows) {
        return rows < index ? 0 : (rows - index) / count + 1;
    }

    /** {@code K/N}. */
    @Override
    public String toString() {
        return index + "/" + count;
    }
}
