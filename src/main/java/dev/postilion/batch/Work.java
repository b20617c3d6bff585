package dev.postilion.batch;

import java.util.List;

import dev.postilion.message.OutgoingMessage;

/** One row on its way through the pool: its message (built once, resent byte for byte) and who is left. */
final class Work {

    final Row row;
    /** The row's identity in the journal: its key, or its row number for a journal written before keys. */
    long id;
    /** The row's key (a digest of its recipients, or of what the script names); null until known, or with no journal key. */
    Long key;
    /** The message, built on first use; null until then. */
    OutgoingMessage message;
    /** The message as bytes when it is small enough to keep (written once, sent as often as needed); else null. */
    SmallMessage small;
    String messageId;
    String date;
    /** The recipients not yet finished in this run (the current transaction's and the ones for later). */
    List<String> pending = List.of();
    /** While a round of transactions is under way: the recipients of the current one; else null. */
    List<String> now;
    /** While a round is under way: the recipients to retry after it. */
    List<String> later;
    /** Recipients of this row not yet sent, failed, deferred or in doubt in this run. */
    int open;
    /** False once a recipient of the row ends deferred or in doubt: the row is then not finished. */
    boolean clean = true;
    /** Transactions tried for the pending recipients so far (connection attempts included). */
    int tries;
    /** True while every try so far failed before a connection was ready. */
    boolean onlyConnectFailures = true;
    /** When a retry is due, on the batch clock. */
    long due;
    /** When the row was first tried (milliseconds since 1970), this run or an earlier one: its age counts from here. */
    long firstTry;
    /** The last temporary problem, for the deferred line. */
    String lastProblem;
    dev.postilion.smtp.Reply lastReply;

    Work(Row row) {
        this.row = row;
    }
}
