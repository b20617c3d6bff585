package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Batch options: a builder from the defaults, a copy that keeps every field, and values checked at build. */
class BatchOptionsTest {

    @Test
    void theBuilderStartsFromTheDocumentedDefaults() {
        BatchOptions o = BatchOptions.builder().build();
        assertThat(o.concurrency()).isEqualTo(1);
        assertThat(o.maxErrors()).isEqualTo(20);
        assertThat(o.fsync()).isTrue();
        assertThat(o.addressField()).isEqualTo("email");
        assertThat(o.maxAge()).isEqualTo(BatchOptions.DEFAULT_MAX_AGE);
        assertThat(o.retry()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(o.shard()).isEqualTo(Shard.ALL);
        assertThat(o.journal()).isNull();
        assertThat(o.rate()).isNull();
    }

    @Test
    void toBuilderKeepsEveryFieldAndChangesOnlyWhatIsSet() {
        FakeClock clock = new FakeClock();
        DoubleSupplier random = () -> 0.5;
        Consumer<String> log = s -> { };
        BatchOptions o = BatchOptions.builder().concurrency(4).rate(Rate.parse("10/s")).perConnection(7)
                .retry(new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(9))).maxErrors(3)
                .journal(Path.of("j")).fsync(false).resume(true).resendInDoubt(true).report(Path.of("r"))
                .shard(Shard.parse("2/3")).addressField("mail").dryRun(true).origin("bulk.groovy:5")
                .clock(clock, random).progress(Progress.NONE).log(log).maxAge(Duration.ofHours(2)).maxRecipients(50)
                .build();

        assertThat(o.toBuilder().build()).isEqualTo(o);
        BatchOptions changed = o.toBuilder().concurrency(2).build();
        assertThat(changed.concurrency()).isEqualTo(2);
        assertThat(changed.toBuilder().concurrency(4).build()).isEqualTo(o);
        assertThat(o.withMaxRecipients(9).maxRecipients()).isEqualTo(9);
        assertThat(o.withMaxRecipients(9).clock()).isSameAs(clock);
    }

    @Test
    void buildRefusesValuesOutOfRange() {
        assertThatThrownBy(() -> BatchOptions.builder().concurrency(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("concurrency must be at least 1");
        assertThatThrownBy(() -> BatchOptions.builder().maxAge(Duration.ofSeconds(-1)).build())
                .hasMessage("maxAge cannot be negative (0 means no limit)");
        assertThat(BatchOptions.builder().maxAge(Duration.ZERO).build().maxAge()).isNull();
    }
}
