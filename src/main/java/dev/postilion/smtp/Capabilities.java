package dev.postilion.smtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the server offered in its EHLO reply, parsed once: SIZE and its limit, AUTH mechanisms
 * (the RFC 4954 line and the old {@code AUTH=LOGIN} form), PIPELINING, 8BITMIME, SMTPUTF8, DSN,
 * CHUNKING, ENHANCEDSTATUSCODES, STARTTLS, and every other keyword with its parameters.
 */
public final class Capabilities {

    /** A server that answered HELO, or has not been greeted: offers nothing. */
    public static final Capabilities NONE = new Capabilities(Map.of(), false);

    private final Map<String, List<String>> keywords;
    private final boolean esmtp;

    private Capabilities(Map<String, List<String>> keywords, boolean esmtp) {
        this.keywords = keywords;
        this.esmtp = esmtp;
    }

    /** Parses a 250 reply to EHLO; its first line is the greeting and is skipped. */
    public static Capabilities parse(Reply ehlo) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        List<String> lines = ehlo.lines();
        for (int i = 1; i < lines.size(); i++) {
            String text = lines.get(i).length() > 4 ? lines.get(i).substring(4).trim() : "";
            if (text.isEmpty()) {
                continue;
            }
            String[] words = text.split("[ \t]+");
            String keyword = words[0].toUpperCase(Locale.ROOT);
            if (i == lines.size() - 1 && words.length == 1 && keyword.equals("OK")) {
                // Exchange and SubEthaSMTP end their EHLO list with "250 OK": a closing word, not an extension.
                continue;
            }
            List<String> params = new ArrayList<>(List.of(words).subList(1, words.length));
            if (keyword.startsWith("AUTH=")) {
                // The pre-RFC 4954 form some servers still send: "AUTH=LOGIN PLAIN".
                params.add(0, keyword.substring(5));
                keyword = "AUTH";
            }
            List<String> existing = map.get(keyword);
            if (existing != null) {
                // Exchange offers "AUTH GSSAPI NTLM LOGIN" and "AUTH=LOGIN": one LOGIN, not two.
                for (String p : params) {
                    if (existing.stream().noneMatch(p::equalsIgnoreCase)) {
                        existing.add(p);
                    }
                }
            } else {
                map.put(keyword, params);
            }
        }
        Map<String, List<String>> frozen = new LinkedHashMap<>();
        map.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Capabilities(Collections.unmodifiableMap(frozen), true);
    }

    /** True when the server answered EHLO (not only HELO). */
    public boolean esmtp() {
        return esmtp;
    }

    /** True when the keyword was offered (case-insensitive). */
    public boolean has(String keyword) {
        return keywords.containsKey(keyword.toUpperCase(Locale.ROOT));
    }

    /** The parameters of a keyword, empty when it has none or was not offered. */
    public List<String> params(String keyword) {
        return keywords.getOrDefault(keyword.toUpperCase(Locale.ROOT), List.of());
    }

    /** Every keyword offered, in order, with its parameters. */
    public Map<String, List<String>> keywords() {
        return keywords;
    }

    public boolean startTls() {
        return has("STARTTLS");
    }

    public boolean pipelining() {
        return has("PIPELINING");
    }

    public boolean eightBitMime() {
        return has("8BITMIME");
    }

    public boolean smtpUtf8() {
        return has("SMTPUTF8");
    }

    public boolean dsn() {
        return has("DSN");
    }

    public boolean chunking() {
        return has("CHUNKING");
    }

    public boolean enhancedStatusCodes() {
        return has("ENHANCEDSTATUSCODES");
    }

    /** True when SIZE was offered (with or without a limit). */
    public boolean size() {
        return has("SIZE");
    }

    /** The SIZE limit in octets; 0 when offered without a limit or not offered (RFC 1870). */
    public long sizeLimit() {
        List<String> p = params("SIZE");
        if (p.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(p.get(0));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The AUTH mechanisms offered, upper case, in the server's order, without duplicates. */
    public Set<String> authMechanisms() {
        Set<String> set = new LinkedHashSet<>();
        for (String m : params("AUTH")) {
            set.add(m.toUpperCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(set);
    }

    @Override
    public String toString() {
        return keywords.toString();
    }
}
