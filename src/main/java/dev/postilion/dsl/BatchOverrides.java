package dev.postilion.dsl;

import java.nio.file.Path;
import java.time.Duration;

import dev.postilion.batch.Progress;

/**
 * What {@code postilion run} says about every {@code batch} of a script, overriding the script's
 * own options: {@code --concurrency}, {@code --rate}, {@code --per-connection}, {@code --journal},
 * {@code --resume}, {@code --resend-in-doubt}, {@code --report}, {@code --shard}, {@code --max-errors},
 * {@code --max-age}, {@code --max-recipients}.
 * Null (or false) means "as the script says".
 *
 * @param concurrency connections in the pool
 * @param rate {@code 30/min}, {@code 5/s}, {@code 1000/h}
 * @param perConnection messages before reconnecting
 * @param journal the journal file
 * @param resume continue the journal's batch
 * @param resendInDoubt send in-doubt messages again, with the same Message-ID
 * @param report the report file
 * @param shard {@code K/N}
 * @param maxErrors identical permanent errors in a row that stop the batch (0: never)
 * @param progress how to show each batch's progress ({@code --progress}); null shows nothing
 * @param maxAge how long a message may stay temporarily refused ({@code 5d}, {@code 12h}; {@code 0}: no limit)
 * @param maxRecipients the most recipients in one transaction (0: no limit)
 * @param newJournal with resume: start a journal when none exists ({@code --new-journal})
 * @param acceptSourceChange resume even though the source lacks most of the journal's recipients
 *                           ({@code --source-changed=accept})
 * @param outputs the run's other output files by option ({@code --transcript}, {@code --outbox}): a
 *                batch's journal and report must be none of them
 */
public record BatchOverrides(Integer concurrency, String rate, Integer perConnection, Path journal, boolean resume,
                             boolean resendInDoubt, Path report, String shard, Integer maxErrors,
                             Progress.Display progress,
                             Duration maxAge, Integer maxRecipients, boolean newJournal, boolean acceptSourceChange,
                             java.util.Map<String, Path> outputs) {

    /** No overrides. */
    public static final BatchOverrides NONE = new BatchOverrides(null, null, null, null, false, false, null, null, null,
            null, null, null);

    public BatchOverrides {
        outputs = outputs == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(outputs));
    }

    /** Overrides without the journal's safety switches and with no other outputs. */
    public BatchOverrides(Integer concurrency, String rate, Integer perConnection, Path journal, boolean resume,
                          boolean resendInDoubt, Path report, String shard, Integer maxErrors,
                          Progress.Display progress, Duration maxAge, Integer maxRecipients) {
        this(concurrency, rate, perConnection, journal, resume, resendInDoubt, report, shard, maxErrors, progress,
                maxAge, maxRecipients, false, false, null);
    }
}
