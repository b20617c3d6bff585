package dev.postilion.smtp;

/** The stages of an SMTP conversation, named as error messages and {@code --quit-after} name them. */
public enum SmtpStage {
    CONNECT("CONNECT"),
    GREETING("GREETING"),
    EHLO("EHLO"),
    HELO("HELO"),
    STARTTLS("STARTTLS"),
    TLS("TLS"),
    AUTH("AUTH"),
    MAIL("MAIL FROM"),
    RCPT("RCPT TO"),
    DATA("DATA"),
    BDAT("BDAT"),
    DATA_END("end of data"),
    RSET("RSET"),
    NOOP("NOOP"),
    VRFY("VRFY"),
    QUIT("QUIT"),
    RAW("command");

    private final String label;

    SmtpStage(String label) {
        this.label = label;
    }

    /** How messages name the stage. */
    public String label() {
        return label;
    }
}
