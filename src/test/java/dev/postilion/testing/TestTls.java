package dev.postilion.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Server certificates for loopback TLS tests, made once with {@code src/test/resources/tls/regenerate.sh}
 * and committed. {@link #caPem()} is the test CA that signed every one except {@link #SELF_SIGNED};
 * hand it to a client as {@code TlsSettings.trustedCa} (the {@code --tls-ca} file).
 */
public enum TestTls {
    /** localhost, 127.0.0.1 and ::1, signed by the test CA, valid until 2125. */
    LOCALHOST("localhost.p12"),
    /** The same names, signed by the test CA, expired in 2021. */
    EXPIRED("expired.p12"),
    /** Names only {@code other.example}, signed by the test CA. */
    WRONG_HOST("wrong-host.p12"),
    /** localhost and 127.0.0.1, signed by itself: no CA vouches for it. */
    SELF_SIGNED("self-signed.p12"),
    /** Names only the DNS name {@code localhost} (no IP address), signed by the test CA. */
    NAME_ONLY("name-only.p12"),
    /** Names only the IP address {@code 127.0.0.1} (no DNS name), signed by the test CA. */
    ADDRESS_ONLY("address-only.p12");

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final String file;
    private volatile SSLContext context;

    TestTls(String file) {
        this.file = file;
    }

    /** A server-side context holding this certificate and its key. */
    public SSLContext sslContext() {
        SSLContext c = context;
        if (c == null) {
            try (InputStream in = resource(file).openStream()) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, PASSWORD);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, PASSWORD);
                c = SSLContext.getInstance("TLS");
                c.init(kmf.getKeyManagers(), null, null);
                context = c;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("test certificate " + file + " unusable", e);
            }
        }
        return c;
    }

    /** The test CA's certificate as a PEM file. */
    public static Path caPem() {
        try {
            return Path.of(resource("ca.pem").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URL resource(String name) {
        URL url = TestTls.class.getResource("/tls/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource /tls/" + name + " missing; run src/test/resources/tls/regenerate.sh");
        }
        return url;
    }
}
