package dev.postilion.dsl;

/**
 * A block whose delegate refuses every SMTP verb: {@code data { }}, {@code send { }} and a batch's
 * block. With {@link groovy.lang.Closure#DELEGATE_FIRST} a word the delegate lacks resolves on the
 * owner, the script, so without these methods a {@code quit} inside {@code data { }} would really
 * send QUIT in the middle of the transaction. Each verb, called or written bare ({@code quit}),
 * stops the script as the author's mistake (exit 65) before any byte is sent; a bare word that is
 * a variable of the script ({@code --var mail=...}) stays that variable, as outside the block.
 */
public abstract class VerbRefusingBlock {

    VerbRefusingBlock() {
    }

    /** Stops the script: {@code verb} is not allowed in this block. */
    abstract Object refuse(String verb);

    /** The script's variables ({@code --var}, assignments without {@code def}). */
    abstract groovy.lang.Binding binding();

    /** A bare word: the script's variable of that name, else the refused verb. */
    private Object bare(String verb) {
        groovy.lang.Binding b = binding();
        return b.hasVariable(verb) ? b.getVariable(verb) : refuse(verb);
    }

    /** Refused here. */
    public Object connect(Object... args) {
        return refuse("connect");
    }

    /** Refused here. */
    public Object ehlo(Object... args) {
        return refuse("ehlo");
    }

    /** Refused here. */
    public Object helo(Object... args) {
        return refuse("helo");
    }

    /** Refused here. */
    public Object starttls(Object... args) {
        return refuse("starttls");
    }

    /** Refused here. */
    public Object auth(Object... args) {
        return refuse("auth");
    }

    /** Refused here. */
    public Object mail(Object... args) {
        return refuse("mail");
    }

    /** Refused here. */
    public Object rcpt(Object... args) {
        return refuse("rcpt");
    }

    /** Refused here. */
    public Object data(Object... args) {
        return refuse("data");
    }

    /** Refused here. */
    public Object rset(Object... args) {
        return refuse("rset");
    }

    /** Refused here. */
    public Object noop(Object... args) {
        return refuse("noop");
    }

    /** Refused here. */
    public Object vrfy(Object... args) {
        return refuse("vrfy");
    }

    /** Refused here. */
    public Object raw(Object... args) {
        return refuse("raw");
    }

    /** Refused here. */
    public Object quit(Object... args) {
        return refuse("quit");
    }

    /** Refused here. */
    public Object expect(Object... args) {
        return refuse("expect");
    }

    /** Refused here. */
    public Object batch(Object... args) {
        return refuse("batch");
    }

    /** {@code quit} as a bare word: refused here. */
    public Object getQuit() {
        return bare("quit");
    }

    /** {@code connect} as a bare word: refused here. */
    public Object getConnect() {
        return bare("connect");
    }

    /** {@code ehlo} as a bare word: refused here. */
    public Object getEhlo() {
        return bare("ehlo");
    }

    /** {@code helo} as a bare word: refused here. */
    public Object getHelo() {
        return bare("helo");
    }

    /** {@code starttls} as a bare word: refused here. */
    public Object getStarttls() {
        return bare("starttls");
    }

    /** {@code auth} as a bare word: refused here. */
    public Object getAuth() {
        return bare("auth");
    }

    /** {@code mail} as a bare word: refused here. */
    public Object getMail() {
        return bare("mail");
    }

    /** {@code rset} as a bare word: refused here. */
    public Object getRset() {
        return bare("rset");
    }

    /** {@code noop} as a bare word: refused here. */
    public Object getNoop() {
        return bare("noop");
    }
}
