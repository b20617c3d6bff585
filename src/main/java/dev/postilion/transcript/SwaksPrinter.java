package dev.postilion.transcript;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Prints the dialogue the way swaks does: {@code <-  } server, {@code  -> } client,
 * {@code <~ }/{@code  ~> } under TLS, {@code <**} unexpected reply, {@code ===} info and
 * {@code ***} errors. AUTH prompts are shown decoded beside their base64, and secret lines print
 * as {@code ********} unless secrets were asked for. So does any secret the session sent when a
 * server quotes it back ({@code 535 ... failed for [dXNlcg==]}), in every line printed.
 */
public final class SwaksPrinter implements TranscriptListener {

    /** What a masked client line prints as. */
    public static final String MASK = "********";

    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

    private final PrintStream out;
    private final PrintStream err;
    private final boolean showSecrets;
    private final SecretStrings secrets = new SecretStrings();

    /**
     * @param out where the dialogue and info lines go
     * @param err where {@code ***} lines go (may be the same stream)
     * @param showSecrets print credentials instead of {@value #MASK}
     */
    public SwaksPrinter(PrintStream out, PrintStream err, boolean showSecrets) {
        this.out = out;
        this.err = err;
        this.showSecrets = showSecrets;
    }

    @Override
    public void info(String text) {
        for (String line : text.split("\n", -1)) {
            out.println("=== " + hide(line));
        }
        out.flush();
    }

    @Override
    public void error(String text) {
        out.flush();
        for (String line : text.split("\n", -1)) {
            err.println("*** " + hide(line));
        }
        err.flush();
    }

    @Override
    public void sent(String line, boolean secret, boolean tls) {
        out.println((tls ? " ~> " : " -> ") + (secret && !showSecrets ? maskLine(line) : hide(line)));
        out.flush();
    }

    @Override
    public void dataLine(String line, boolean tls) {
        out.println((tls ? " ~> " : " -> ") + hide(line));
    }

    @Override
    public void dataSummary(long lines, long bytes, int shownLines, boolean tls) {
        if (lines > shownLines) {
            out.println((tls ? " ~> " : " -> ") + "... " + (lines - shownLines) + " more lines ("
                    + bytes + " bytes in all) sent");
        }
        out.flush();
    }

    @Override
    public void received(List<String> lines, boolean expected, boolean tls) {
        String hint = expected ? (tls ? "<~  " : "<-  ") : (tls ? "<~* " : "<** ");
        for (String line : lines) {
            out.println(hint + hide(line) + hide(decodedPrompt(line)));
        }
        out.flush();
    }

    @Override
    public void tlsStarted(List<String> details) {
        details.forEach(this::info);
    }

    @Override
    public void secret(String text) {
        secrets.add(text);
    }

    /** The line with every secret the session sent masked, unless secrets were asked for. */
    private String hide(String line) {
        return showSecrets || secrets.isEmpty() ? line : secrets.mask(line);
    }

    /**
     * Masks a secret client line, keeping a leading AUTH command and mechanism visible
     * ({@code AUTH PLAIN ********}).
     */
    static String maskLine(String line) {
        if (line.regionMatches(true, 0, "AUTH ", 0, 5)) {
            int space = line.indexOf(' ', 5);
            return space < 0 ? line : line.substring(0, space + 1) + MASK;
        }
        return MASK;
    }

    /** For a 334 challenge that decodes to printable text, "   [Username:]". */
    static String decodedPrompt(String line) {
        if (!line.startsWith("334 ") || line.length() <= 4) {
            return "";
        }
        String b64 = line.substring(4).trim();
        if (!BASE64.matcher(b64).matches()) {
            return "";
        }
        try {
            String text = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
            if (text.isEmpty() || !text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                return "";
            }
            return "   [" + text + "]";
        } catch (IllegalArgumentException notBase64) {
            return "";
        }
    }
}
