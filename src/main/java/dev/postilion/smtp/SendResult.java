package dev.postilion.smtp;

import java.util.List;

/**
 * The outcome of one transaction: every reply, per recipient too. Partial acceptance is a result,
 * not an exception.
 *
 * @param mail the reply to MAIL FROM
 * @param recipients one entry per RCPT, in order
 * @param data the reply to DATA (354 expected), or null when DATA was not sent
 * @param end the reply after the final dot, or null when the message was not sent
 */
public record SendResult(Reply mail, List<RecipientReply> recipients, Reply data, Reply end) {

    /** One recipient and the server's reply to its RCPT. */
    public record RecipientReply(String address, Reply reply) {
        public boolean accepted() {
            return reply.isPositiveCompletion();
        }
    }

    public SendResult {
        recipients = List.copyOf(recipients);
    }

    /** True when the server took responsibility for the message (2yz after the final dot). */
    public boolean delivered() {
        return end != null && end.isPositiveCompletion();
    }

    /** The recipients the server accepted. */
    public List<String> accepted() {
        return recipients.stream().filter(RecipientReply::accepted).map(RecipientReply::address).toList();
    }

    /** The recipients the server refused, with their replies. */
    public List<RecipientReply> refused() {
        return recipients.stream().filter(r -> !r.accepted()).toList();
    }

    /**
     * The reply that decided the outcome: the first failure, or the final one. A 421 to a RCPT (the
     * server closing the connection) decides it even when earlier recipients were accepted.
     */
    public Reply decisive() {
        if (!mail.isPositiveCompletion()) {
            return mail;
        }
        for (RecipientReply r : recipients) {
            if (r.reply().isClosing()) {
                return r.reply();
            }
        }
        if (accepted().isEmpty() && !recipients.isEmpty()) {
            return recipients.get(0).reply();
        }
        if (data != null && !data.isPositiveIntermediate()) {
            return data;
        }
        return end != null ? end : mail;
    }
}
