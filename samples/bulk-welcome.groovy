// A personalised welcome to everyone in people.csv: four connections at once, a rate limit, a
// journal so that a killed run can be resumed without sending anything twice, and a report.
//
//     scripts/postilion run samples/bulk-welcome.groovy --journal welcome.journal --report welcome.jsonl
//     # killed, or some recipients deferred (exit 75)? the same line with --resume sends only what is left:
//     scripts/postilion run samples/bulk-welcome.groovy --journal welcome.journal --report welcome.jsonl --resume
//
// Exchange Online takes 30 messages a minute per mailbox: say rate: '30/min' (or --rate 30/min).
//
// Try it locally:  scripts/postilion run --local samples/bulk-welcome.groovy

connect 'smtp.example.com', port: 587, tls: 'starttls'   // the batch's own connections are made like this one
ehlo
auth login: 'news@example.com', password: secret('news')

batch(csv('people.csv', delimiter: ';'), concurrency: 4, rate: '10/s') { row ->
    if (row.newsletter == 'no') return                   // no send { }: the row is skipped
    send {
        from 'Example News <news@example.com>'
        to row.email
        subject "Welcome, ${row.name}"
        text template('welcome.txt', row)
    }
}
quit
