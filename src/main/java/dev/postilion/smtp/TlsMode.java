package dev.postilion.smtp;

import java.util.Locale;

/** How a session protects its connection: the four modes of DESIGN.md. */
public enum TlsMode {
    /** Plain text throughout. */
    NONE("none"),
    /** STARTTLS is required: a server that does not offer it, or fails it, fails the send. */
    STARTTLS("starttls"),
    /** STARTTLS when the server offers it; otherwise continue in plain text, and say so. */
    STARTTLS_IF_OFFERED("starttls-if-offered"),
    /** TLS from the first byte (SMTPS, port 465). */
    IMPLICIT("implicit");

    private final String word;

    TlsMode(String word) {
        this.word = word;
    }

    /** The word users write in scripts, profiles and options. */
    public String word() {
        return word;
    }

    /** True when the session must not continue without TLS. */
    public boolean required() {
        return this == STARTTLS || this == IMPLICIT;
    }

    /**
     * Parses a user's word ({@code none}, {@code starttls}, {@code starttls-if-offered},
     * {@code implicit}; also {@code tls}/{@code ssl}/{@code smtps} for implicit).
     *
     * @throws IllegalArgumentException naming the allowed words
     */
    public static TlsMode parse(String text) {
        String w = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (w) {
            case "smtps", "ssl", "tls" -> {
                return IMPLICIT;
            }
            case "opportunistic", "may" -> {
                return STARTTLS_IF_OFFERED;
            }
            default -> {
                for (TlsMode m : values()) {
                    if (m.word.equals(w)) {
                        return m;
                    }
                }
                throw new IllegalArgumentException("unknown TLS mode '" + text
                        + "'; use one of: none, starttls, starttls-if-offered, implicit");
            }
        }
    }

    @Override
    public String toString() {
        return word;
    }
}
