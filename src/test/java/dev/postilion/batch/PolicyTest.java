package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rates, the token bucket, the backoff schedule and shards. */
class PolicyTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            30/min     | 0.5    | 30/min
            5/s        | 5.0    | 5/s
            1000/h     | 0.2778 | 1000/h
            2 / minute | 0.0333 | 2/min
            0.5/sec    | 0.5    | 0.5/s
            """, delimiter = '|')
    void ratesReadAsPeopleWriteThem(String text, double perSecond, String shown) {
        Rate r = Rate.parse(text);
        assertThat(r.perSecond()).isCloseTo(perSecond, org.assertj.core.data.Offset.offset(0.001));
        assertThat(r).hasToString(shown);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            30
            30/day
            0/s
            -1/s
            fast
            """)
    void badRatesNameTheForm(String text) {
        assertThatThrownBy(() -> Rate.parse(text)).hasMessage("'" + text
                + "' is not a rate; write N/s, N/min or N/h (e.g. 30/min)");
    }

    @Test
    void theBucketLetsOneGoAtOnceThenSpacesBySlot() {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(Rate.parse("30/min"), clock);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waits.add(limiter.reserve());
        }
        assertThat(waits).containsExactly(0L, 2_000_000_000L, 4_000_000_000L, 6_000_000_000L);
    }

    @Test
    void theBucketRefillsWhileIdleButNeverBeyondItsCapacity() throws InterruptedException {
        FakeClock clock = new FakeClock();
        RateLimiter limiter = new RateLimiter(Rate.parse("100/s"), clock);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.reserve()).isZero();
        }
        assertThat(limiter.reserve()).isEqualTo(10_000_000L);
        clock.advance(Duration.ofHours(1).toNanos());
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.reserve()).isZero();
        }
        assertThat(limiter.reserve()).isEqualTo(10_000_000L);
        long start = clock.nanoTime();
        for (int i = 0; i < 1000; i++) {
            limiter.acquire();
        }
        assertThat(clock.nanoTime() - start).isBetween(Duration.ofMillis(9_990).toNanos(),
                Duration.ofMillis(10_010).toNanos());
    }

    @Test
    void backoffDoublesUpToTheLimitAndJitterTakesAtMostHalf() {
        RetryPolicy p = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(10));
        List<Duration> full = new ArrayList<>();
        for (int tries = 1; tries <= 5; tries++) {
            full.add(p.delay(tries, 0));
        }
        assertThat(full).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(p.delay(3, 0.5)).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.delay(3, 0.999_999)).isGreaterThan(Duration.ofSeconds(2));
        assertThat(p.mayRetry(5)).isTrue();
        assertThat(p.mayRetry(6)).isFalse();
        assertThat(new RetryPolicy(1, Duration.ZERO, Duration.ZERO).mayRetry(1)).isFalse();
        assertThat(new RetryPolicy(40, Duration.ofSeconds(1), Duration.ofDays(1)).delay(40, 0))
                .isEqualTo(Duration.ofDays(1));
    }

    @Test
    void shardsAreDisjointAndTogetherTakeEveryRow() {
        for (int n = 1; n <= 7; n++) {
            Set<Long> seen = new HashSet<>();
            for (int k = 1; k <= n; k++) {
                Shard s = Shard.parse(k + "/" + n);
                for (long row = 1; row <= 1000; row++) {
                    if (s.contains(row)) {
                        assertThat(seen.add(row)).as("row %d in two shards of %d", row, n).isTrue();
                    }
                }
            }
            assertThat(seen).hasSize(1000);
        }
        assertThat(Shard.parse("2/3").contains(2)).isTrue();
        assertThat(Shard.parse("2/3").contains(5)).isTrue();
        assertThat(Shard.parse("2/3").contains(3)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            0/3 | shard 0/3 does not exist: write K/N with 1 <= K <= N
            4/3 | shard 4/3 does not exist: write K/N with 1 <= K <= N
            1   | '1' is not a shard; write K/N, e.g. 2/4 for the second of four
            """, delimiter = '|')
    void badShardsAreNamed(String text, String message) {
        assertThatThrownBy(() -> Shard.parse(text)).hasMessage(message);
    }

    @org.junit.jupiter.api.DisplayName("BAT-07: one timer for the server: different rows failing in a row pause every"
            + " connection, doubling up to the longest pause; one row failing again counts once; a delivery ends it;"
            + " after as many longest pauses as tries, give up")
    @Test
    void theServerPausesWhenDifferentRowsFailInARowAndGivesUpAfterItsTries() throws InterruptedException {
        FakeClock clock = new FakeClock();
        HostBackoff host = new HostBackoff(new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(4)), clock,
                () -> 0.0);
        assertThat(host.failed(1)).isFalse();
        assertThat(host.remaining()).as("one row failing is that row's business").isLessThanOrEqualTo(0);
        assertThat(host.failed(1)).isFalse();
        assertThat(host.failuresInARow()).as("the same row again counts once").isEqualTo(1);
        assertThat(host.failed(2)).isFalse();
        assertThat(host.remaining()).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(host.failed(3)).as("under way when the pause began").isFalse();
        assertThat(host.failuresInARow()).isEqualTo(2);

        host.awaitTurn(() -> { throw new AssertionError("a short pause keeps the connection"); });
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(1).toNanos());
        List<Long> pauses = new ArrayList<>();
        for (int row = 4; row <= 6; row++) {
            assertThat(host.failed(row)).as("row " + row).isFalse();
            pauses.add(host.remaining());
            clock.advance(host.remaining());
        }
        assertThat(pauses).as("doubling to the longest, then the longest again")
                .containsExactly(2_000_000_000L, 4_000_000_000L, 4_000_000_000L);
        assertThat(host.failed(7)).as("failed again after two longest pauses (two tries): give up").isTrue();
        assertThat(host.failuresInARow()).isEqualTo(6);

        host.answered();
        assertThat(host.failuresInARow()).isZero();
        assertThat(host.remaining()).isLessThanOrEqualTo(0);
        assertThat(host.failed(9)).as("a delivery starts everything again").isFalse();
    }

    @org.junit.jupiter.api.DisplayName("BAT-07: before a pause longer than a minute, the connection hangs up")
    @Test
    void aLongPauseHangsUpFirst() throws InterruptedException {
        FakeClock clock = new FakeClock();
        HostBackoff host = new HostBackoff(new RetryPolicy(3, Duration.ofMinutes(5), Duration.ofMinutes(60)), clock,
                () -> 0.0);
        host.failed(1);
        host.failed(2);
        List<String> done = new ArrayList<>();
        host.awaitTurn(() -> done.add("hung up"));
        assertThat(done).containsExactly("hung up");
        assertThat(clock.sleeps).containsExactly(Duration.ofMinutes(5).toNanos());
    }
}
