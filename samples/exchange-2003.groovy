// The classic "test Exchange with telnet" session, as a Postilion script.
//
// The old way: `telnet mail.exchguy.com 25`, type EHLO, AUTH LOGIN, paste a username and
// password you base64-encoded on some website, MAIL FROM, RCPT TO, DATA, a line, a dot.
// Here every reply is checked for you, base64 is done for you, the password never shows,
// and a failure names the line below that failed and exits with a code cron understands.
//
// Try it with no mail server at all (an embedded capture server stands in):
//     scripts/postilion run --local samples/exchange-2003.groovy
// Against a real server, keep the password in a profile: samples/profiles.yaml has an 'exchguy'
// one that reads it from $EXCHGUY_PASSWORD:
//     scripts/postilion run samples/exchange-2003.groovy --profiles samples/profiles.yaml --profile exchguy

// 220 = "service ready": the server greets us ("220 ALAN.CP.com Microsoft ESMTP MAIL Service ...").
// Exchange 2003 offered no TLS; today you would add tls: 'starttls' (and port: 587).
connect 'mail.exchguy.com', port: 25, tls: 'starttls-if-offered'

// EHLO introduces us; the 250 reply lists what the server can do (AUTH LOGIN, SIZE, PIPELINING...).
// With tls: 'starttls-if-offered', STARTTLS and a second EHLO follow here when the server offers it.
ehlo 'client.exchguy.com'

// AUTH LOGIN: the server asks "334 VXNlcm5hbWU6" (base64 for "Username:") and
// "334 UGFzc3dvcmQ6" ("Password:"); Postilion answers each in base64 for you.
// 235 = authenticated. The password comes from the 'exchguy' profile; it prints as ********.
// Over plain text to a remote host AUTH is refused unless you add allowCleartextAuth: true
// to connect (the 2003 tutorial's way, and the reason passwords leaked).
auth login: 'guyt', password: secret('exchguy')

// 250 = sender OK ("250 2.1.0 guyt@exchguy.com....Sender OK").
mail from: 'guyt@exchguy.com'

// 250 = recipient OK. A 550 here would stop the script at this line, exit code 69.
rcpt to: 'administrator@cp.com'

// DATA: 354 = "start mail input; end with <CRLF>.<CRLF>". Postilion writes the headers,
// the body, and the lone dot; a line that starts with a dot is doubled for you.
// 250 = "Queued mail for delivery": the server has taken responsibility for the message.
data {
    subject 'Cheque'
    text 'Please send cheque soonest'
}

// 221 = closing the channel. (A bare `quit` works: no parentheses needed.)
quit
