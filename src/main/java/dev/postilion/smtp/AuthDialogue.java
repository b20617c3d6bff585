package dev.postilion.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.smtp.auth.AuthException;
import dev.postilion.smtp.auth.AuthExchange;
import dev.postilion.smtp.auth.AuthMechanisms;
import dev.postilion.smtp.auth.Credentials;
import dev.postilion.transcript.SecretStrings;
import dev.postilion.transcript.TranscriptListener;

/**
 * Runs an AUTH exchange over the codec (RFC 4954): the mechanism's first line, the 334 loop,
 * the cancel line, and the masking of every secret line, in {@code auth} and in {@code raw}.
 */
final class AuthDialogue {

    /** RFC 4954 4: 235 is the only success; 334 asks for more. */
    private static final Predicate<Reply> AUTH_REPLY = x -> x.code() == 235 || x.code() == 334;
    private static final int MAX_CHALLENGES = 10;

    private final SecretStrings secrets;
    private final TranscriptListener transcript;
    private final SessionState state;

    AuthDialogue(SecretStrings secrets, TranscriptListener transcript, SessionState state) {
        this.secrets = secrets;
        this.transcript = transcript;
        this.state = state;
    }

    /**
     * The whole exchange with {@code mechanism} ({@code auto}: the strongest offered that fits the
     * credentials), once per connection, outside a transaction, and over cleartext only when
     * allowed or to loopback. Secret client lines are masked in the transcript from the AUTH command to its
     * final reply, and every secret sent is masked in every reply after it.
     *
     * @return the final reply (235 on success)
     */
    Reply run(SmtpCodec codec, SessionOptions options, String mechanism, Credentials credentials)
            throws SmtpException {
        if (state.authenticated) {
            throw state.state(SmtpStage.AUTH, "already authenticated on this connection");
        }
        if (state.mailAccepted) {
            throw state.state(SmtpStage.AUTH, "auth is not allowed during a mail transaction (RFC 4954 4)");
        }
        if (!codec.tls() && !options.allowCleartextAuth() && (state.assumeRemote || !codec.conn().loopback())) {
            throw SmtpException.failure(Kind.CONFIG, SmtpStage.AUTH, server(),
                    "AUTH refused: the connection to " + server() + " is not encrypted, and the password would"
                            + " cross the network readable", null, SmtpException.Hint.CLEARTEXT_AUTH_REFUSED);
        }
        if (credentials.username() != null) {
            // RFC 4616 2: NUL separates PLAIN's fields, so a user name holding one could name another.
            CommandWriter.checkArgument("AUTH user name", credentials.username(), SmtpStage.AUTH);
        }
        String mech = choose(mechanism, credentials);
        state.authMechanism = mech;
        AuthExchange exchange;
        AuthExchange.Response initial;
        try {
            exchange = AuthMechanisms.start(mech, credentials, state.host, state.port);
            initial = exchange.initialResponse();
        } catch (AuthException e) {
            throw SmtpException.failure(Kind.AUTH, SmtpStage.AUTH, server(), "AUTH " + mech + " impossible: "
                    + secrets.mask(e.getMessage()), e);
        }
        remember(initial);
        String line = Commands.auth(mech, initial == null ? null : b64(initial.bytes()));
        String shown = initial != null && initial.secret() ? "AUTH " + mech + " ********" : line;
        codec.writeLine(SmtpStage.AUTH, line, shown, initial != null && initial.secret());
        codec.flush(SmtpStage.AUTH, shown);
        Reply r = codec.read(SmtpStage.AUTH, shown, AUTH_REPLY);
        int rounds = 0;
        while (r.code() == 334) {
            if (++rounds > MAX_CHALLENGES) {
                cancel(codec, shown);
                throw new SmtpProtocolException(SmtpStage.AUTH, shown, server(), "more than 10 AUTH challenges");
            }
            byte[] challenge;
            try {
                challenge = Base64.getDecoder().decode(r.text().trim());
            } catch (IllegalArgumentException e) {
                cancel(codec, shown);
                throw new SmtpProtocolException(SmtpStage.AUTH, shown, server(),
                        "AUTH challenge is not base64: " + ReplyReader.show(r.toString()));
            }
            AuthExchange.Response response;
            try {
                response = exchange.evaluate(challenge);
            } catch (AuthException e) {
                cancel(codec, shown);
                throw new SmtpException(Kind.AUTH, SmtpStage.AUTH, shown, r, server(),
                        "AUTH " + mech + " cancelled: " + secrets.mask(e.getMessage()), e);
            }
            remember(response);
            codec.writeLine(SmtpStage.AUTH, b64(response.bytes()), response.secret() ? "********" : null,
                    response.secret());
            codec.flush(SmtpStage.AUTH, shown);
            r = codec.read(SmtpStage.AUTH, shown, AUTH_REPLY);
        }
        if (r.isPositiveCompletion() && r.code() != 235) {
            // smtp-sink and other stand-ins answer everything with 250: that is no login.
            throw new SmtpProtocolException(SmtpStage.AUTH, shown, server(), r, "a " + r.code() + " reply cannot"
                    + " answer AUTH: only 235 means the credentials were accepted (RFC 4954 4), so this session"
                    + " is not authenticated");
        }
        if (r.code() == 235) {
            state.authenticated = true;
        }
        return r;
    }

    private String choose(String mechanism, Credentials credentials) throws SmtpException {
        Capabilities capabilities = state.capabilities;
        String mech = mechanism == null ? "auto" : mechanism.trim().toUpperCase(Locale.ROOT);
        if (mech.equals("AUTO")) {
            mech = AuthMechanisms.choose(capabilities.authMechanisms(), credentials);
            if (mech == null) {
                throw SmtpException.failure(Kind.AUTH, SmtpStage.AUTH, server(),
                        "AUTH impossible: " + server() + " offers " + offered() + ", none of which Postilion"
                                + " can use with these credentials", null);
            }
        } else if (capabilities.esmtp() && !capabilities.authMechanisms().contains(mech)) {
            throw SmtpException.failure(Kind.AUTH, SmtpStage.AUTH, server(),
                    "AUTH " + mech + " impossible: " + server() + " offers " + offered(), null);
        }
        return mech;
    }

    /** RFC 4954 4: a client cancels an exchange with a line holding a single "*". */
    private void cancel(SmtpCodec codec, String shown) throws SmtpException {
        codec.writeLine(SmtpStage.AUTH, Commands.AUTH_CANCEL, null, false);
        codec.flush(SmtpStage.AUTH, shown);
        codec.read(SmtpStage.AUTH, shown, x -> x.code() == 501);
    }

    private String offered() {
        return state.capabilities.authMechanisms().isEmpty() ? "no AUTH mechanism"
                : "AUTH " + String.join(" ", state.capabilities.authMechanisms());
    }

    /**
     * A line written as given, its reply read; an {@code AUTH} line with an argument, and every
     * line that answers its challenges, are masked, and the secrets in them remembered.
     */
    Reply raw(SmtpCodec codec, String line) throws SmtpException {
        boolean startsAuth = line.regionMatches(true, 0, "AUTH ", 0, 5);
        boolean secret = state.rawAuth || (startsAuth && line.trim().indexOf(' ', 5) > 0);
        String shown = secret ? (startsAuth ? line.substring(0, line.trim().indexOf(' ', 5)) + " ********"
                : "********") : line;
        if (secret) {
            rememberRaw(startsAuth ? line.trim().substring(line.trim().indexOf(' ', 5) + 1).trim() : line.trim());
        }
        codec.writeLine(SmtpStage.RAW, line, secret ? shown : null, secret);
        codec.flush(SmtpStage.RAW, shown);
        Reply r = codec.read(SmtpStage.RAW, shown, x -> x.code() < 400);
        state.rawAuth = (startsAuth || state.rawAuth) && r.code() == 334;
        state.rawUserPrompt = state.rawAuth && SecretStrings.forms(decoded(r.text().trim())).stream()
                .anyMatch(t -> t.toLowerCase(Locale.ROOT).contains("user"));
        if ((startsAuth || secret) && r.code() == 235) {
            state.authenticated = true;
        }
        return r;
    }

    /**
     * Keeps every form of a secret response that a server could quote back (the base64 line, the
     * text, the password or token inside), so replies, errors and the transcript mask them.
     */
    private void remember(AuthExchange.Response response) {
        if (response == null || !response.secret()) {
            return;
        }
        List<String> forms = new ArrayList<>(SecretStrings.forms(response.bytes()));
        for (String part : response.parts()) {
            forms.addAll(SecretStrings.forms(part));
        }
        remember(forms);
    }

    private void remember(List<String> forms) {
        for (String form : forms) {
            if (secrets.add(form)) {
                transcript.secret(form);
            }
        }
    }

    /**
     * Keeps a raw AUTH argument or answer as a secret: the base64 as written and, when it decodes,
     * the password in it (AUTH PLAIN's last field; a LOGIN answer unless it answers the user-name prompt).
     */
    private void rememberRaw(String base64) {
        List<String> forms = new ArrayList<>();
        forms.add(base64);
        byte[] plain = decoded(base64);
        if (plain != null && plain.length > 0) {
            String text = new String(plain, StandardCharsets.UTF_8);
            int nul = text.lastIndexOf('\0');
            if (nul >= 0) {
                forms.addAll(SecretStrings.forms(text.substring(nul + 1)));
            } else if (!state.rawUserPrompt) {
                forms.addAll(SecretStrings.forms(plain));
            }
        }
        remember(forms);
    }

    /** The bytes of a base64 text, or null when it is not base64. */
    private static byte[] decoded(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private String server() {
        return state.server();
    }
}
