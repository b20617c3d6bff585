// Mail a report file to a list, for cron: silent on success, meaningful exit codes.
//
//     # crontab: every Monday 07:00; cron mails you only when this fails
//     0 7 * * 1  /opt/postilion/scripts/postilion run -q --profile reports \
//                    /opt/postilion/samples/cron-report.groovy --var report=/var/reports/weekly.csv
//
// Exit codes: 0 sent; 75 temporary (4xx, timeout, server down: the next run will try again);
// 69 permanent (5xx); 77 authentication failed; 78 profile or TLS configuration; 66 report missing.
//
// Try it locally:  scripts/postilion run --local samples/cron-report.groovy

def reportPath = binding.hasVariable('report') ? report : 'weekly-report.csv'
def recipients = (binding.hasVariable('to') ? to : 'ops@example.com,finance@example.com').split(',')*.trim()

connect 'smtp.example.com', port: 587, tls: 'starttls'   // TLS required: never falls back to plain text
ehlo
auth login: 'reports@example.com', password: secret('reports')

send {
    from 'Reports <reports@example.com>'
    to recipients
    subject "Weekly report ${java.time.LocalDate.now()}"
    text """Hello,

the weekly report is attached (${new File(file(reportPath).path).name}).

-- 
sent by postilion from cron"""
    attach file(reportPath)
}
quit
