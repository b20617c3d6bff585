package dev.postilion.batch;

import java.util.function.DoubleSupplier;

/**
 * One backoff timer for the batch's server, shared by all its connections (BAT-07; RFC 5321
 * 4.5.4.1: "the sender MUST delay retrying a particular destination after one attempt has failed").
 * When messages of different rows are refused temporarily one after another, with nothing delivered
 * in between, the server itself is in trouble, not one recipient: from the second such failure,
 * every connection pauses before its next transaction, for the retry policy's delay, doubling with
 * each further failure (with jitter, between {@code retryDelay} and {@code maxRetryDelay}). When
 * the server has failed after as many pauses of the longest length as the policy has tries, the
 * batch gives up on it for this run instead of retrying each message on its own: the rest stays
 * pending for {@code --resume}. Random failures of a working server (a few in a hundred) never run
 * that long: a delivery in between starts the count again.
 *
 * <p>A delivery (or any definite answer) ends the pause and the count. The same row failing again
 * counts once (one recipient greylisted or over quota is that recipient's business, and its own
 * backoff), and so do the transactions that were already under way when a pause began.
 */
final class HostBackoff {

    /** Pauses longer than this hang up first: servers drop idle connections after a few minutes. */
    static final long HANG_UP_BEFORE_NANOS = 60_000_000_000L;

    private final RetryPolicy policy;
    private final BatchClock clock;
    private final DoubleSupplier random;
    private int inARow;
    private int longestPauses;
    private long lastRow = -1;
    private long openAt;
    private boolean paused;

    HostBackoff(RetryPolicy policy, BatchClock clock, DoubleSupplier random) {
        this.policy = policy;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Waits until the server may be tried again (at once when it is not paused). Before a long
     * pause, {@code beforeLongPause} runs (the connection hangs up rather than idle into a timeout).
     */
    void awaitTurn(Runnable beforeLongPause) throws InterruptedException {
        long wait = remaining();
        if (wait <= 0) {
            return;
        }
        if (wait > HANG_UP_BEFORE_NANOS) {
            beforeLongPause.run();
        }
        clock.sleep(wait);
    }

    /** Nanoseconds until the pause ends; 0 or less when the server may be tried now. */
    synchronized long remaining() {
        return paused ? openAt - clock.nanoTime() : 0;
    }

    /**
     * A transaction of {@code row} ended refused temporarily, with nothing delivered. Returns true
     * when the server has now failed after {@code attempts} pauses of the longest length: give up.
     */
    synchronized boolean failed(long row) {
        long now = clock.nanoTime();
        if (paused && openAt - now > 0 || row == lastRow) {
            return false;
        }
        inARow++;
        lastRow = row;
        if (longestPauses >= policy.attempts()) {
            return true;
        }
        if (inARow >= 2) {
            paused = true;
            openAt = now + policy.delay(inARow - 1, random.getAsDouble()).toNanos();
            if (policy.delay(inARow - 1, 0).compareTo(policy.maxDelay()) >= 0) {
                longestPauses++;
            }
        }
        return false;
    }

    /** The server took a message or answered definitely: no pause, the count starts again. */
    synchronized void answered() {
        inARow = 0;
        longestPauses = 0;
        lastRow = -1;
        paused = false;
    }

    /** Temporary failures of different rows in a row, with nothing delivered in between. */
    synchronized int failuresInARow() {
        return inARow;
    }
}
