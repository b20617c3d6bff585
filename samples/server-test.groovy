// Test a server's policy the way an administrator would by hand, but repeatably:
// relay denial, VRFY, NOOP, and several transactions in one session.
//
//     scripts/postilion run --local samples/server-test.groovy
//     scripts/postilion run samples/server-test.groovy --var host=mail.example.com
// Against --local the capture server accepts everything, so the relay check is skipped there
// (pass --var strict=true against a real server).

def target = binding.hasVariable('host') ? host : 'mail.example.com'
def strict = binding.hasVariable('strict') && strict == 'true'

connect target, port: 25, tls: 'starttls-if-offered'
ehlo 'qa.example.com'

// NOOP must always work: 250.
noop

// VRFY: 250/251/252 answer it (252 = "cannot verify, but will try"); many servers switch it
// off (502), which is a fine policy too.
expect([250, 251, 252, 502], { vrfy 'postmaster' })

// An open relay accepts mail from outside to outside. A correct server refuses the RCPT
// (550 or 554, e.g. "554 5.7.1 Relay access denied").
if (strict) {
    mail from: 'probe@outside.example'
    expect([550, 551, 553, 554], { rcpt to: 'victim@elsewhere.example' })
    rset
}

// Two transactions in one session: the server must accept both.
send {
    from 'qa@example.com'
    to 'postmaster@example.com'
    subject 'server-test 1/2'
    text 'first message of the session'
}
send {
    from 'qa@example.com'
    to 'postmaster@example.com'
    subject 'server-test 2/2'
    text 'second message of the same session'
}

// A raw command, with the reply checked by hand.
def r = raw 'NOOP'
assert r.code == 250
quit
