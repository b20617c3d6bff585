package dev.postilion.smtp;

/**
 * Parameters of RCPT TO (RFC 3461 DSN).
 *
 * @param notifyOn NOTIFY= ({@code NEVER} or a list of {@code SUCCESS,FAILURE,DELAY}), or null
 * @param orcpt ORCPT= (as {@code rfc822;addr}), or null
 */
public record RcptOptions(String notifyOn, String orcpt) {

    /** No parameters. */
    public static final RcptOptions NONE = new RcptOptions(null, null);
}
