// A bulk send from a CSV file: one personalised message per row, over a pool of connections,
// polite (rate limit, retries with backoff), and resumable: the journal records every message,
// so a run killed half-way and started again with --resume sends nothing twice.
//
//     scripts/postilion run --local samples/bulk-send.groovy
//     scripts/postilion run --profile newsletter samples/bulk-send.groovy \
//         --journal autumn.journal --report autumn-report.jsonl
//     # killed? the same command plus --resume carries on where it stopped
//
// Exit codes: 0 all sent; 75 some deferred (4xx after retries: run again with --resume later);
// 69 some failed (5xx) and none deferred; 77 AUTH refused (stops at once).

connect 'smtp.example.com', port: 587, tls: 'starttls'
ehlo
auth login: 'newsletter@example.com', password: secret('newsletter')

// people.csv has a header line: email,name,city. Rows without a valid email are reported with
// their row number and skipped (the run then exits 65 once the rest is sent). Command-line options (--concurrency, --rate, ...) override these.
batch(csv('people.csv'), concurrency: 4, rate: '600/min', retries: 3) { row ->
    send {
        from 'Example News <newsletter@example.com>'
        to row.email
        subject "Hello ${row.name}, autumn news from ${row.city}"
        text template('welcome.txt', row)
    }
}
quit
