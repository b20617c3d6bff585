package dev.postilion.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import dev.postilion.message.MessageSpec;

/**
 * Where a run starts from: its journal opened (or, for a dry run of a resume, only read), the batch
 * id, what earlier runs did, whether rows go by key or by number, and, on a resume, whether the
 * source is still the list the journal records.
 */
final class JournalStart {

    /**
     * What the run starts from.
     *
     * @param journal the open journal, or null (none, or a dry run)
     * @param refusal why nothing may be sent (the source is another list), or null
     */
    record Start(Journal journal, ResumeState resume, String batchId, boolean byRowNumber, String refusal) {
    }

    private final RowSource source;
    private final Function<Row, MessageSpec> builder;
    private final BatchOptions options;
    private final String keyName;
    private final Function<Row, Object> keyFunction;
    private final boolean acceptSourceChange;
    private final boolean createJournal;
    private final Journal.Opener journalFiles;
    private final Map<String, Object> about;

    JournalStart(RowSource source, Function<Row, MessageSpec> builder, BatchOptions options, String keyName,
                 Function<Row, Object> keyFunction, boolean acceptSourceChange, boolean createJournal,
                 Journal.Opener journalFiles, Map<String, Object> about) {
        this.source = source;
        this.builder = builder;
        this.options = options;
        this.keyName = keyName;
        this.keyFunction = keyFunction;
        this.acceptSourceChange = acceptSourceChange;
        this.createJournal = createJournal;
        this.journalFiles = journalFiles;
        this.about = about;
    }

    /** Opens the journal (when there is one) and reads what earlier runs did. */
    Start open() throws IOException {
        Journal journal = null;
        ResumeState resume = new ResumeState();
        String batchId;
        boolean byRowNumber = false;
        String refusal = null;
        if (options.journal() != null && !options.dryRun()) {
            journal = Journal.open(options.journal(), new Journal.Request(options.resume(), createJournal,
                    options.shard(), source.describe(), options.fsync(), journalFiles, keyName, acceptSourceChange,
                    facts()));
            journal.warnings().forEach(options.log());
            resume = journal.state();
            batchId = journal.batchId();
            byRowNumber = !journal.keyed();
            if (!byRowNumber && options.resume() && resume.knownCount() > 0) {
                refusal = compareSource(journal, resume);
            }
            if (resume.completeCount() > 0 || !resume.inDoubtRows().isEmpty()) {
                options.log().accept("journal " + journal.path() + ": " + resume.completeCount()
                        + " rows done before" + (resume.inDoubtRows().isEmpty() ? ""
                        : ", " + resume.inDoubtRows().size() + " with messages in doubt"
                        + (options.resendInDoubt() ? " (sent again with the same Message-ID)" : " (listed, not resent)")));
            }
        } else if (options.journal() != null && options.resume() && Files.isRegularFile(options.journal())) {
            // A dry run of a resume reads the journal (no lock, nothing written) to say what a resume would do.
            Journal.Peek peek = Journal.peek(options.journal(), options.shard(), source.describe(), keyName);
            resume = peek.state();
            batchId = peek.batchId();
            byRowNumber = !peek.keyed();
            options.log().accept("--dry-run: journal " + peek.path() + " read only: " + resume.completeCount()
                    + " rows done before, " + resume.inDoubtRows().size() + " with messages in doubt");
        } else {
            batchId = Long.toHexString(System.currentTimeMillis()) + Long.toHexString(System.nanoTime() & 0xffff);
        }
        return new Start(journal, resume, batchId, byRowNumber, refusal);
    }

    /** What a new journal's header records of the source and the script. */
    private Map<String, Object> facts() {
        Map<String, Object> f = new LinkedHashMap<>();
        Path file = source.file();
        if (file != null) {
            f.put("sourceFile", Journal.shown(file).toString());
            try {
                f.put("sourceSize", Files.size(file));
                try (java.io.BufferedReader r = Files.newBufferedReader(file)) {
                    String first = r.readLine();
                    if (first != null && source instanceof CsvSource) {
                        f.put("sourceHeader", first.length() > 500 ? first.substring(0, 500) : first);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // The run proper reads the source and says what is wrong with it.
            }
        }
        f.putAll(about);
        return f;
    }

    /**
     * On a resume, before anything is sent: reads the source once to see how many of the keys the
     * journal names it still holds, and refuses the run (exit 65) when fewer than half are there: a
     * different list under the same name, most likely. The read stops as soon as half are found.
     * A source that can be read only once is not compared.
     */
    private String compareSource(Journal journal, ResumeState resume) {
        if (acceptSourceChange || source instanceof IterableSource i && i.once()) {
            return null;
        }
        long known = resume.knownCount();
        long matched = 0;
        long read = 0;
        try (RowReader r = source.open()) {
            Row row;
            while (matched * 2 < known && (row = r.next()) != null) {
                read++;
                if (row.problem() != null) {
                    continue;
                }
                Long key;
                try {
                    if (keyFunction != null) {
                        key = RowKey.ofValue(keyFunction.apply(row));
                    } else {
                        MessageSpec spec = builder.apply(row);
                        key = spec == null ? null : RowMessages.recipientsKey(spec);
                    }
                } catch (RuntimeException e) {
                    continue;  // an invalid row: the run proper reports it
                }
                if (key != null && resume.match(key)) {
                    matched++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The run proper reads the source again and reports what is wrong with it.
        } finally {
            resume.forgetMatches();
        }
        if (matched * 2 < known) {
            Map<String, Object> h = journal.header();
            Object size = h.get("sourceSize");
            Object head = h.get("sourceHeader");
            return "journal " + journal.path() + " names " + known + " recipients of "
                    + h.getOrDefault("source", source.describe())
                    + (size != null ? " (" + size + " bytes" + (head != null ? ", header " + head : "") + ", "
                    + h.getOrDefault("created", "") + ")" : "")
                    + ", but " + describeSource() + " holds only " + matched + " of them in " + read + " rows:"
                    + " fewer than half, so it looks like another list under the same name; nothing was sent"
                    + "\n    if the list was edited on purpose, run again with --resume --source-changed=accept (rows"
                    + " are matched by key: nobody the journal lists is sent twice); for a new list, start a new"
                    + " journal (another --journal, without --resume)";
        }
        return null;
    }

    private String describeSource() {
        Path file = source.file();
        return file == null ? source.describe() : Journal.shown(file).toString();
    }
}
