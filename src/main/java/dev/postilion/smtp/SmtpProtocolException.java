package dev.postilion.smtp;

/**
 * The server broke the protocol: a malformed, over-long or truncated reply, or a well-formed reply
 * out of step with the commands (one nobody asked for, or a class the command cannot get).
 */
public class SmtpProtocolException extends SmtpException {

    public SmtpProtocolException(SmtpStage stage, String command, String server, String problem) {
        super(Kind.PROTOCOL, stage, command, null, server,
                (command == null ? stage.label() : command) + " failed: malformed reply\n    "
                        + server + " broke the protocol: " + problem, null);
    }

    /** A well-formed {@code reply} that cannot be the answer it was read as; {@code problem} says why. */
    public SmtpProtocolException(SmtpStage stage, String command, String server, Reply reply, String problem) {
        super(Kind.PROTOCOL, stage, command, reply, server,
                (command == null ? stage.label() : command) + " failed: reply out of step\n" + quote(server, reply)
                        + "\n    " + server + " broke the protocol: " + problem, null);
    }
}
