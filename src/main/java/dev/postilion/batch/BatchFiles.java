package dev.postilion.batch;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files a batch run writes, checked before any is opened. The journal: {@code --resume} needs
 * one, a new batch must not start on one. The outputs (journal, report, transcript, outbox): no two
 * may be the same file (compared as absolute paths with symbolic links resolved, and as the same
 * file on disk where both exist), and none but the journal may be an existing batch journal. A
 * transcript or report written over the journal would destroy the record of what was sent.
 */
public final class BatchFiles {

    private BatchFiles() {
    }

    /**
     * What is wrong with using {@code journal} so, or null: {@code resume} with no journal there
     * (unless {@code create}), or a new batch on a journal that exists. Messages name the absolute path.
     */
    public static String journalProblem(Path journal, boolean resume, boolean create) {
        Path shown = Journal.shown(journal);
        boolean exists;
        try {
            exists = Files.exists(journal) && Files.size(journal) > 0;
        } catch (IOException e) {
            exists = true;
        }
        if (resume && !exists && !create) {
            return noJournal(shown);
        }
        if (!resume && exists) {
            return exists(shown);
        }
        return null;
    }

    static String noJournal(Path shown) {
        return "no journal at " + shown + "; nothing was sent\n    run without --resume to start a batch, or pass"
                + " --new-journal (batch option create: true) to start one when none exists; a relative --journal is"
                + " found from the working folder";
    }

    static String exists(Path shown) {
        return "journal " + shown + " already exists; nothing was sent\n    add --resume (resume: true) to continue"
                + " that batch, or choose another journal for a new one";
    }

    /** What is wrong with a batch's outputs (its journal, its report, and {@code others} by option name), or null. */
    static String clash(BatchOptions options, Map<String, Path> others) {
        Map<String, Path> all = new java.util.LinkedHashMap<>();
        if (options.journal() != null) {
            all.put("the journal", options.journal());
        }
        if (options.report() != null) {
            all.put("the report", options.report());
        }
        all.putAll(others);
        return clash(all);
    }

    /**
     * What is wrong with these outputs, or null when nothing is.
     *
     * @param files by what the user calls them ({@code "--transcript"}, {@code "the journal"}), in order;
     *              an entry named {@code "the journal"} or {@code "--journal"} is allowed to be a journal
     */
    public static String clash(Map<String, Path> files) {
        List<Map.Entry<String, Path>> list = new ArrayList<>();
        files.forEach((name, path) -> {
            if (path != null) {
                list.add(Map.entry(name, path));
            }
        });
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                if (same(list.get(i).getValue(), list.get(j).getValue())) {
                    return list.get(j).getKey() + " " + Journal.shown(list.get(j).getValue()) + " is the same file as "
                            + list.get(i).getKey() + "; each output needs its own file (writing one would destroy the"
                            + " other)";
                }
            }
        }
        for (Map.Entry<String, Path> e : list) {
            if (!isJournalName(e.getKey()) && isJournal(e.getValue())) {
                return e.getKey() + " " + Journal.shown(e.getValue()) + " is a batch journal; writing it would lose"
                        + " the record of what was sent: choose another file";
            }
        }
        return null;
    }

    private static boolean isJournalName(String name) {
        return name.equals("the journal") || name.equals("--journal");
    }

    /** True when both paths name one file: the same absolute path after symbolic links, or the same inode. */
    public static boolean same(Path a, Path b) {
        if (canonical(a).equals(canonical(b))) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The absolute, normalised path with every symbolic link in it resolved as far as the file system has it. */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            Path parent = abs.getParent();
            if (parent != null) {
                try {
                    return parent.toRealPath().resolve(abs.getFileName());
                } catch (IOException ignored) {
                    // The folder does not exist either: the absolute path is all there is to compare.
                }
            }
            return abs;
        }
    }

    /** True when {@code p} is a regular file whose first line is a Postilion batch journal's header. */
    public static boolean isJournal(Path p) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            char[] start = new char[200];
            int n = r.read(start);
            return n > 0 && new String(start, 0, n).replace(" ", "").startsWith("{\"journal\":\"" + Journal.FORMAT + "\"");
        } catch (IOException e) {
            return false;
        }
    }
}
