package dev.postilion.transcript;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The secrets one session has sent, in every form it sent them (the password, its base64, AUTH
 * PLAIN's blob, a CRAM-MD5 answer, a bearer token...): a server may quote any of them back in a
 * reply, so each is masked wherever it appears again. Strings shorter than {@link #MIN_LENGTH}
 * are not kept: masking them would garble ordinary words and still hide nothing worth hiding.
 */
public final class SecretStrings {

    /** The shortest string that is masked. */
    public static final int MIN_LENGTH = 4;

    private final CopyOnWriteArraySet<String> strings = new CopyOnWriteArraySet<>();
    private volatile List<String> longestFirst = List.of();

    /**
     * Remembers {@code text} as a secret.
     *
     * @return true when it was new and long enough to be kept
     */
    public boolean add(String text) {
        if (text == null || text.length() < MIN_LENGTH || !strings.add(text)) {
            return false;
        }
        List<String> sorted = new ArrayList<>(strings);
        // The longest first, so that a secret inside a longer one cannot leave part of the longer one.
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        longestFirst = List.copyOf(sorted);
        return true;
    }

    /**
     * The forms in which bytes sent as a secret may come back in a reply: as text (when it is
     * printable UTF-8: a reply line cannot carry control characters) and as base64, with and
     * without its padding.
     */
    public static List<String> forms(byte[] secret) {
        List<String> forms = new ArrayList<>();
        if (secret == null || secret.length == 0) {
            return forms;
        }
        String b64 = Base64.getEncoder().encodeToString(secret);
        forms.add(b64);
        String unpadded = b64.replaceAll("=+$", "");
        if (!unpadded.equals(b64)) {
            forms.add(unpadded);
        }
        String text = new String(secret, StandardCharsets.UTF_8);
        if (text.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd)) {
            forms.add(text);
        }
        return forms;
    }

    /** {@link #forms(byte[])} of a string's UTF-8. */
    public static List<String> forms(String secret) {
        return secret == null ? List.of() : forms(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** True when no secret has been kept. */
    public boolean isEmpty() {
        return strings.isEmpty();
    }

    /** {@code text} with every kept secret replaced by {@link SwaksPrinter#MASK}. */
    public String mask(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : longestFirst) {
            if (out.contains(s)) {
                out = out.replace(s, SwaksPrinter.MASK);
            }
        }
        return out;
    }

    /** Every line masked. */
    public List<String> mask(List<String> lines) {
        if (strings.isEmpty()) {
            return lines;
        }
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            out.add(mask(line));
        }
        return out;
    }
}
