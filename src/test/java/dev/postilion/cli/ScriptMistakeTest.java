package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postilion.testing.FaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A DSL word called the wrong way (wrong argument types, null, a missing colon, Groovy's overload
 * ambiguity, a value the JDK refuses) is the author's mistake: exit 65 with the script line and the
 * right spelling, nothing sent for it, and no Java or Groovy class name, with or without --dry-run.
 */
@Timeout(120)
class ScriptMistakeTest {

    private static final List<String> JAVA_WORDS = List.of("java.", "groovy.", "Exception", "dev.postilion",
            "org.codehaus");

    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    @Test
    void quitInsideDataExits65BeforeConnectingInsteadOf75AfterRcpt() throws Exception {
        Path script = dir.resolve("weekly.groovy");
        Files.writeString(script, """
                connect 'mail.example.com'
                ehlo 'client.test'
                mail from: 'a@x.test'
                rcpt to: 'b@y.test'
                data {
                    subject 'report'
                    text 'see attached'
                    quit
                }
                """);
        try (FaultServer server = FaultServer.exchange2003()) {
            Cli.Outcome o = cli.run("run", "-q", "--connect-to", "127.0.0.1:" + server.port(), script.toString());
            assertThat(o.code()).as(o.all()).isEqualTo(65);
            assertThat(o.err()).isEqualTo("weekly.groovy:8: script error: quit cannot be used inside a data { } or"
                    + " send { } block: the block describes the message; put SMTP commands before or after it\n");
            assertThat(server.connections()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            connect null                               | connect got no value (null or empty text); write connect 'mail.example.com', port: 587
            connect 25                                 | connect does not take a number; write connect 'mail.example.com'
            connect 'x', 'y'                           | connect does not take text, text; write connect
            connect 'x', port: 'abc'                   | connect: port must be a whole number, not 'abc'
            connect 'x', port: 99999                   | connect: port must be a whole number from 1 to 65535, not 99999
            connect 'x', port: 0                       | connect: port must be a whole number from 1 to 65535, not 0
            connect 'x', tls: 'bogus'                  | connect: unknown TLS mode 'bogus'
            connect 'x', timeout: 'abc'                | connect: timeout: 'abc' is not a duration
            connect 'x', insecure: 'maybe'             | connect: insecure must be true or false, not 'maybe'
            connect 'x', prot: 26                      | connect: unknown option 'prot' (did you mean 'port'?)
            ehlo null                                  | ehlo got no value (null or empty text); write ehlo 'client.example.com'
            ehlo 5                                     | ehlo does not take a number; write ehlo 'client.example.com'
            ehlo name: 'x'                             | ehlo does not take named arguments (name:); write ehlo
            ehlo 'a', 'b'                              | ehlo does not take text, text
            ehlo ''                                    | ehlo got no value (null or empty text)
            connect ''                                 | connect got no value (null or empty text)
            connect 'x', timeout: '0s'                 | connect: timeout must be longer than 0
            expect([], { noop() })                     | expect needs at least one code in its list
            batch(5) { row -> }                        | batch takes its rows from csv('file'), jsonl('file'), yaml('file') or a list of maps, not a number
            helo null                                  | helo got no value (null or empty text)
            helo name: 'x'                             | helo does not take named arguments (name:)
            starttls 'x'                               | starttls does not take text; write starttls (no arguments)
            auth null                                  | auth got no value (null or empty text); write auth login: 'user', password: secret('work')
            auth 'PLAIN'                               | auth does not take text; write auth login:
            auth login: 'u'                            | auth needs a password: auth login: 'u', password: secret('work')
            auth xoauth2: 'u'                          | auth needs a token: auth xoauth2: 'u', token: secret('work')
            auth plain user: 'x', password: p          | `auth plain: 'x', password: p` is the spelling
            auth plain user: 'x', password: 'literal'  | `auth plain: 'x', password: '********'` is the spelling
            auth login 'x', password: secret('w')      | `auth login: 'x', password: secret('w')` is the spelling
            auth cramMd5 user: 'x', password: p        | `auth cramMd5: 'x', password: p` is the spelling
            auth xoauth2 user: 'x', token: t           | `auth xoauth2: 'x', token: t` is the spelling
            auth plain                                 | plain is an AUTH mechanism, not a verb: `auth plain: 'user', password: p` is the spelling
            auth plain(user: 'x')                      | plain is an AUTH mechanism, not a verb
            mail null                                  | mail got no value (null or empty text); write mail from: 'you@example.com'
            mail 'a@x'                                 | mail does not take text; write mail from: 'you@example.com'
            mail from: null                            | mail from: is null; write mail from: 'you@example.com'
            mail from 'a@x'                            | unknown name 'from': an option is written with a colon, as in mail from:
            mail from: 'a@x', size: 'big'              | mail: size must be a whole number, not 'big'
            mail from: 'a@x', size: -5                 | mail: size must be 0 or more
            mail from: 'a@x', body: 'weird'            | BODY 'weird' is not 7BIT, 8BITMIME or BINARYMIME
            mail from: 'a@x', ret: 'X'                 | RET 'X' is not FULL or HDRS
            rcpt 'x'                                   | rcpt does not take text; write rcpt to: 'someone@example.com'
            rcpt to: null                              | rcpt needs to:
            rcpt()                                     | rcpt needs to:
            rcpt to 'b@y'                              | unknown name 'to': an option is written with a colon, as in rcpt to:
            data()                                     | data got no value (null or empty text); write data { subject 'Hello'; text 'Hi' }
            data null                                  | data got no value (null or empty text)
            data 5                                     | data does not take a number; write data {
            send()                                     | send got no value (null or empty text); write send { from
            send null                                  | send got no value (null or empty text)
            send 5                                     | send does not take a number
            vrfy()                                     | vrfy got no value (null or empty text); write vrfy 'postmaster'
            vrfy null                                  | vrfy got no value (null or empty text)
            raw()                                      | raw got no value (null or empty text); write raw 'XCMD argument'
            raw null                                   | raw got no value (null or empty text)
            raw 5                                      | raw does not take a number
            quit 5                                     | quit does not take a number; write quit (no arguments)
            rset 'x'                                   | rset does not take text; write rset (no arguments)
            noop 1, 2                                  | noop does not take a number, a number
            expect 550                                 | expect does not take a number; write expect 550, {
            expect()                                   | expect needs arguments; write expect 550, {
            expect 550, 'x'                            | expect does not take a number, text
            expect null, { noop() }                    | expect takes a code (550)
            maxTime()                                  | maxTime got no value (null or empty text); write maxTime '50m'
            maxTime 5                                  | maxTime does not take a number
            maxTime 'abc'                              | maxTime: 'abc' is not a duration
            env()                                      | env needs arguments; write env('NAME')
            env null                                   | env got no value (null or empty text)
            file()                                     | file got no value (null or empty text); write file('message.eml')
            secret 5                                   | secret does not take a number; write secret('work')
            csv()                                      | csv needs arguments; write csv('people.csv')
            csv 5                                      | csv does not take a number
            jsonl 5                                    | jsonl does not take a number
            batch()                                    | batch needs arguments; write batch(csv('people.csv'))
            batch 5                                    | batch does not take a number
            subject 'x'                                | subject is a message word: it belongs inside data { } or send { }
            attach 'x.pdf'                             | attach is a message word: it belongs inside data { } or send { }
            data { header 'X' }                        | header does not take text; write header 'X-Campaign', 'autumn'
            data { attach() }                          | attach needs arguments; write attach 'report.pdf'
            data { attach null }                       | attach got no value (null or empty text)
            data { attach name: 'x' }                  | attach needs a file as well as its options; write attach 'report.pdf'
            data { inline 'x.png' }                    | inline does not take text; write inline 'logo.png', cid: 'logo'
            data { priority 9 }                        | priority: 9 is not 1-5 or high, normal, low
            data { from null }                         | from: no address given (null)
            data { to null }                           | to got no value (null or empty text); write to 'b@example.com'
            data { subject 'a', 'b' }                  | subject does not take text, text; write subject 'Hello'
            data { date 'yesterday' }                  | date: 'yesterday' is neither an RFC 5322 date
            data { template 'x' }                      | template does not take text; write template('welcome.txt'
            data { quit }                              | quit cannot be used inside a data { } or send { } block
            data { bogus 'x' }                         | unknown verb 'bogus'
            send { from 'a@x.test'; header 'X', 'y', 'z' } | header does not take text, text, text
            def x = null; x.foo()                      | Cannot invoke method foo() on null object
            def finish() { 1 }                         | the script defines a method named 'finish', a name Postilion uses itself; give the method another name
            void resolve(String p) { }                 | the script defines a method named 'resolve', a name Postilion uses itself
            """)
    void everyWrongCallIsAScriptErrorWithItsLineAndNoJavaWords(String call, String message) throws Exception {
        Path script = dir.resolve("slip.groovy");
        // Files the calls name exist, so that the mistake found is the call's shape, not a missing file.
        Files.writeString(dir.resolve("x.png"), "png");
        Files.writeString(dir.resolve("x"), "template");
        boolean transaction = call.startsWith("data {");
        Files.writeString(script, "connect 'mail.example.com'\nehlo 'client.test'\n"
                + (transaction ? "mail from: 'a@x.test'; rcpt to: 'b@y.test'; " : "") + call + "\nquit\n");
        try (FaultServer server = FaultServer.exchange2003()) {
            Cli.Outcome o = cli.run("run", "-q", "--connect-to", "127.0.0.1:" + server.port(), script.toString());
            assertThat(o.code()).as(o.all()).isEqualTo(65);
            assertThat(o.err()).as(o.all()).contains("slip.groovy:3: script error: ").contains(message);
            assertThat(JAVA_WORDS).as(o.all()).noneMatch(o.all()::contains);
            server.awaitDisconnect();
            assertThat(server.commands()).as("the mistaken call sends nothing").allMatch(c -> c.equals("EHLO client.test")
                    || c.equals("QUIT") || transaction && (c.startsWith("MAIL FROM:") || c.startsWith("RCPT TO:")));

            Cli.Outcome dry = cli.run("run", "-q", "--dry-run", script.toString());
            assertThat(dry.code()).as(dry.all()).isEqualTo(65);
            assertThat(dry.err()).as(dry.all()).contains("slip.groovy:3: ");
            assertThat(JAVA_WORDS).as(dry.all()).noneMatch(dry.all()::contains);
        }
    }
}
