package dev.postilion.batch;

import dev.postilion.smtp.Durations;
import java.time.Duration;
import java.time.Instant;

/**
 * What becomes of a row's recipients still refused temporarily after a round of transactions:
 * another try after a backoff, {@code deferred} once the tries are used up, or {@code expired} once
 * the message is older than {@code maxAge} (BAT-08). A pure function of the row, the options and
 * the clock.
 *
 * @param state null for a retry; else {@link RecipientState#DEFERRED} or {@link RecipientState#EXPIRED}
 * @param due for a retry: when, on the batch clock
 * @param problem for the deferred or expired line: the problem in words, or null
 */
record RetryPlan(RecipientState state, long due, String problem) {

    /** Decides for {@code w}, whose {@code tries} counts the retries so far. */
    static RetryPlan after(Work w, BatchOptions options) {
        Duration maxAge = options.maxAge();
        long age = options.clock().epochMillis() - w.firstTry;
        if (maxAge != null && age >= maxAge.toMillis()) {
            // BAT-08, RFC 5321 4.5.4.1: give up on a message after its lifetime (Postfix: maximal_queue_lifetime).
            return new RetryPlan(RecipientState.EXPIRED, 0, "still refused temporarily " + Durations.spoken(Duration.ofMillis(age))
                    + " after its first try (" + Instant.ofEpochMilli(w.firstTry) + "), past maxAge "
                    + Durations.spoken(maxAge) + ": expired, not tried again"
                    + (w.lastReply == null && w.lastProblem != null ? "; the last problem: " + w.lastProblem : ""));
        }
        if (options.retry().mayRetry(w.tries + 1)) {
            return new RetryPlan(null, options.clock().nanoTime() + delay(options, w.tries + 1), null);
        }
        // w.tries counts the retries; the report's "attempts" (tries + 1) counts the first try too.
        return new RetryPlan(RecipientState.DEFERRED, 0, w.lastReply != null ? null : w.lastProblem);
    }

    /** The backoff before try number {@code tries} + 1, in nanoseconds. */
    static long delay(BatchOptions options, int tries) {
        return options.retry().delay(tries, options.random().getAsDouble()).toNanos();
    }

    /** True for another try. */
    boolean retry() {
        return state == null;
    }
}
