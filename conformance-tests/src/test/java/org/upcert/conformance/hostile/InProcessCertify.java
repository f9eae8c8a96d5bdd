package org.upcert.conformance.hostile;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/** One cheap certify of a hostile extension class: in process, baseline seed 1, RES-04 and E2E-01 only. */
final class InProcessCertify {
    /** upcert's exit code, what it printed on stdout and on stderr. */
    record Outcome(int code, String stdout, String stderr) {
    }

    private InProcessCertify() {
    }

    static Outcome certify(Class<?> extension, Path out) {
        StringWriter printed = new StringWriter();
        StringWriter errors = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(printed, true));
        cli.setErr(new PrintWriter(errors, true));
        int code = cli.execute("certify", "--extension-class", extension.getName(), "--isolation", "in-process",
                "--profiles", "baseline", "--seed", "1", "--rules", "RES-04,E2E-01", "--out", out.toString(), "--quiet");
        return new Outcome(code, printed.toString(), errors.toString());
    }
}
