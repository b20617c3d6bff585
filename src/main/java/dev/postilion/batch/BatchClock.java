package dev.postilion.batch;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * Time for the batch: what the rate limiter and retry backoff read and wait on. Tests pass a fake
 * whose {@link #sleep} moves its own time forward, so no test ever waits.
 */
public interface BatchClock {

    /** A monotonic time in nanoseconds. */
    long nanoTime();

    /**
     * The wall-clock time in milliseconds since 1970, for what outlives a run: a message's first
     * try, written to the journal, from which its age is counted when a later run resumes.
     */
    default long epochMillis() {
        return System.currentTimeMillis();
    }

    /** Waits {@code nanos} nanoseconds (nothing when not positive). */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Waits up to {@code nanos} for {@code changed} to be signalled; the caller holds its lock. The
     * real clock waits on the condition; a test clock may simply move its time forward.
     */
    default void await(Condition changed, long nanos) throws InterruptedException {
        sleep(nanos);
    }

    /** The real clock: {@link System#nanoTime()} and {@link TimeUnit#sleep}. */
    BatchClock SYSTEM = new BatchClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            if (nanos > 0) {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        }

        @Override
        public void await(Condition changed, long nanos) throws InterruptedException {
            if (nanos > 0) {
                changed.awaitNanos(nanos);
            }
        }
    };
}
