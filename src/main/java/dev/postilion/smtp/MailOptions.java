package dev.postilion.smtp;

/**
 * Parameters of MAIL FROM. Unset values are left out; SIZE, BODY and SMTPUTF8 are also added by
 * {@link SmtpSession#send} from the message itself.
 *
 * @param size SIZE= in octets (RFC 1870), or -1
 * @param body BODY= ({@code 7BIT} or {@code 8BITMIME}, RFC 6152), or null
 * @param smtpUtf8 add SMTPUTF8 (RFC 6531)
 * @param ret DSN RET= ({@code FULL} or {@code HDRS}, RFC 3461), or null
 * @param envid DSN ENVID=, or null
 */
public record MailOptions(long size, String body, boolean smtpUtf8, String ret, String envid) {

    /** No parameters. */
    public static final MailOptions NONE = new MailOptions(-1, null, false, null, null);

    public MailOptions withSize(long n) {
        return new MailOptions(n, body, smtpUtf8, ret, envid);
    }

    public MailOptions withBody(String b) {
        return new MailOptions(size, b, smtpUtf8, ret, envid);
    }

    public MailOptions withSmtpUtf8(boolean on) {
        return new MailOptions(size, body, on, ret, envid);
    }
}
