package dev.postilion.smtp;

/** The server broke the protocol: a malformed, over-long or truncated reply. */
public class SmtpProtocolException extends SmtpException {

    public SmtpProtocolException(SmtpStage stage, String command, String server, String problem) {
        super(Kind.PROTOCOL, stage, command, null, server,
                (command == null ? stage.label() : command) + " failed: malformed reply\n    "
                        + server + " broke the protocol: " + problem, null);
    }
}
