package dev.postilion.smtp;

import java.util.List;

/**
 * Who a message is from and to, as SMTP sees it (not the headers).
 *
 * @param from the reverse path; empty for a null sender ({@code MAIL FROM:<>})
 * @param recipients the forward paths, in order
 * @param mailOptions MAIL parameters
 * @param rcptOptions RCPT parameters, the same for every recipient
 */
public record Envelope(String from, List<String> recipients, MailOptions mailOptions, RcptOptions rcptOptions) {

    public Envelope {
        recipients = List.copyOf(recipients);
        if (mailOptions == null) {
            mailOptions = MailOptions.NONE;
        }
        if (rcptOptions == null) {
            rcptOptions = RcptOptions.NONE;
        }
    }

    /** A sender and recipients with no parameters. */
    public static Envelope of(String from, List<String> recipients) {
        return new Envelope(from, recipients, MailOptions.NONE, RcptOptions.NONE);
    }
}
