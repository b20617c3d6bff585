package dev.postilion.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * The server side of every AUTH mechanism Postilion speaks, for a {@link FaultServer}: LOGIN,
 * PLAIN, CRAM-MD5, XOAUTH2 and OAUTHBEARER scripted, DIGEST-MD5 and NTLM by the JDK's own SASL
 * servers (so the client's answers are checked for real). Exchanges from number
 * {@code refuseFrom} on are refused with 535 (or the connection closed) once the client has sent
 * its secret, so a test sees the error paths too. Every client line of every exchange is kept.
 */
public final class ScriptedAuth {

    private final String user;
    private final String password;
    private final int refuseFrom;
    private final AtomicInteger exchanges = new AtomicInteger();
    private final List<String> clientLines = new ArrayList<>();
    private String mechanism;
    private int step;
    private boolean refusing;
    private volatile boolean dropInstead;
    private volatile boolean quoteBack;
    private String lastLine;
    private SaslServer sasl;

    private ScriptedAuth(String user, String password, int refuseFrom) {
        this.user = user;
        this.password = password;
        this.refuseFrom = refuseFrom;
    }

    /**
     * Installs the mechanisms on {@code server} (and offers them in its EHLO).
     *
     * @param password what DIGEST-MD5 and NTLM check the client's answers against
     * @param refuseFrom the first exchange (from 1) to refuse; 0 refuses none
     */
    public static ScriptedAuth on(FaultServer server, String user, String password, int refuseFrom) {
        ScriptedAuth a = new ScriptedAuth(user, password, refuseFrom);
        server.capabilities("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES",
                "AUTH LOGIN PLAIN CRAM-MD5 DIGEST-MD5 NTLM XOAUTH2 OAUTHBEARER");
        server.always("AUTH", (s, x, line) -> {
            a.start(x, line);
            return true;
        });
        server.always(FaultServer.AUTHLINE, (s, x, line) -> {
            a.answer(x, line);
            return true;
        });
        return a;
    }

    /** From now on a refused exchange ends with the connection closed, without a reply. */
    public ScriptedAuth dropInsteadOfRefusing() {
        dropInstead = true;
        return this;
    }

    /**
     * From now on a refusal quotes what the client last sent, as some servers do: the line as
     * received, then its base64 decoded, with every character that is not printable ASCII shown as
     * a space ({@code 535-5.7.8 authentication failed for [AUTH PLAIN AGd1eXQA...]},
     * {@code 535 5.7.8 decoded [ guyt Pw-...]}).
     */
    public ScriptedAuth quotingTheSecretBack() {
        quoteBack = true;
        return this;
    }

    /** How many AUTH commands arrived. */
    public int exchanges() {
        return exchanges.get();
    }

    /** Every line the client sent in AUTH exchanges: the AUTH commands and each answer to a 334. */
    public synchronized List<String> clientLines() {
        return List.copyOf(clientLines);
    }

    private synchronized void start(FaultServer.Conversation x, String line) throws IOException {
        clientLines.add(line);
        lastLine = line;
        String[] p = line.split(" ");
        mechanism = p.length > 1 ? p[1].toUpperCase(Locale.ROOT) : "";
        step = 0;
        int n = exchanges.incrementAndGet();
        refusing = refuseFrom > 0 && n >= refuseFrom;
        boolean initial = p.length > 2;
        switch (mechanism) {
            case "PLAIN", "XOAUTH2", "OAUTHBEARER" -> {
                if (initial) {
                    finish(x);
                } else {
                    x.reply("334 ");
                }
            }
            case "LOGIN" -> {
                step = initial ? 1 : 0;
                x.reply(initial ? "334 UGFzc3dvcmQ6" : "334 VXNlcm5hbWU6");
            }
            case "CRAM-MD5" -> x.reply("334 " + b64("<1896.697170952@fault.test>".getBytes(StandardCharsets.US_ASCII)));
            case "DIGEST-MD5", "NTLM" -> {
                try {
                    sasl = Sasl.createSaslServer(mechanism, "smtp", "127.0.0.1", Map.of(Sasl.QOP, "auth"),
                            this::callbacks);
                    byte[] challenge = sasl.evaluateResponse(initial ? Base64.getDecoder().decode(p[2]) : new byte[0]);
                    x.reply("334 " + b64(challenge));
                } catch (SaslException e) {
                    x.reply("454 4.7.0 " + e.getMessage());
                }
            }
            default -> x.reply("504 5.5.4 Unrecognized authentication type");
        }
    }

    private synchronized void answer(FaultServer.Conversation x, String line) throws IOException {
        clientLines.add(line);
        lastLine = line;
        if (line.equals("*")) {
            x.reply("501 5.7.0 Authentication aborted");
            return;
        }
        switch (mechanism) {
            case "LOGIN" -> {
                if (step++ == 0) {
                    x.reply("334 UGFzc3dvcmQ6");
                } else {
                    finish(x);
                }
            }
            case "DIGEST-MD5", "NTLM" -> {
                if (sasl.isComplete()) {
                    finish(x);
                    return;
                }
                if (refusing) {
                    finish(x);
                    return;
                }
                try {
                    byte[] next = sasl.evaluateResponse(Base64.getDecoder().decode(line));
                    if (sasl.isComplete() && (next == null || next.length == 0)) {
                        finish(x);
                    } else {
                        x.reply("334 " + b64(next == null ? new byte[0] : next));
                    }
                } catch (SaslException e) {
                    x.reply("535 5.7.8 Authentication credentials invalid");
                }
            }
            default -> finish(x);
        }
    }

    private void finish(FaultServer.Conversation x) throws IOException {
        if (refusing && dropInstead) {
            x.drop();
            return;
        }
        if (refusing && quoteBack) {
            x.reply("535-5.7.8 authentication failed for [" + lastLine + "]", "535 5.7.8 decoded [" + decoded(lastLine) + "]");
            return;
        }
        x.reply(refusing ? "535 5.7.8 Authentication credentials invalid" : "235 2.7.0 Authentication successful");
    }

    /** The last word of a client line, base64-decoded, non-printable characters as spaces. */
    private static String decoded(String line) {
        String[] words = line.split(" ");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(words[words.length - 1]);
        } catch (IllegalArgumentException e) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(b >= 0x20 && b < 0x7f ? (char) b : ' ');
        }
        return sb.toString();
    }

    private void callbacks(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback cb : callbacks) {
            if (cb instanceof NameCallback n) {
                n.setName(n.getDefaultName() != null ? n.getDefaultName() : user);
            } else if (cb instanceof PasswordCallback p) {
                p.setPassword(password.toCharArray());
            } else if (cb instanceof RealmCallback r) {
                r.setText(r.getDefaultText());
            } else if (cb instanceof AuthorizeCallback a) {
                a.setAuthorized(user.equals(a.getAuthenticationID()));
            } else {
                throw new UnsupportedCallbackException(cb);
            }
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
