package dev.postilion.smtp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import dev.postilion.io.InputFile;

/**
 * How a session sets up TLS: the mode, extra trust anchors (PEM files, added to the JDK's), and
 * whether checks are switched off. Certificates and host names are verified unless
 * {@code insecure} is set.
 *
 * @param mode none, starttls, starttls-if-offered or implicit
 * @param trustedCa PEM files whose certificates are trusted as well as the JDK's
 * @param insecure skip certificate and host name checks (loud, explicit)
 */
public record TlsSettings(TlsMode mode, List<Path> trustedCa, boolean insecure) {

    /** The most a --tls-ca file may hold (a bundle of a few hundred certificates fits). */
    public static final InputFile.Cap CA_CAP = new InputFile.Cap("TLS CA files", 1 << 20);

    /** Plain text, nothing to verify. */
    public static final TlsSettings NONE = new TlsSettings(TlsMode.NONE, List.of(), false);

    public TlsSettings {
        trustedCa = List.copyOf(trustedCa);
    }

    /** The given mode with default trust. */
    public static TlsSettings of(TlsMode mode) {
        return new TlsSettings(mode, List.of(), false);
    }

    /** A copy with another mode. */
    public TlsSettings withMode(TlsMode newMode) {
        return new TlsSettings(newMode, trustedCa, insecure);
    }

    /**
     * Builds the socket factory.
     *
     * @throws SmtpException of kind TLS when a CA file is missing or not PEM
     */
    public SSLSocketFactory socketFactory() throws SmtpException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {insecure ? TRUST_ALL : trustManager()}, null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw config("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private X509TrustManager trustManager() throws SmtpException, GeneralSecurityException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        if (trustedCa.isEmpty()) {
            return (X509TrustManager) jdk.getTrustManagers()[0];
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw config("cannot create a trust store: " + e.getMessage(), e);
        }
        int n = 0;
        for (X509Certificate c : ((X509TrustManager) jdk.getTrustManagers()[0]).getAcceptedIssuers()) {
            store.setCertificateEntry("jdk-" + n++, c);
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (Path file : trustedCa) {
            Collection<? extends Certificate> certs;
            try {
                certs = cf.generateCertificates(new ByteArrayInputStream(InputFile.readAll(file, CA_CAP)));
            } catch (InputFile.Refused e) {
                throw config("TLS CA file " + e.getMessage(), e);
            } catch (GeneralSecurityException e) {
                throw config("TLS CA file " + file + " is not a PEM certificate: " + e.getMessage(), e);
            }
            if (certs.isEmpty()) {
                throw config("TLS CA file " + file + " holds no certificate (expected PEM"
                        + " '-----BEGIN CERTIFICATE-----')", null);
            }
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + n++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    private static SmtpException config(String message, Throwable cause) {
        return SmtpException.tls(SmtpStage.TLS, null, message, cause, null);
    }

    private static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
