package dev.postilion.message;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One checked mailbox: the address (addr-spec, as used in MAIL FROM and RCPT TO) and an
 * optional display name. Non-ASCII is allowed in both: the name is RFC 2047-encoded in
 * headers, an internationalised domain after an ASCII local part is kept as its A-label, and a
 * non-ASCII local part needs SMTPUTF8 (RFC 6531).
 *
 * @param address the addr-spec, e.g. {@code jörg@müller.example}
 * @param name    the display name, or null
 */
public record Mailbox(String address, String name) {

    /** Checks both parts (no control characters; the address parses strictly). */
    public Mailbox {
        String text = name == null ? address : name + " <" + address + ">";
        FieldRules.refuseControls("address", "address " + FieldRules.shown(text), address);
        if (name != null) {
            FieldRules.refuseControls("address", "display name " + FieldRules.shown(name), name);
        }
        checkAddrSpec("address", address);
    }

    /**
     * Parses what a user writes: {@code a@example.com}, {@code <a@example.com>} or
     * {@code Jörg Müller <jörg@müller.example>}. Exactly one mailbox; no groups.
     *
     * @param field names the setter in error messages ("to", "from", ...)
     * @throws MessageException (bad data) naming the field and the address
     */
    public static Mailbox parse(String field, String text) {
        if (text == null) {
            throw new MessageException(field + ": no address given (null)");
        }
        String what = "address " + FieldRules.shown(text);
        FieldRules.refuseControls(field, what, text);
        if (text.isBlank()) {
            throw new MessageException(field + ": no address given (empty)");
        }
        InternetAddress parsed;
        try {
            InternetAddress[] all = InternetAddress.parse(text, true);
            if (all.length != 1) {
                throw new MessageException(field + ": " + what + " is not one address;"
                        + " give each address separately");
            }
            parsed = all[0];
            if (parsed.isGroup()) {
                throw new MessageException(field + ": " + what + " is a group, not a mailbox");
            }
        } catch (AddressException e) {
            throw new MessageException(field + ": " + what + " is not a valid address: " + reason(e));
        }
        String name = parsed.getPersonal();
        if (name != null && name.isBlank()) {
            name = null;
        }
        checkAddrSpec(field + ": " + what, parsed.getAddress());
        return new Mailbox(aLabelDomain(parsed.getAddress()), name);
    }

    /**
     * MIM-05: an ASCII local part at an internationalised domain is written with the domain's
     * A-label ({@code user@bücher.example} becomes {@code user@xn--bcher-kva.example}, RFC 5890), in
     * the envelope and the headers alike, so that such a message needs no SMTPUTF8 (RFC 6531 is
     * needed only for a non-ASCII local part). An address that cannot be converted is kept as given.
     */
    static String aLabelDomain(String address) {
        int at = address.lastIndexOf('@');
        if (FieldRules.isAscii(address) || at <= 0 || !FieldRules.isAscii(address.substring(0, at))) {
            return address;
        }
        try {
            String domain = java.net.IDN.toASCII(address.substring(at + 1), java.net.IDN.USE_STD3_ASCII_RULES);
            return FieldRules.isAscii(domain) && !domain.isEmpty() ? address.substring(0, at + 1) + domain : address;
        } catch (IllegalArgumentException e) {
            return address;
        }
    }

    private static void checkAddrSpec(String prefix, String addrSpec) {
        try {
            // strict: RFC 822 syntax, an @domain required; non-ASCII letters are accepted
            new InternetAddress(addrSpec, true);
        } catch (AddressException e) {
            throw new MessageException(prefix + " is not a valid address: " + reason(e));
        }
        if (addrSpec.indexOf('@') <= 0 || addrSpec.endsWith("@")) {
            throw new MessageException(prefix + " is not a valid address: it needs local@domain");
        }
        if (addrSpec.getBytes(StandardCharsets.UTF_8).length > 254) {
            // RFC 5321 4.5.3.1.3: a path is at most 256 octets, angle brackets included
            throw new MessageException(prefix + " is not a valid address: longer than 254 octets");
        }
    }

    private static String reason(AddressException e) {
        String m = e.getMessage();
        if (m == null) {
            return "unparseable";
        }
        int cut = m.indexOf(" in string");
        return (cut > 0 ? m.substring(0, cut) : m).toLowerCase(Locale.ROOT);
    }

    /** True when the address itself is all ASCII (the display name does not matter). */
    public boolean isAscii() {
        return FieldRules.isAscii(address);
    }

    /** The part after the last '@'. */
    public String domain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** The same address with its domain lower-cased: mailboxes equal under this key are one. */
    String dedupKey() {
        int at = address.lastIndexOf('@');
        return address.substring(0, at + 1) + address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** The address for a header: a UTF-8, RFC 2047-encoded display name and the bare address. */
    InternetAddress toInternetAddress() {
        try {
            return new InternetAddress(address, name, StandardCharsets.UTF_8.name());
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    /** As a person would write it: {@code Name <address>} or the bare address. */
    @Override
    public String toString() {
        return name == null ? address : name + " <" + address + ">";
    }
}
