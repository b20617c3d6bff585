package dev.postilion.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The capture server's self-signed certificate for {@code localhost}, 127.0.0.1 and ::1, made
 * once with the JDK's keytool and kept beside the outbox, with its PEM so a client can trust it
 * ({@code --tls-ca outbox/capture-server.pem}).
 */
public final class TestCertificate {

    private static final char[] STORE_PASSWORD = "postilion-capture".toCharArray();

    private final SSLContext context;
    private final Path pem;

    private TestCertificate(SSLContext context, Path pem) {
        this.context = context;
        this.pem = pem;
    }

    /** Loads the certificate from {@code dir}, making it first when it is not there. */
    public static TestCertificate in(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path store = dir.resolve(".capture-server.p12");
        Path pem = dir.resolve("capture-server.pem");
        if (!Files.exists(store) || !Files.exists(pem)) {
            make(store, pem);
        }
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, STORE_PASSWORD);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, STORE_PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return new TestCertificate(ctx, pem);
        } catch (GeneralSecurityException e) {
            throw new IOException("capture server certificate " + store + " is unusable (delete it to make a new"
                    + " one): " + e.getMessage(), e);
        }
    }

    private static void make(Path store, Path pem) throws IOException {
        Path tmp = Files.createTempFile(store.getParent(), ".capture-server", ".p12");
        Path pemTmp = null;
        try {
            Files.delete(tmp);
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "capture", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=localhost, O=Postilion capture server",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:0:0:0:0:0:0:0:1", "-validity", "3650",
                    "-keystore", tmp.toString(), "-storetype", "PKCS12",
                    "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("keytool could not make the capture server's certificate: " + output.trim());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while making the capture server's certificate", e);
            }
            try (InputStream in = Files.newInputStream(tmp)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, STORE_PASSWORD);
                Certificate cert = ks.getCertificate("capture");
                String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(cert.getEncoded());
                pemTmp = Files.createTempFile(pem.getParent(), ".capture-server", ".pem");
                Files.writeString(pemTmp, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
                Files.move(pemTmp, pem, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read the new capture server certificate: " + e.getMessage(), e);
            }
            Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            // On a full disk or a keytool failure, no half-made key store is left in the outbox.
            Files.deleteIfExists(tmp);
            if (pemTmp != null) {
                Files.deleteIfExists(pemTmp);
            }
        }
    }

    public SSLContext sslContext() {
        return context;
    }

    public Path pem() {
        return pem;
    }
}
