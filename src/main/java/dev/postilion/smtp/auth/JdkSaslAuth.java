package dev.postilion.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.RealmCallback;
import javax.security.sasl.RealmChoiceCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;

/** A mechanism the JDK already implements (javax.security.sasl): DIGEST-MD5 and NTLM. */
public final class JdkSaslAuth implements AuthExchange {

    /** DIGEST-MD5's answer to the challenge (RFC 2831 2.1.2): the part a server could quote alone. */
    private static final Pattern DIGEST_RESPONSE = Pattern.compile("response=\"?([0-9a-fA-F]{32})");

    private final String mechanism;
    private final SaslClient client;
    /** The password as handed to the JDK's client, once it asked for it. */
    private volatile String password;

    public JdkSaslAuth(String mechanism, Credentials credentials, String host) throws AuthException {
        this.mechanism = mechanism;
        try {
            this.client = Sasl.createSaslClient(new String[] {mechanism}, credentials.authzid(), "smtp", host,
                    Map.of(), callbacks -> handle(callbacks, credentials));
        } catch (SaslException e) {
            throw new AuthException(mechanism + " could not start: " + e.getMessage());
        }
        if (client == null) {
            throw new AuthException("this JDK has no SASL client for " + mechanism);
        }
    }

    private void handle(Callback[] callbacks, Credentials credentials) throws UnsupportedCallbackException {
        for (Callback cb : callbacks) {
            if (cb instanceof NameCallback n) {
                n.setName(credentials.username());
            } else if (cb instanceof PasswordCallback p) {
                String pw = credentials.password() == null ? null : credentials.password().get();
                password = pw;
                p.setPassword(pw == null ? new char[0] : pw.toCharArray());
            } else if (cb instanceof RealmChoiceCallback r) {
                r.setSelectedIndex(0);
            } else if (cb instanceof RealmCallback r) {
                r.setText(r.getDefaultText());
            } else {
                throw new UnsupportedCallbackException(cb);
            }
        }
    }

    @Override
    public String mechanism() {
        return mechanism;
    }

    @Override
    public Response initialResponse() throws AuthException {
        if (!client.hasInitialResponse()) {
            return null;
        }
        return evaluate(new byte[0]);
    }

    @Override
    public Response evaluate(byte[] challenge) throws AuthException {
        try {
            // After DIGEST-MD5's rspauth the JDK's client has nothing more to say and returns null:
            // RFC 4954 4 still wants a line, so an empty one goes.
            byte[] answer = client.evaluateChallenge(challenge);
            byte[] bytes = answer == null ? new byte[0] : answer;
            List<String> parts = new ArrayList<>();
            if (password != null) {
                parts.add(password);
            }
            Matcher m = DIGEST_RESPONSE.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
            if (m.find()) {
                parts.add(m.group(1));
            }
            return new Response(bytes, true, parts);
        } catch (SaslException e) {
            throw new AuthException(mechanism + " could not answer the server's challenge: " + e.getMessage());
        }
    }
}
