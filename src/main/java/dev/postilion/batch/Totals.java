package dev.postilion.batch;

/**
 * What a batch run did, counted: rows by what became of them, recipients by state.
 *
 * @param rows rows of this shard read from the source (earlier runs' finished rows excluded)
 * @param doneBefore rows skipped because a journal says an earlier run finished them
 * @param sent recipients the server accepted the message for
 * @param failed recipients refused permanently (5xx)
 * @param deferred recipients still refused temporarily after every retry
 * @param inDoubt recipients whose message may or may not have been delivered
 * @param invalid rows that could not make a message
 * @param skipped rows for which the script made no message
 * @param pending rows read but not finished because the batch stopped
 * @param messages transactions the server accepted (messages per second counts these)
 * @param expired recipients still refused temporarily when their message reached its maximum age
 *                (never tried again)
 * @param checked recipients a dry run checked (it sends nothing, so they are neither sent nor pending)
 */
public record Totals(long rows, long doneBefore, long sent, long failed, long deferred, long inDoubt, long invalid,
                     long skipped, long pending, long messages, long expired, long checked) {
}
