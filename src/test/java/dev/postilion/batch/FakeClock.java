package dev.postilion.batch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A batch clock whose sleeps move its own time forward at once, and are remembered. Its wall clock
 * starts at {@code 2026-11-29T03:10:00Z} (or where a test sets it) and moves with it.
 */
final class FakeClock implements BatchClock {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final long epochAtStart;
    final List<Long> sleeps = new CopyOnWriteArrayList<>();

    FakeClock() {
        this(java.time.Instant.parse("2026-11-29T03:10:00Z"));
    }

    FakeClock(java.time.Instant wallClockAtStart) {
        this.epochAtStart = wallClockAtStart.toEpochMilli() - now.get() / 1_000_000;
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public long epochMillis() {
        return epochAtStart + now.get() / 1_000_000;
    }

    @Override
    public void sleep(long nanos) {
        if (nanos > 0) {
            sleeps.add(nanos);
            now.addAndGet(nanos);
        }
    }

    void advance(long nanos) {
        now.addAndGet(nanos);
    }
}
