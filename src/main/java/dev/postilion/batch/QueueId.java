package dev.postilion.batch;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.postilion.smtp.Reply;

/** Finds the server's queue id in the reply to the final dot, as the common MTAs write it. */
final class QueueId {

    private static final List<Pattern> FORMS = List.of(
            // Postfix: 250 2.0.0 Ok: queued as 4F3D21C0A5F
            Pattern.compile("queued as ([A-Za-z0-9._\\-]+)", Pattern.CASE_INSENSITIVE),
            // Exim: 250 OK id=1abcde-0001XY-AB
            Pattern.compile("\\bid=([A-Za-z0-9._\\-]+)"),
            // Exchange: 250 2.6.0 <id@host> [InternalId=123, Hostname=...] Queued mail for delivery
            Pattern.compile("InternalId=([0-9]+)"),
            // Sendmail: 250 2.0.0 x5ABCD123 Message accepted for delivery
            Pattern.compile("^(?:\\d\\.\\d{1,3}\\.\\d{1,3} )?([A-Za-z0-9]{6,}) Message accepted"),
            // Gmail: 250 2.0.0 OK  1700000000 a1b2c3-d4e5.123 - gsmtp
            Pattern.compile("OK\\s+\\d+\\s+(\\S+) - gsmtp"));

    private QueueId() {
    }

    /** The queue id, or null when the reply does not carry one in a known form. */
    static String of(Reply reply) {
        if (reply == null) {
            return null;
        }
        String text = reply.text();
        for (Pattern p : FORMS) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }
}
