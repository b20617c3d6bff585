package dev.postilion.smtp;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import dev.postilion.smtp.SmtpException.Hint;
import dev.postilion.smtp.SmtpException.Kind;
import dev.postilion.transcript.TranscriptListener;

/**
 * The TLS policy of a session: runs the handshake (at connect for implicit TLS, after STARTTLS's
 * 220 otherwise), fails closed when a required mode cannot be had, and names why a handshake
 * failed (untrusted, expired or wrong-host certificate, obsolete protocol, plain text).
 */
final class StartTls {

    private static final Pattern SELECTED_VERSION = Pattern.compile("selected protocol version (\\w+)");

    private final SessionOptions options;
    private final TranscriptListener transcript;
    private final SessionState state;

    StartTls(SessionOptions options, TranscriptListener transcript, SessionState state) {
        this.options = options;
        this.transcript = transcript;
        this.state = state;
    }

    /** Says EHLO (or HELO) again after the handshake. */
    @FunctionalInterface
    interface Hello {
        Reply say(SmtpStage stage, String name) throws SmtpException;
    }

    /** The replies of a STARTTLS exchange: to STARTTLS, and to the EHLO after it (null if there was none). */
    record Upgrade(Reply starttls, Reply hello) {
    }

    /**
     * STARTTLS on a greeted plain connection: on 220, the handshake, then everything learnt before
     * it is forgotten and {@code hello} is said again (RFC 3207 4.2).
     */
    Upgrade upgrade(SmtpCodec codec, Hello hello) throws SmtpException {
        if (codec.tls()) {
            throw state.state(SmtpStage.STARTTLS, "TLS is already active on this connection");
        }
        Reply r = codec.command(SmtpStage.STARTTLS, Commands.STARTTLS, x -> x.code() == 220);
        if (r.code() != 220) {
            return new Upgrade(r, null);
        }
        refuseInjection(codec);
        handshake(codec, false);
        String name = state.heloName;
        boolean wasEsmtp = state.esmtp;
        state.capabilities = Capabilities.NONE;
        state.greeted = false;
        state.authenticated = false;
        state.resetTransaction();
        Reply again = hello.say(wasEsmtp ? SmtpStage.EHLO : SmtpStage.HELO, name);
        if (!again.isPositiveCompletion()) {
            throw SmtpException.unexpected(SmtpStage.EHLO, (wasEsmtp ? "EHLO " : "HELO ") + name
                    + " (after STARTTLS)", again, server());
        }
        return new Upgrade(r, again);
    }

    /** True when the mode asks for STARTTLS after EHLO and the connection is not encrypted yet. */
    boolean wanted(SmtpCodec codec) {
        TlsMode mode = options.tls().mode();
        return !codec.tls() && (mode == TlsMode.STARTTLS || mode == TlsMode.STARTTLS_IF_OFFERED);
    }

    /** The server did not offer STARTTLS: a required mode fails closed, the other goes on in plain text and says so. */
    void notOffered() throws SmtpException {
        if (options.tls().mode().required()) {
            throw SmtpException.tls(SmtpStage.STARTTLS, server(),
                    "STARTTLS required, but " + server() + " did not offer it\n    refusing to continue in"
                            + " plain text", null, Hint.STARTTLS_NOT_OFFERED);
        }
        transcript.plainTextContinues(TranscriptListener.PlainText.STARTTLS_NOT_OFFERED);
    }

    /**
     * The server refused STARTTLS: a required mode fails closed, as does a closing or closed
     * connection; the other goes on in plain text and says so.
     */
    void refused(Reply r, boolean open) throws SmtpException {
        if (options.tls().mode().required() || r.isClosing() || !open) {
            throw new SmtpException(Kind.TLS, SmtpStage.STARTTLS, "STARTTLS", r, server(),
                    "STARTTLS refused; TLS is required, so nothing more is sent\n"
                            + SmtpException.quote(server(), r), null);
        }
        transcript.plainTextContinues(TranscriptListener.PlainText.STARTTLS_REFUSED);
    }

    /**
     * RFC 3207 5: any byte the server sent after its 220 and before the handshake is a response
     * injection attempt; the connection is dropped.
     */
    private void refuseInjection(SmtpCodec codec) throws SmtpException {
        int extra = codec.buffered(SmtpStage.STARTTLS, "STARTTLS");
        if (extra > 0) {
            codec.close();
            throw new SmtpProtocolException(SmtpStage.STARTTLS, "STARTTLS", server(),
                    "it sent " + extra + " more octets after its 220 reply, before the TLS handshake"
                            + " (a STARTTLS response injection); the connection was dropped");
        }
    }

    /**
     * The TLS handshake; {@code implicit}: at connect, before any SMTP (the greeting's time limit
     * applies), otherwise after STARTTLS's 220. On failure the connection is closed.
     */
    void handshake(SmtpCodec codec, boolean implicit) throws SmtpException {
        Duration limit = implicit ? options.timeouts().greeting() : options.timeouts().command();
        SmtpConnection conn = codec.conn();
        try {
            transcript.tlsStarted(conn.startTls(options.tls(), limit));
            if (options.tls().insecure()) {
                transcript.tlsChecksOff();
            } else {
                transcript.tlsVerified(conn.host());
            }
        } catch (SmtpException e) {
            conn.close();
            throw e;
        } catch (IOException e) {
            conn.close();
            throw failure(codec, e, implicit, limit);
        }
    }

    private SmtpException failure(SmtpCodec codec, IOException e, boolean implicit, Duration limit) {
        if (e instanceof SocketTimeoutException || codec.conn().writeTimedOut()) {
            // The read timed out, or the watchdog closed a socket whose handshake outlived the limit.
            return SmtpException.noReply(Kind.TEMPORARY, SmtpStage.TLS, "TLS handshake with " + server(), server(),
                    "timed out after " + Timeouts.describe(limit), e);
        }
        if (e instanceof SSLException) {
            if (implicit && String.valueOf(e.getMessage()).contains("nsupported or unrecognized SSL message")) {
                // JSSE read "220 ..." as a TLS record: the server greets in plain text.
                return SmtpException.tls(SmtpStage.TLS, server(),
                        "TLS handshake with " + server() + " failed: the server answered in plain text, not TLS"
                                + "\n    this port speaks plain SMTP first", e, Hint.PORT_SPEAKS_PLAIN);
            }
            if (e instanceof SSLHandshakeException h) {
                return refusedHandshake(h);
            }
            return SmtpException.tls(SmtpStage.TLS, server(),
                    "TLS handshake with " + server() + " failed: " + e.getMessage(), e, null);
        }
        return codec.lost(SmtpStage.TLS, "TLS handshake", e);
    }

    private SmtpException refusedHandshake(SSLHandshakeException e) {
        Throwable root = e;
        boolean certificate = false;
        boolean expired = false;
        while (root.getCause() != null) {
            root = root.getCause();
            certificate |= root instanceof CertificateException || root instanceof CertPathValidatorException;
            expired |= root instanceof CertificateExpiredException;
        }
        String why = String.valueOf(root.getMessage());
        String obsolete = obsoleteProtocol(why);
        if (obsolete != null) {
            return SmtpException.tls(SmtpStage.TLS, server(),
                    "TLS handshake with " + server() + " failed: " + obsolete + "\n    TLS 1.0 and 1.1 are refused"
                            + " (RFC 8996: obsolete and insecure); the server must allow TLS 1.2 or 1.3", e,
                    Hint.OBSOLETE_TLS);
        }
        if (certificate || why.contains("PKIX") || why.contains("subject alternative") || why.contains("certificate")) {
            boolean wrongHost = why.contains("subject alternative") || why.contains("No name matching");
            String fact = expired ? "\n    the certificate has expired; the server must renew it"
                    : wrongHost ? "\n    the certificate does not name '" + state.host + "': connect with the name the"
                    + " certificate carries"
                    : "";
            Hint hint = expired ? Hint.EXPIRED_CERTIFICATE
                    : wrongHost ? Hint.WRONG_HOST_CERTIFICATE : Hint.UNTRUSTED_CERTIFICATE;
            return SmtpException.tls(SmtpStage.TLS, server(),
                    "TLS certificate of " + server() + " not trusted: " + why + fact, e, hint);
        }
        return SmtpException.tls(SmtpStage.TLS, server(), "TLS handshake with " + server() + " failed: " + why, e,
                null);
    }

    /**
     * Names the protocol when a handshake failed because the server speaks only an obsolete TLS
     * version: it chose one (JSSE: "The server selected protocol version TLS11 is not accepted by
     * client preferences [TLS13, TLS12]"), or it refused ours with a protocol_version alert.
     *
     * @return the explanation, or null when the failure was about something else
     */
    static String obsoleteProtocol(String why) {
        Matcher m = SELECTED_VERSION.matcher(why);
        if (m.find()) {
            String version = switch (m.group(1)) {
                case "TLS10" -> "TLS 1.0";
                case "TLS11" -> "TLS 1.1";
                case "SSL30" -> "SSL 3.0";
                default -> m.group(1);
            };
            return "the server chose " + version + " (" + why + ")";
        }
        if (why.contains("protocol_version")) {
            return "the server accepts neither TLS 1.2 nor TLS 1.3 (it answered with a protocol_version alert),"
                    + " so it speaks only an older protocol such as TLS 1.0 or 1.1";
        }
        return null;
    }

    private String server() {
        return state.server();
    }
}
