package dev.postilion.interop;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks that the real MTA from {@code scripts/mta-up} is there and behaves as the interop tests
 * assume, using only the JDK and Jakarta Mail (never Postilion's own engine).
 */
class RealMtaIT {

  private static final int READ_TIMEOUT_MILLIS = 10_000;
  private static final int MAX_REPLY_LINES = 100;

  private RealMta mta;

  @BeforeEach
  void requireMta() {
    mta = RealMta.require();
  }

  @Test
  void smtpPortOffersAuthOnlyAfterStartTls() throws IOException {
    try (Socket socket = new Socket(mta.host(), mta.smtpPort())) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      Line plain = new Line(socket);
      assertThat(plain.reply()).first().asString().startsWith("220 ");

      List<String> ehlo = plain.command("EHLO client.postilion.test");
      assertThat(ehlo).last().asString().startsWith("250 ");
      assertThat(keywords(ehlo)).contains("STARTTLS", "PIPELINING", "8BITMIME", "SMTPUTF8", "DSN",
          "CHUNKING", "ENHANCEDSTATUSCODES").noneMatch(k -> k.startsWith("AUTH"));
      assertThat(keywords(ehlo)).anyMatch(k -> k.startsWith("SIZE "));

      assertThat(plain.command("STARTTLS")).first().asString().startsWith("220 ");
      SSLSocket tls = (SSLSocket) mta.sslContext().getSocketFactory()
          .createSocket(socket, mta.host(), mta.smtpPort(), true);
      tls.setUseClientMode(true);
      tls.startHandshake();
      Line secure = new Line(tls);

      List<String> ehloAgain = secure.command("EHLO client.postilion.test");
      assertThat(keywords(ehloAgain)).doesNotContain("STARTTLS")
          .anyMatch(k -> k.startsWith("AUTH ") && k.contains("PLAIN") && k.contains("LOGIN") && k.contains("CRAM-MD5"));
      assertThat(secure.command("QUIT")).first().asString().startsWith("221 ");
    }
  }

  @Test
  void relayToOutsideDomainIsRefused() throws IOException {
    try (Socket socket = new Socket(mta.host(), mta.smtpPort())) {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      Line smtp = new Line(socket);
      smtp.reply();
      smtp.command("EHLO client.postilion.test");
      assertThat(smtp.command("MAIL FROM:<it@postilion.test>")).first().asString().startsWith("250 ");
      assertThat(smtp.command("RCPT TO:<someone@example.com>")).first().asString()
          .startsWith("554 5.7.1").contains("Relay access denied");
      smtp.command("QUIT");
    }
  }

  @Test
  void submissionDeliversAuthenticatedMessageToMaildir() throws Exception {
    String recipient = "it-" + UUID.randomUUID() + "@" + mta.domain();
    String subject = "RealMtaIT " + UUID.randomUUID();

    Properties props = new Properties();
    props.put("mail.transport.protocol", "smtp");
    props.put("mail.smtp.host", mta.host());
    props.put("mail.smtp.port", String.valueOf(mta.submissionPort()));
    props.put("mail.smtp.auth", "true");
    props.put("mail.smtp.starttls.enable", "true");
    props.put("mail.smtp.starttls.required", "true");
    props.put("mail.smtp.ssl.socketFactory", mta.sslContext().getSocketFactory());
    props.put("mail.smtp.ssl.checkserveridentity", "true");
    props.put("mail.smtp.connectiontimeout", String.valueOf(READ_TIMEOUT_MILLIS));
    props.put("mail.smtp.timeout", String.valueOf(READ_TIMEOUT_MILLIS));
    String user = mta.user();
    String password = mta.password();
    Session session = Session.getInstance(props, new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        return new PasswordAuthentication(user, password);
      }
    });

    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(user + "@" + mta.domain()));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
    message.setSubject(subject, "UTF-8");
    message.setText("sent by RealMtaIT through submission with STARTTLS and AUTH\n", "UTF-8");
    Transport.send(message);

    List<Path> delivered = mta.awaitDeliveredTo(recipient, 1, Duration.ofSeconds(10));
    assertThat(delivered).as("messages for %s in %s (see %s)", recipient, mta.maildir(), mta.logFile())
        .hasSize(1);
    String stored = Files.readString(delivered.get(0), StandardCharsets.ISO_8859_1);
    assertThat(stored).contains("Subject: " + subject).contains("(Authenticated sender: " + user + ")")
        .contains("using TLS");
  }

  /** EHLO keywords: each reply line without its "250-"/"250 " prefix, the greeting line dropped. */
  private static List<String> keywords(List<String> ehloReply) {
    return ehloReply.stream().skip(1).map(line -> line.substring(4)).toList();
  }

  /** A bounded line reader and writer for one SMTP connection, JDK only. */
  private static final class Line {
    private final BufferedReader in;
    private final OutputStream out;

    Line(Socket socket) throws IOException {
      this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      this.out = socket.getOutputStream();
    }

    List<String> command(String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return reply();
    }

    /** RFC 5321 4.2.1: "250-" continues a reply, "250 " ends it. */
    List<String> reply() throws IOException {
      List<String> lines = new ArrayList<>();
      while (lines.size() < MAX_REPLY_LINES) {
        String line = in.readLine();
        if (line == null) {
          throw new IOException("connection closed mid-reply after " + lines);
        }
        lines.add(line);
        if (line.length() < 4 || line.charAt(3) != '-') {
          return lines;
        }
      }
      throw new IOException("reply longer than " + MAX_REPLY_LINES + " lines: " + lines);
    }
  }
}
