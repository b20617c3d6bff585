package dev.postilion.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.postilion.batch.JournalReview;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postilion journal show JOURNAL} and {@code postilion journal settle JOURNAL (--all | --row N
 * | --key K) --as sent|failed}: what a batch journal records, and the operator's decision for the
 * messages it lists in doubt.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Show a batch journal (in-doubt messages first), or settle its in-doubt messages.",
        subcommands = {JournalCommand.Show.class, JournalCommand.Settle.class})
public final class JournalCommand implements Callable<Integer> {

    private final Io io;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public JournalCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(io.err());
        return ExitCode.USAGE.code();
    }

    private int fail(IOException e) {
        io.err().println("postilion journal: " + e.getMessage());
        return ExitCode.of(e).code();
    }

    /** {@code journal show JOURNAL}. */
    @Command(name = "show", description = "What the journal records: messages in doubt first, then rows partly"
            + " done, then how many rows are done. Reads without locking (a running batch may go on).")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        JournalCommand parent;

        @Parameters(index = "0", paramLabel = "JOURNAL", description = "The batch journal.")
        Path journal;

        @Override
        public Integer call() {
            try {
                parent.io.out().print(JournalReview.show(journal).text());
                return ExitCode.OK.code();
            } catch (IOException e) {
                return parent.fail(e);
            }
        }
    }

    /** {@code journal settle JOURNAL (--all | --row N | --key K) --as sent|failed}. */
    @Command(name = "settle", description = {"Record your decision for in-doubt messages (the final dot went out, no"
            + " reply came): --as sent if they arrived, --as failed to give them up.",
        "Afterwards --resume has nothing left to list for them. To send them again instead (same Message-ID), run"
            + " the batch with --resume --resend-in-doubt."})
    static final class Settle implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        JournalCommand parent;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "JOURNAL", description = "The batch journal.")
        Path journal;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Option(names = "--as", required = true, paramLabel = "sent|failed", description = "The decision.")
        String as;

        static final class Which {
            @Option(names = "--all", description = "Every in-doubt message of the journal.")
            boolean all;

            @Option(names = "--row", paramLabel = "N", description = "The in-doubt message of row N (as journal show"
                    + " lists it).")
            Long row;

            @Option(names = "--key", paramLabel = "K", description = "The in-doubt message with key K (as journal show"
                    + " lists it).")
            String key;
        }

        @Override
        public Integer call() {
            if (!as.equals("sent") && !as.equals("failed")) {
                throw new UsageError(spec, "--as takes sent (they arrived) or failed (give them up), not '" + as + "'");
            }
            JournalReview.Selection selection = new JournalReview.Selection(which.all, which.row, which.key);
            try {
                List<JournalReview.Item> settled = JournalReview.settle(journal, selection, as.equals("sent"));
                Path shown = journal.toAbsolutePath().normalize();
                if (settled.isEmpty()) {
                    parent.io.err().println("postilion journal settle: nothing in doubt in " + selection + " of "
                            + shown + (which.all ? "" : " (postilion journal show " + shown + " lists what is)"));
                    return which.all ? ExitCode.OK.code() : ExitCode.DATAERR.code();
                }
                for (JournalReview.Item i : settled) {
                    parent.io.out().println("settled as " + as + ": row " + i.row() + (i.key() != null ? " key "
                            + i.key() : "") + " " + i.to());
                }
                parent.io.out().println(settled.size() + (settled.size() == 1 ? " recipient" : " recipients")
                        + " settled in " + shown + "; --resume no longer lists " + (settled.size() == 1 ? "it" : "them"));
                return ExitCode.OK.code();
            } catch (IOException e) {
                return parent.fail(e);
            }
        }
    }
}
