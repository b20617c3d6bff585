package dev.postilion.smtp;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Builds each SMTP command line, one pure factory per verb (as Netty's {@code SmtpRequests}),
 * with the ESMTP parameter grammar checked at the door: a value that could carry a space, a
 * line break or a parameter of its own is refused before any byte is written.
 */
final class Commands {

    static final String STARTTLS = "STARTTLS";
    static final String DATA = "DATA";
    static final String RSET = "RSET";
    static final String NOOP = "NOOP";
    static final String QUIT = "QUIT";
    /** The terminator line that ends the message (RFC 5321 4.1.1.4). */
    static final String DATA_END = ".";
    /** The line that cancels an AUTH exchange (RFC 4954 4). */
    static final String AUTH_CANCEL = "*";

    private static final Pattern BODY_VALUES = Pattern.compile("(?i)7BIT|8BITMIME|BINARYMIME");
    private static final Pattern RET_VALUES = Pattern.compile("(?i)FULL|HDRS");
    private static final Pattern NOTIFY_VALUES =
            Pattern.compile("(?i)NEVER|(SUCCESS|FAILURE|DELAY)(,(SUCCESS|FAILURE|DELAY))*");

    private Commands() {
    }

    /** {@code EHLO name}. */
    static String ehlo(String name) throws SmtpException {
        return hello(SmtpStage.EHLO, name);
    }

    /** {@code HELO name}. */
    static String helo(String name) throws SmtpException {
        return hello(SmtpStage.HELO, name);
    }

    /** {@code EHLO name} or {@code HELO name}, as {@code stage} says. */
    static String hello(SmtpStage stage, String name) throws SmtpException {
        CommandWriter.checkArgument(stage.label() + " name", name, stage);
        return stage.label() + " " + name;
    }

    /** {@code VRFY what}. */
    static String vrfy(String what) throws SmtpException {
        CommandWriter.checkArgument("VRFY argument", what, SmtpStage.VRFY);
        return "VRFY " + what;
    }

    /** {@code AUTH mechanism [initial-response]}; the response is base64 already. */
    static String auth(String mechanism, String initialResponse) {
        return "AUTH " + mechanism + (initialResponse == null ? "" : " " + initialResponse);
    }

    /** {@code BDAT size [LAST]} (RFC 3030 2). */
    static String bdat(int size, boolean last) {
        return "BDAT " + size + (last ? " LAST" : "");
    }

    /**
     * {@code MAIL FROM:<from>} with its parameters (SIZE, BODY, SMTPUTF8, RET, ENVID); an empty or
     * null {@code from} is the null reverse path {@code <>}. The domain goes out as an A-label.
     *
     * @param server the server's {@code host:port}, for the refusals
     */
    static String mail(String from, MailOptions mo, Capabilities capabilities, String server) throws SmtpException {
        String sender = from == null ? "" : from;
        CommandWriter.checkAddress("sender", sender, SmtpStage.MAIL);
        sender = aLabelDomain(sender);
        requireAsciiOrUtf8("sender", sender, mo.smtpUtf8(), capabilities, SmtpStage.MAIL, server);
        StringBuilder sb = new StringBuilder("MAIL FROM:<").append(sender).append('>');
        if (mo.size() >= 0) {
            sb.append(" SIZE=").append(mo.size());
        }
        if (mo.body() != null) {
            sb.append(" BODY=").append(keyword("BODY", mo.body(), BODY_VALUES,
                    "7BIT, 8BITMIME or BINARYMIME (RFC 6152)", SmtpStage.MAIL, server));
        }
        if (mo.smtpUtf8()) {
            if (!capabilities.smtpUtf8()) {
                throw SmtpException.input(SmtpStage.MAIL, server, "SMTPUTF8 asked for, but "
                        + server + " does not offer SMTPUTF8 (RFC 6531)");
            }
            sb.append(" SMTPUTF8");
        }
        if (mo.ret() != null || mo.envid() != null) {
            requireDsn(capabilities, SmtpStage.MAIL, server);
            if (mo.ret() != null) {
                sb.append(" RET=").append(keyword("RET", mo.ret(), RET_VALUES, "FULL or HDRS (RFC 3461 4.3)",
                        SmtpStage.MAIL, server));
            }
            if (mo.envid() != null) {
                sb.append(" ENVID=").append(xtext(CommandWriter.checkArgument("ENVID", mo.envid(), SmtpStage.MAIL)));
            }
        }
        return sb.toString();
    }

    /**
     * {@code RCPT TO:<to>} with its DSN parameters (NOTIFY, ORCPT). The domain goes out as an
     * A-label; a non-ASCII local part needs the server's SMTPUTF8.
     *
     * @param server the server's {@code host:port}, for the refusals
     */
    static String rcpt(String to, RcptOptions ro, Capabilities capabilities, String server) throws SmtpException {
        CommandWriter.checkAddress("recipient", to, SmtpStage.RCPT);
        to = aLabelDomain(to);
        if (to.isBlank()) {
            throw SmtpException.input(SmtpStage.RCPT, server, "recipient is empty");
        }
        requireAsciiOrUtf8("recipient", to, true, capabilities, SmtpStage.RCPT, server);
        StringBuilder sb = new StringBuilder("RCPT TO:<").append(to).append('>');
        if (ro.notifyOn() != null || ro.orcpt() != null) {
            requireDsn(capabilities, SmtpStage.RCPT, server);
            if (ro.notifyOn() != null) {
                sb.append(" NOTIFY=").append(keyword("NOTIFY", ro.notifyOn(), NOTIFY_VALUES,
                        "NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1)", SmtpStage.RCPT, server));
            }
            if (ro.orcpt() != null) {
                sb.append(" ORCPT=").append(xtext(CommandWriter.checkArgument("ORCPT", ro.orcpt(), SmtpStage.RCPT)));
            }
        }
        return sb.toString();
    }

    /**
     * The first of the sender and the recipients that stays non-ASCII after its domain became an
     * A-label (so it needs SMTPUTF8), or null when every one is ASCII.
     */
    static String firstNeedingUtf8(Envelope envelope) {
        if (!isAscii(aLabelDomain(envelope.from()))) {
            return envelope.from();
        }
        return envelope.recipients().stream().filter(a -> !isAscii(aLabelDomain(a))).findFirst().orElse(null);
    }

    private static void requireAsciiOrUtf8(String what, String address, boolean utf8Allowed,
                                           Capabilities capabilities, SmtpStage stage, String server)
            throws SmtpException {
        if (!isAscii(address) && !(utf8Allowed && capabilities.smtpUtf8())) {
            throw SmtpException.input(stage, server, what + " " + address
                    + " is not ASCII, and " + server + " does not offer SMTPUTF8 (RFC 6531) to carry it");
        }
    }

    private static void requireDsn(Capabilities capabilities, SmtpStage stage, String server) throws SmtpException {
        if (!capabilities.dsn()) {
            throw SmtpException.failure(SmtpException.Kind.PERMANENT, stage, server,
                    "DSN parameters given, but " + server + " does not offer DSN (RFC 3461)", null);
        }
    }

    /**
     * Checks an ESMTP parameter value against its grammar, so that a value cannot carry a space and
     * further parameters of its own.
     */
    private static String keyword(String name, String value, Pattern grammar, String allowed, SmtpStage stage,
                                  String server) throws SmtpException {
        CommandWriter.checkArgument(name, value, stage);
        if (!grammar.matcher(value).matches()) {
            throw SmtpException.input(stage, server, name + " " + CommandWriter.printable(value)
                    + " is not " + allowed + ": refused before sending");
        }
        return value;
    }

    /**
     * An address whose local part is ASCII, with its domain as an A-label ({@code user@bücher.example}
     * goes out as {@code user@xn--bcher-kva.example}, RFC 5890), so that only a non-ASCII local part
     * needs SMTPUTF8 (RFC 6531). The address as given when it cannot be converted.
     */
    static String aLabelDomain(String address) {
        if (address == null || isAscii(address)) {
            return address;
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || !isAscii(address.substring(0, at))) {
            return address;
        }
        try {
            String domain = IDN.toASCII(address.substring(at + 1), IDN.USE_STD3_ASCII_RULES);
            return isAscii(domain) && !domain.isEmpty() ? address.substring(0, at + 1) + domain : address;
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    /** True when every character is printable ASCII or a control below 0x7f (null counts as ASCII). */
    static boolean isAscii(String s) {
        if (s == null) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3461 4: xtext encodes '+', '=' and anything outside 33..126 as +XX. */
    static String xtext(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                sb.append('+').append(String.format("%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
