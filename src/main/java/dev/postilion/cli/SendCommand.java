package dev.postilion.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.postilion.io.InputFile;
import dev.postilion.message.MessageException;
import dev.postilion.message.MessageSpec;
import dev.postilion.message.MimeAssembler;
import dev.postilion.message.OutgoingMessage;
import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileException;
import dev.postilion.smtp.Envelope;
import dev.postilion.smtp.RcptOptions;
import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SendResult;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.smtp.SmtpStage;
import dev.postilion.transcript.SwaksPrinter;
import dev.postilion.transcript.TranscriptListener;
import dev.postilion.transcript.TranscriptRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code postilion send}: one message, swaks-like, every reply checked. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one message, swaks-style: the dialogue is shown (secrets masked), every reply checked.",
                "Passwords only from --password-env, --password-file, a profile or a no-echo prompt."})
public final class SendCommand implements Callable<Integer> {

    /** The stages --quit-after accepts. */
    enum QuitAfter { CONNECT, GREETING, EHLO, TLS, AUTH, MAIL, RCPT }

    /** {@code --quit-after STAGE}, in any case. */
    static final class QuitAfterValue implements ITypeConverter<QuitAfter> {
        @Override
        public QuitAfter convert(String text) {
            try {
                return QuitAfter.valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Converters.BadValue("'" + text + "' is not a stage; use connect, greeting, ehlo, tls,"
                        + " auth, mail or rcpt");
            }
        }
    }

    /** The most --body, --html or a message on standard input may hold (each is read whole). */
    static final InputFile.Cap TEXT_CAP = new InputFile.Cap("--body, --html and standard input", 32 << 20);

    private final Io io;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = {"-f", "--from"}, paramLabel = "ADDR", description = "Sender (header and MAIL FROM).")
    String from;

    @Option(names = {"-t", "--to"}, paramLabel = "ADDR", split = ",", description = "Recipient (repeatable; a,b works).")
    List<String> to = new ArrayList<>();

    @Option(names = "--cc", paramLabel = "ADDR", split = ",", description = "Cc recipient (repeatable).")
    List<String> cc = new ArrayList<>();

    @Option(names = "--bcc", paramLabel = "ADDR", split = ",", description = "Bcc recipient: envelope only.")
    List<String> bcc = new ArrayList<>();

    @Option(names = "--subject", paramLabel = "TEXT", description = "The subject (non-ASCII is encoded for you).")
    String subject;

    @Option(names = "--body", paramLabel = "TEXT|@FILE|-", description = {"The text body: TEXT, @FILE (that file's"
            + " content), or - (standard input).", "A text that starts with @ is written @@: --body @@home sends \"@home\"."})
    String body;

    @Option(names = "--html", paramLabel = "HTML|@FILE|-", description = "An HTML body, as --body takes it (with --body:"
            + " multipart/alternative).")
    String html;

    @Option(names = "--attach", paramLabel = "FILE", description = "Attach a file (repeatable).")
    List<Path> attach = new ArrayList<>();

    @Option(names = "--inline", paramLabel = "CID=FILE", description = "An inline image the HTML shows as cid:CID.")
    List<String> inline = new ArrayList<>();

    @Option(names = "--header", paramLabel = "'Name: value'", description = "Add a header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-d", "--data"}, paramLabel = "FILE|-", description = "Send this whole raw message as written:"
            + " FILE (or @FILE), or - (standard input).")
    String data;

    @Option(names = "--quit-after", paramLabel = "STAGE", converter = QuitAfterValue.class,
            description = "Stop after connect, greeting, ehlo, tls, auth, mail or rcpt; QUIT and exit 0.")
    QuitAfter stop;

    @Option(names = "--chunking", paramLabel = "auto|on|off", converter = Converters.AutoOnOff.class,
            description = "Use BDAT when offered (off).")
    String chunking = "off";

    @Option(names = "--strict-recipients", description = "Fail (69) when any recipient is refused, not only all.")
    boolean strictRecipients;

    @Mixin
    OutputMixin output = new OutputMixin();

    @Spec
    CommandSpec spec;

    public SendCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        // Every argument is checked before the first byte is sent (and before a password is asked
        // for): a mistake found only after AUTH wastes a login and, in a loop, locks accounts.
        OutgoingMessage message = null;
        try {
            checkArguments();
            connection.checkValues();
            Profile profile = connection.profile(io, null);
            if (profile == null && connection.server == null) {
                throw connection.noServer();
            }
            if (stop == null || stop.ordinal() >= QuitAfter.MAIL.ordinal()) {
                message = message(from != null ? from : profile != null ? profile.from() : null);
            }
        } catch (ConnectionOptions.Problem p) {
            io.err().println("postilion send: " + p.getMessage());
            return p.code.code();
        } catch (MessageException e) {
            io.err().println("postilion send: " + e.getMessage());
            return ExitCode.of(e).code();
        } catch (UsageProblem e) {
            io.err().println("postilion send: " + e.getMessage());
            return e.code.code();
        }
        ConnectionOptions.Target target;
        try {
            target = connection.resolve(io, null);
        } catch (ConnectionOptions.Problem p) {
            io.err().println("postilion send: " + p.getMessage());
            return p.code.code();
        }
        if (connection.insecure) {
            io.err().println("*** --insecure: TLS certificates are not checked; anyone in the path can read this session");
        }
        TranscriptRecorder recorder = new TranscriptRecorder(output.showSecrets);
        List<TranscriptListener> listeners = new ArrayList<>(List.of(recorder));
        if (!output.quiet()) {
            PrintStream stream = output.verbose() ? io.err() : io.out();
            listeners.add(new SwaksPrinter(stream, io.err(), output.showSecrets));
        }
        TranscriptListener transcript = TranscriptListener.all(listeners);
        boolean chunk = "on".equalsIgnoreCase(chunking) || "auto".equalsIgnoreCase(chunking);
        try (SmtpSession s = new SmtpSession(target.options().withChunking(chunk), transcript)) {
            int code = converse(s, target, message, stop);
            if (code != 0 && output.quiet()) {
                io.err().print(recorder.text());
            }
            return code;
        } catch (SmtpException e) {
            ProfileException unreadable = ProfileException.causing(e);
            if (unreadable != null) {
                // A profile's secret is read when AUTH asks for it: a source that cannot give it is the profile's error.
                io.err().println("postilion send: " + unreadable.getMessage());
                return ExitCode.of(unreadable).code();
            }
            if (output.quiet()) {
                io.err().print(recorder.text());
            }
            io.err().println("postilion send: " + e.getMessage() + Hints.remedy(e));
            if (Main.debugging(spec)) {
                e.printStackTrace(io.err());
            }
            return ExitCode.of(e.kind()).code();
        } catch (MessageException e) {
            io.err().println("postilion send: " + e.getMessage()
                    + "\n    the connection was dropped before the final dot, so nothing was delivered");
            return ExitCode.of(e).code();
        } catch (ProfileException e) {
            // DIGEST-MD5 and NTLM read the secret inside the JDK's SASL client, which passes its failure on as is.
            io.err().println("postilion send: " + e.getMessage());
            return ExitCode.of(e).code();
        }
    }

    private int converse(SmtpSession s, ConnectionOptions.Target t, OutgoingMessage message, QuitAfter stop)
            throws SmtpException {
        if (stop == QuitAfter.CONNECT || stop == QuitAfter.GREETING) {
            Reply greeting = s.connect(t.host(), t.port());
            if (greeting.code() != 220) {
                throw SmtpException.unexpected(SmtpStage.GREETING, "CONNECT " + s.server(), greeting, s.server());
            }
            return quit(s);
        }
        s.open(t.host(), t.port(), t.helo());
        if (stop == QuitAfter.EHLO || stop == QuitAfter.TLS) {
            return quit(s);
        }
        if (t.credentials() != null) {
            s.authenticate(t.auth(), t.credentials());
        }
        if (stop == QuitAfter.AUTH) {
            return quit(s);
        }
        Envelope envelope = message.envelope();
        if (stop == QuitAfter.MAIL || stop == QuitAfter.RCPT) {
            Reply m = s.mail(envelope.from(), envelope.mailOptions());
            if (!m.isPositiveCompletion()) {
                throw SmtpException.unexpected(SmtpStage.MAIL, "MAIL FROM:<" + envelope.from() + ">", m, s.server());
            }
            if (stop == QuitAfter.RCPT) {
                for (String rcpt : envelope.recipients()) {
                    Reply r = s.rcpt(rcpt, RcptOptions.NONE);
                    if (!r.isPositiveCompletion()) {
                        throw SmtpException.unexpected(SmtpStage.RCPT, "RCPT TO:<" + rcpt + ">", r, s.server());
                    }
                }
            }
            return quit(s);
        }
        SendResult result = s.send(envelope, message);
        List<SendResult.RecipientReply> refused = result.refused();
        if (!result.delivered()) {
            Reply d = result.decisive();
            String command = "DATA (end of message)";
            SmtpStage stage = SmtpStage.DATA_END;
            if (d == result.mail()) {
                stage = SmtpStage.MAIL;
                command = "MAIL FROM:<" + envelope.from() + ">";
            } else if (d == result.data()) {
                stage = SmtpStage.DATA;
                command = "DATA";
            } else {
                for (SendResult.RecipientReply r : result.recipients()) {
                    if (r.reply() == d) {
                        stage = SmtpStage.RCPT;
                        command = "RCPT TO:<" + r.address() + ">";
                    }
                }
            }
            throw SmtpException.unexpected(stage, command, d, s.server());
        }
        for (SendResult.RecipientReply r : refused) {
            io.err().println("*** recipient " + r.address() + " refused: " + r.reply());
        }
        quit(s);
        if (!refused.isEmpty() && strictRecipients) {
            io.err().println("postilion send: " + refused.size() + " of " + result.recipients().size()
                    + " recipients refused (--strict-recipients)");
            return ExitCode.UNAVAILABLE.code();
        }
        return ExitCode.OK.code();
    }

    private static int quit(SmtpSession s) throws SmtpException {
        s.quit();
        return ExitCode.OK.code();
    }

    /** The checks that need nothing but the arguments themselves. */
    private void checkArguments() {
        List<String> fromStdin = new ArrayList<>();
        for (String[] o : new String[][] {{"--body", body}, {"--html", html}, {"--data", data}}) {
            if ("-".equals(o[1])) {
                fromStdin.add(o[0]);
            }
        }
        if (fromStdin.size() > 1) {
            throw new UsageError(spec, String.join(" and ", fromStdin) + " both read standard input;"
                    + " give one of them as @FILE");
        }
        if (data != null && (body != null || html != null || subject != null || !attach.isEmpty()
                || !headers.isEmpty() || !inline.isEmpty())) {
            throw new UsageError(spec, "--data sends a whole message as written; it cannot be"
                    + " combined with --subject, --body, --html, --attach, --inline or --header");
        }
    }

    /** The message, checked and built before connecting; {@code sender} is --from, else the profile's from. */
    private OutgoingMessage message(String sender) throws UsageProblem {
        if (sender == null) {
            throw new UsageError(spec, "no sender: give --from ADDR (or a profile with from:)");
        }
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw new UsageError(spec, "no recipient: give --to ADDR (repeatable)"
                    + (data != null ? "; --data sends the message as written, and its To: header is not read" : ""));
        }
        if (data != null) {
            MessageSpec raw = new MessageSpec();
            if (data.equals("-")) {
                raw.raw(readStdin());
            } else {
                // --data FILE, and --data @FILE as --body and --html write it
                raw.rawFile(Path.of(data.startsWith("@") ? data.substring(1) : data));
            }
            raw.from(sender);
            raw.to(to).cc(cc).bcc(bcc);
            return new MimeAssembler().assemble(raw);
        }
        MessageSpec spec = new MessageSpec().from(sender).to(to).cc(cc).bcc(bcc);
        spec.subject(subject != null ? subject : "test " + java.time.ZonedDateTime.now()
                .format(java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME));
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new UsageError(this.spec, "--header '" + h + "': write 'Name: value'");
            }
            spec.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        String text = body == null && html == null ? "This is a test mailing from postilion." : read(body, "--body");
        if (text != null) {
            spec.text(text);
        }
        if (html != null) {
            spec.html(read(html, "--html"));
        }
        for (Path a : attach) {
            spec.attach(a);
        }
        for (String i : inline) {
            int eq = i.indexOf('=');
            if (eq <= 0) {
                throw new UsageError(this.spec, "--inline '" + i + "': write CID=FILE");
            }
            spec.inline(Path.of(i.substring(eq + 1)), i.substring(0, eq));
        }
        return new MimeAssembler().assemble(spec);
    }

    private String read(String value, String option) throws UsageProblem {
        if (value == null) {
            return null;
        }
        try {
            if (value.equals("-")) {
                return InputFile.text(readStdin(), "standard input");
            }
            if (value.startsWith("@@")) {
                // @@ escapes a text that really starts with @: --body @@home is the text "@home".
                return value.substring(1);
            }
            if (value.startsWith("@")) {
                return InputFile.readText(Path.of(value.substring(1)), TEXT_CAP);
            }
        } catch (InputFile.Refused e) {
            throw new UsageProblem(refusal(e.reason()), option + " " + value + ": " + e.getMessage());
        }
        return value;
    }

    private byte[] readStdin() throws UsageProblem {
        try {
            return InputFile.readAll(io.in(), "standard input", TEXT_CAP);
        } catch (InputFile.Refused e) {
            throw new UsageProblem(e.reason() == InputFile.Reason.UNREADABLE ? ExitCode.IOERR : refusal(e.reason()),
                    e.getMessage());
        }
    }

    /** The exit code for an input that cannot be used: too large or not text is bad data, the rest no input. */
    private static ExitCode refusal(InputFile.Reason reason) {
        return reason == InputFile.Reason.TOO_LARGE || reason == InputFile.Reason.NOT_UTF8
                ? ExitCode.DATAERR : ExitCode.NOINPUT;
    }

    /** A bad option value, with its exit code. */
    static final class UsageProblem extends Exception {
        final ExitCode code;

        UsageProblem(ExitCode code, String message) {
            super(message);
            this.code = code;
        }
    }
}
