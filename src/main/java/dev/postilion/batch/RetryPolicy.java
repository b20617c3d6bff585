package dev.postilion.batch;

import java.time.Duration;

/**
 * How often and how patiently a message is tried again after a 4xx reply, a timeout or a lost
 * connection: exponential backoff with jitter. Try {@code n} (counting the first try as 1) waits
 * {@code min(maxDelay, initialDelay * 2^(n-1))}, less up to half of it at random, so connections
 * that failed together do not come back together.
 *
 * @param attempts tries in all, the first included (1 means never retry)
 * @param initialDelay the wait before the first retry, before jitter
 * @param maxDelay the longest wait
 */
public record RetryPolicy(int attempts, Duration initialDelay, Duration maxDelay) {

    /** Three tries, one second first, one minute at most. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(1));

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1 (the first try)");
        }
        if (initialDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("retry delays cannot be negative");
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            maxDelay = initialDelay;
        }
    }

    /** True when a message tried {@code triesSoFar} times may be tried again. */
    public boolean mayRetry(int triesSoFar) {
        return triesSoFar < attempts;
    }

    /**
     * The wait after try number {@code triesSoFar} failed.
     *
     * @param random a number in [0, 1): 0 gives the full delay, values towards 1 up to half less
     */
    public Duration delay(int triesSoFar, double random) {
        long base = initialDelay.toNanos();
        long max = maxDelay.toNanos();
        for (int i = 1; i < triesSoFar && base < max; i++) {
            base = base > max / 2 ? max : base * 2;
        }
        base = Math.min(base, max);
        long jitter = (long) (base / 2.0 * Math.max(0, Math.min(random, 1)));
        return Duration.ofNanos(base - jitter);
    }
}
