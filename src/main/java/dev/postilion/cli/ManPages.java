package dev.postilion.cli;

import java.io.File;
import java.io.IOException;

import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the man pages' AsciiDoc (postilion.adoc, postilion-run.adoc, ...) from the very command line
 * that {@code --help} prints, exit codes included. Run by the build only (picocli-codegen is a
 * provided dependency, absent from target/lib); Asciidoctor then turns the files into troff.
 */
public final class ManPages {

    private ManPages() {
    }

    /** {@code ManPages OUTDIR}: one AsciiDoc file per command and subcommand, written into OUTDIR. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManPages OUTDIR");
        }
        CommandLine.Model.CommandSpec root = Main.commandLine(Io.system()).getCommandSpec();
        int code = ManPageGenerator.generateManPage(new File(args[0]), null, new boolean[0], false, root);
        if (code != 0) {
            throw new IllegalStateException("picocli's ManPageGenerator failed with exit code " + code);
        }
    }
}
