package dev.postilion.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureServerTest {

    @Test
    void standInAcceptsEveryCommandOffersEveryExtensionAndKeepsNothing() throws IOException {
        try (CaptureServer standIn = CaptureServer.standIn();
             Socket s = new Socket(standIn.host(), standIn.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).isEqualTo("220 dry-run.invalid ESMTP stand-in for --dry-run");
            assertThat(say(out, in, "EHLO me")).containsExactly("250-dry-run.invalid", "250-PIPELINING",
                    "250-8BITMIME", "250-SMTPUTF8", "250-DSN", "250-CHUNKING", "250-ENHANCEDSTATUSCODES",
                    "250-SIZE 0", "250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER");
            assertThat(say(out, in, "AUTH CRAM-MD5")).singleElement().asString().startsWith("334 ");
            assertThat(say(out, in, "ZGlnZXN0")).containsExactly("235 2.7.0 accepted by the dry-run stand-in");
            assertThat(say(out, in, "VRFY bob")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(say(out, in, "XANYTHING at all")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(say(out, in, "MAIL FROM:<a@example.com> SMTPUTF8")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(say(out, in, "RCPT TO:<not an address> NOTIFY=SUCCESS")).containsExactly("250 2.0.0 ok (dry run)");
            assertThat(say(out, in, "DATA")).containsExactly("354 go ahead");
            assertThat(say(out, in, "Subject: x\r\n\r\nbody\r\n.")).containsExactly(
                    "250 2.0.0 accepted by the dry-run stand-in (nothing was sent)");
            assertThat(say(out, in, "QUIT")).containsExactly("221 2.0.0 bye");
            assertThat(standIn.messages()).isEqualTo(1);
            assertThat(standIn.outbox()).isNull();
            assertThat(standIn.certificate()).isNull();
        }
    }

    private static List<String> say(OutputStream out, BufferedReader in, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<String> reply = new ArrayList<>();
        String l;
        do {
            l = in.readLine();
            reply.add(l);
        } while (l != null && l.length() > 3 && l.charAt(3) == '-');
        return reply;
    }
}
