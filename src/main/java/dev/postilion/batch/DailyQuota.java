package dev.postilion.batch;

import java.util.regex.Pattern;

import dev.postilion.smtp.Reply;

/**
 * Recognises a reply that says the account's daily sending quota is used up. The quota belongs to
 * the account, not to the recipient, so every later message would meet the same refusal: the batch
 * stops at once and leaves what it has not sent pending for a resume.
 *
 * <p>RFC 5321 4.2 asks clients to act on reply codes, not texts, but no code says "quota": the
 * providers' texts are what tell it apart from an ordinary 5xx. Recognised:
 * <ul>
 *   <li>Exchange Online: {@code 554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; ...}
 *       (10,000 recipients per rolling 24 h);</li>
 *   <li>Gmail and Google Workspace: {@code 550 5.4.5 Daily user sending limit exceeded} (also
 *       {@code ... quota exceeded}, and {@code Daily SMTP relay limit exceeded} from smtp-relay).</li>
 * </ul>
 */
final class DailyQuota {

    private static final Pattern EXCHANGE = Pattern.compile("SubmissionQuotaExceeded", Pattern.CASE_INSENSITIVE);
    private static final Pattern DAILY_LIMIT = Pattern.compile(
            "\\bdaily\\s+(?:user\\s+sending|sending|smtp\\s+relay)\\s+(?:limit|quota)\\s+exceeded\\b",
            Pattern.CASE_INSENSITIVE);

    private DailyQuota() {
    }

    /** True when the reply refuses because the account's daily quota is reached. */
    static boolean reached(Reply reply) {
        if (reply == null || reply.isPositiveCompletion() || reply.code() < 400) {
            return false;
        }
        String text = reply.text();
        return EXCHANGE.matcher(text).find() || DAILY_LIMIT.matcher(text).find();
    }
}
