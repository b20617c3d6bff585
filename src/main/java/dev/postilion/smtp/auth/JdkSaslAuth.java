package dev.postilion.smtp.auth;

import java.util.Map;
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

    private final String mechanism;
    private final SaslClient client;

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

    private static void handle(Callback[] callbacks, Credentials credentials) throws UnsupportedCallbackException {
        for (Callback cb : callbacks) {
            if (cb instanceof NameCallback n) {
                n.setName(credentials.username());
            } else if (cb instanceof PasswordCallback p) {
                String pw = credentials.password() == null ? null : credentials.password().get();
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
            return new Response(answer == null ? new byte[0] : answer, true);
        } catch (SaslException e) {
            throw new AuthException(mechanism + " could not answer the server's challenge: " + e.getMessage());
        }
    }
}
