package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.message.MessageSpec;
import dev.postilion.message.MimeAssembler;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpStage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The batch's reply policy as a table: a transaction's replies, or the exception that ended it,
 * and the verdict. A verdict reads as its steps in order ({@code sent}, {@code failed!} for a
 * refusal that counts towards the identical-error run, {@code not-sent}, {@code stop:OUTCOME}),
 * then {@code later} (retried after a backoff), {@code now} (a new transaction at once),
 * {@code unsent} (left pending) and what the server's backoff timer hears.
 */
class ReplyClassifierTest {

    private static final String SERVER = "mx.example:25";

    static Work work(String... to) {
        Work w = new Work(Row.of(17, Map.of("email", to[0])));
        w.message = new MimeAssembler().assemble(new MessageSpec().from("s@example.com").to(to).text("hi\n"));
        w.now = List.of(to);
        w.later = new ArrayList<>();
        return w;
    }

    static String describe(ReplyClassifier.Verdict v) {
        List<String> words = new ArrayList<>();
        for (ReplyClassifier.Step s : v.steps()) {
            if (s instanceof ReplyClassifier.Resolve r) {
                words.add(r.state().wire() + (r.errorRun() ? "!" : ""));
            } else if (s instanceof ReplyClassifier.NotTaken) {
                words.add("not-sent");
            } else if (s instanceof ReplyClassifier.Stop stop) {
                words.add("stop:" + stop.outcome());
            }
        }
        if (!v.later().isEmpty()) {
            words.add("later");
        }
        if (!v.now().isEmpty()) {
            words.add("now");
        }
        if (v.unsent()) {
            words.add("unsent");
        }
        words.add("host:" + v.host().name().toLowerCase(java.util.Locale.ROOT));
        return String.join(" ", words);
    }

    private static Reply reply(String text) {
        return text == null || text.isBlank() ? null : Reply.parse(text);
    }

    @ParameterizedTest(name = "{0} / {1} / {2} / {3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 354 go | 250 2.0.0 Ok: queued as Q1      | sent host:answered
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 354 go | 451 4.3.0 queue file write error | not-sent later host:failed
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 354 go | 421 4.3.2 shutting down         | not-sent later host:failed
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 354 go | 552 5.3.4 message too big       | failed! host:answered
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 354 go | 554 5.7.1 looks like spam       | failed! host:answered
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 354 go | 550 5.4.5 Daily user sending quota exceeded | not-sent stop:DEFERRED later host:failed
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 554 5.5.1 no valid recipients | - | failed! host:answered
            250 2.1.0 Ok | 250 2.1.5 Ok                           | 451 4.3.0 try later | -        | later host:failed
            250 2.1.0 Ok | 250 2.1.5 Ok                           | -      | -                               | later host:failed
            250 2.1.0 Ok | 450 4.2.0 mailbox busy                 | -      | -                               | later host:failed
            250 2.1.0 Ok | 451 4.7.1 greylisted                   | -      | -                               | later host:failed
            250 2.1.0 Ok | 452 4.5.3 too many recipients          | -      | -                               | later host:failed
            250 2.1.0 Ok | 550 5.1.1 no such user                 | -      | -                               | failed! host:answered
            250 2.1.0 Ok | 550 5.7.1 daily sending limit exceeded | -      | -                               | stop:DEFERRED later host:failed
            250 2.1.0 Ok | 554 5.7.1 SubmissionQuotaExceeded      | -      | -                               | stop:DEFERRED later host:failed
            421 4.3.2 closing | -                                 | -      | -                               | later host:failed
            451 4.3.0 try later | -                               | -      | -                               | later host:failed
            550 5.7.1 sender refused | -                          | -      | -                               | failed! host:answered
            """)
    void aTransactionsRepliesBecomeAVerdict(String mail, String rcpt, String data, String end, String verdict) {
        Work w = work("b@y.example");
        List<SendResult.RecipientReply> rcpts = rcpt == null ? List.of()
                : List.of(new SendResult.RecipientReply("b@y.example", Reply.parse(rcpt)));
        SendResult r = new SendResult(Reply.parse(mail), rcpts, reply(data), reply(end));

        assertThat(describe(ReplyClassifier.classify(w, w.now, r, BatchOptions.defaults(), SERVER)))
                .isEqualTo(verdict);
    }

    @ParameterizedTest(name = "{0} at {1}, dot sent {3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            TEMPORARY | RCPT     | -                        | false | later host:failed
            TEMPORARY | DATA_END | -                        | false | later host:failed
            TEMPORARY | DATA_END | -                        | true  | in-doubt host:none
            TEMPORARY | DATA_END | 421 4.3.2 closing        | true  | in-doubt host:none
            PROTOCOL  | RCPT     | -                        | false | later host:failed
            PERMANENT | RCPT     | 550 5.1.1 no such user   | false | failed host:none
            PERMANENT | MAIL     | 550 5.4.5 Daily user sending quota exceeded | false | stop:DEFERRED later host:none
            INPUT     | RCPT     | -                        | false | failed host:none
            AUTH      | MAIL     | 530 5.7.0 authentication required | false | stop:AUTH_FAILED unsent host:none
            TLS       | MAIL     | -                        | false | stop:CONFIG unsent host:none
            CONFIG    | MAIL     | -                        | false | stop:CONFIG unsent host:none
            LOCAL_IO  | DATA     | -                        | false | stop:LOCAL_IO unsent host:none
            STATE     | DATA     | -                        | false | stop:INTERNAL unsent host:none
            """)
    void aTransactionThatEndedWithoutRepliesBecomesAVerdict(SmtpException.Kind kind, SmtpStage stage, String reply,
                                                             boolean dotSent, String verdict) {
        Work w = work("b@y.example");
        SmtpException e = new SmtpException(kind, stage, "X", reply(reply), SERVER, "no reply (read timed out)",
                new SocketTimeoutException("read timed out"));
        ReplyClassifier.Attempt tx = new ReplyClassifier.Attempt(List.of("b@y.example"), dotSent, false, null);

        assertThat(describe(ReplyClassifier.classify(w, w.now, e, tx, BatchOptions.defaults(), SERVER)))
                .isEqualTo(verdict);
    }

    @Test
    void aMessageStoppedBeforeItsDotStaysUnsentAndTellsTheServerNothing() {
        Work w = work("b@y.example");
        SmtpException e = new SmtpException(SmtpException.Kind.LOCAL_IO, SmtpStage.DATA, "DATA", null, SERVER,
                "stopped", null);
        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, e,
                new ReplyClassifier.Attempt(List.of("b@y.example"), false, true, null), BatchOptions.defaults(), SERVER);
        assertThat(describe(v)).isEqualTo("unsent host:none");
    }

    @Test
    void aJournalThatCannotBeWrittenStopsTheBatchBeforeTheDot() {
        Work w = work("b@y.example");
        SmtpException e = new SmtpException(SmtpException.Kind.LOCAL_IO, SmtpStage.DATA, "DATA", null, SERVER,
                "journal", null);
        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, e, new ReplyClassifier.Attempt(
                List.of("b@y.example"), false, false, new IOException("No space left on device")),
                BatchOptions.defaults().withJournal(java.nio.file.Path.of("j.journal")), SERVER);
        assertThat(describe(v)).isEqualTo("stop:LOCAL_IO unsent host:none");
        assertThat(((ReplyClassifier.Stop) v.steps().get(0)).reason()).contains("No space left on device")
                .contains("the final dot was not sent");
    }

    @Test
    void recipientsBeyondMaxRecipientsGoInTheNextTransactionAtOnce() {
        Work w = work("a@y.example", "b@y.example", "c@y.example");
        SendResult r = new SendResult(Reply.parse("250 2.1.0 Ok"), List.of(
                new SendResult.RecipientReply("a@y.example", Reply.parse("250 2.1.5 Ok")),
                new SendResult.RecipientReply("b@y.example", Reply.parse("250 2.1.5 Ok"))),
                Reply.parse("354 go"), Reply.parse("250 2.0.0 Ok: queued as Q1"));

        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, r, BatchOptions.defaults().withMaxRecipients(2),
                SERVER);
        assertThat(describe(v)).isEqualTo("sent now host:answered");
        assertThat(v.now()).containsExactly("c@y.example");
        assertThat(((ReplyClassifier.Resolve) v.steps().get(0)).queueId()).isEqualTo("Q1");
    }

    @Test
    void aTooManyRecipientsRefusalAfterADeliveryIsSentAtOnceWithoutABackoff() {
        Work w = work("a@y.example", "b@y.example");
        SendResult r = new SendResult(Reply.parse("250 2.1.0 Ok"), List.of(
                new SendResult.RecipientReply("a@y.example", Reply.parse("250 2.1.5 Ok")),
                new SendResult.RecipientReply("b@y.example", Reply.parse("452 4.5.3 too many recipients"))),
                Reply.parse("354 go"), Reply.parse("250 2.0.0 Ok"));

        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, r, BatchOptions.defaults(), SERVER);
        assertThat(describe(v)).isEqualTo("sent now host:answered");
        assertThat(v.now()).containsExactly("b@y.example");
    }

    @Test
    void theClassifierLeavesTheRowAlone() {
        Work w = work("b@y.example");
        SendResult r = new SendResult(Reply.parse("250 2.1.0 Ok"),
                List.of(new SendResult.RecipientReply("b@y.example", Reply.parse("451 4.7.1 greylisted"))), null, null);

        ReplyClassifier.Verdict v = ReplyClassifier.classify(w, w.now, r, BatchOptions.defaults(), SERVER);
        assertThat(v.lastReply()).isEqualTo(Reply.parse("451 4.7.1 greylisted"));
        assertThat(w.lastReply).isNull();
        assertThat(w.later).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            432 4.3.2 Concurrent connections limit exceeded     | true
            421 4.3.2 too many concurrent connections            | true
            421 4.3.2 Service shutting down                      | false
            451 4.3.2 thread limit reached                       | true
            550 5.3.2 concurrent connections                     | false
            """)
    void aTooManyConnectionsReplyAsksForFewerConnections(String reply, boolean fewer) {
        assertThat(ReplyClassifier.tooManyConnections(Reply.parse(reply.strip()))).isEqualTo(fewer);
    }
}
