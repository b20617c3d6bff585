package dev.postilion.batch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A batch clock whose sleeps move its own time forward at once, and are remembered. */
final class FakeClock implements BatchClock {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Long> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
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
