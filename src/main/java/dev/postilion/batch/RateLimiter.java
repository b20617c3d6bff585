package dev.postilion.batch;

/**
 * A token bucket shared by every connection of a batch: one token per transaction, refilled at
 * the rate, holding at most a tenth of a second's worth (never less than one), so the first
 * messages go at once and the long-run rate never exceeds the limit. A caller that finds the
 * bucket empty reserves the next token and waits for it outside the lock.
 */
final class RateLimiter {

    private final BatchClock clock;
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    RateLimiter(Rate rate, BatchClock clock) {
        this.clock = clock;
        this.perNano = rate.perSecond() / 1e9;
        this.capacity = Math.max(1.0, rate.perSecond() / 10);
        this.tokens = capacity;
        this.last = clock.nanoTime();
    }

    /** Takes a token, waiting as long as needed. */
    void acquire() throws InterruptedException {
        clock.sleep(reserve());
    }

    /** Takes a token and returns how long the caller must wait before using it, in nanoseconds. */
    synchronized long reserve() {
        long now = clock.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        tokens -= 1;
        if (tokens >= 0) {
            return 0;
        }
        return (long) Math.ceil(-tokens / perNano);
    }
}
