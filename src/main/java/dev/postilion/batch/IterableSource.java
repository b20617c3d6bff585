package dev.postilion.batch;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/** Rows from an iterable or iterator of maps, as a script or a Java caller hands them over. */
final class IterableSource implements RowSource {

    private final Iterable<?> iterable;
    private Iterator<?> iterator;

    IterableSource(Iterable<?> iterable, Iterator<?> iterator) {
        this.iterable = iterable;
        this.iterator = iterator;
    }

    /** True when the rows come from an iterator: they can be read only once. */
    boolean once() {
        return iterable == null;
    }

    @Override
    public synchronized RowReader open() {
        Iterator<?> it;
        if (iterable != null) {
            it = iterable.iterator();
        } else {
            if (iterator == null) {
                throw new IllegalStateException("an iterator source can be read only once");
            }
            it = iterator;
            iterator = null;
        }
        return reader(it, iterable instanceof Collection<?> c ? c.size() : -1);
    }

    /** Reads {@code items} as rows, numbered from 1; {@code total} is their count, or -1 when unknown. */
    static RowReader reader(Iterator<?> items, long total) {
        return new RowReader() {
            private long row;

            @Override
            public Row next() {
                if (!items.hasNext()) {
                    return null;
                }
                return toRow(++row, items.next());
            }

            @Override
            public long total() {
                return total;
            }

            @Override
            public double consumed() {
                return total < 0 ? -1 : total == 0 ? 1 : (double) row / total;
            }
        };
    }

    @Override
    public String describe() {
        return "the row list";
    }

    /** A list item as a row: a map is a row; anything else is an invalid one. */
    static Row toRow(long number, Object item) {
        if (item instanceof Map<?, ?> m) {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> fields.put(String.valueOf(k), v));
            return Row.of(number, fields);
        }
        String what = item == null ? "empty" : "a " + item.getClass().getSimpleName();
        return Row.invalid(number, Map.of(), "is " + what + ", not a map of fields");
    }
}
