package org.upcert.harness.host.remote;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the local launchers share: where {@code setsid} is, the worker's class path. */
final class Launchers {
    static final String SETSID = "/usr/bin/setsid";

    private Launchers() {
    }

    static final String UNSHARE = "/usr/bin/unshare";

    /** Marks the folder of {@link #inReadOnlyNamespaces(Path, List)} that gets a bounded file system of its own. */
    private static final String SCRATCH_MARK = "tmpfs=";

    /** Marks the protocol-log folder of {@link #inReadOnlyNamespaces(Path, List, LogFolder)}: {@code log=HELD|SHOWN}. */
    private static final String LOG_MARK = "log=";
    /**
     * What one launch may write in its protocol-log folder ({@code UPCERT_PROTOCOL_LOG}, on a disk):
     * past it the namespace's init kills the launch (its watchdog measures it every half second).
     */
    static final long LOG_LAUNCH_BYTES = 256L << 20;
    /** What the init says on the extension's stderr when it ends a launch past {@link #LOG_LAUNCH_BYTES}. */
    static final String LOG_LIMIT_MESSAGE = "upcert: the protocol log passed " + (LOG_LAUNCH_BYTES >> 20) + " MiB in one launch: killed";

    /**
     * A protocol-log folder as a launch sees it: {@code shown} (the path the command was given) is
     * {@code held} inside its namespace, a folder of the launch's own, so no launch reads what an
     * earlier one wrote there and the init can measure what this one writes.
     */
    record LogFolder(Path shown, Path held) {
        LogFolder {
            if (shown.toString().contains("|") || held.toString().contains("|")) {
                throw new IllegalArgumentException("a protocol-log folder with '|' in its path: " + shown);
            }
        }
    }

    /** The size of an extension process's scratch folder where it gets a file system of its own (a mount namespace). */
    static final long SCRATCH_BYTES = 256L << 20;
    static final String PRLIMIT = "/usr/bin/prlimit";
    /**
     * The data segment of each extension process ({@code RLIMIT_DATA}: its heap, anonymous memory and
     * thread stacks, not the address space it only reserves): past it an allocation fails (Python
     * {@code MemoryError}, a JVM's native allocation), so a memory bomb ends the process, not the machine.
     */
    static final long DATA_BYTES = 2L << 30;
    /** The largest file an extension process may write ({@code RLIMIT_FSIZE}); beyond it the write fails ({@code EFBIG}). */
    static final long FILE_BYTES = 1L << 30;
    /**
     * Processes and threads of one launch ({@code RLIMIT_NPROC}, set only in a user namespace of its
     * own, where the kernel counts them per namespace). The kernel exempts a harness running as root.
     */
    static final int PROCESSES = 512;
    /** How often the init of a mount namespace counts its processes (seconds, for {@code sleep}). */
    static final String WATCHDOG_INTERVAL = "0.5";
    /** What the init says on the extension's stderr when it ends a launch past {@link #PROCESSES}. */
    static final String PROCESS_LIMIT_MESSAGE = "upcert: more than " + PROCESSES + " processes in one launch: killed";

    static final String SETPRIV = "/usr/bin/setpriv";
    /**
     * What runs the extension in its mount namespace without any capability (util-linux {@code
     * setpriv}): inside, it is root of its own user namespace, and with the capabilities that gives it
     * could remount every file system read-write again ({@code mount -o remount,bind,rw /}: a
     * command wrote a file outside its folders so before H35). Without them, and without gaining any
     * through a set-user-id program, it cannot.
     */
    static final List<String> WITHOUT_CAPABILITIES = List.of(SETPRIV, "--bounding-set", "-all", "--inh-caps", "-all",
            "--ambient-caps", "-all", "--no-new-privs", "--");

    /**
     * The names of upcert's environment an extension process inherits (besides what its launcher
     * sets: the channel, the scratch folders, the Python client's path): what finds and runs a
     * program (the path, the home folder, the locale, a Python or Java installation), never the rest.
     * upcert's environment is its user's or a CI job's, where tokens and passwords live
     * ({@code GITHUB_TOKEN}, {@code AWS_SECRET_ACCESS_KEY}): before H53 an extension read them all
     * and could write them into the reports (a log line is traced) that CI publishes. A device gives
     * an extension nothing of its developer's; a command that needs a variable names it on its command
     * line ({@code env NAME=VALUE cmd …}).
     */
    static final java.util.Set<String> INHERITED_ENVIRONMENT = java.util.Set.of("PATH", "HOME", "LANG", "LANGUAGE", "TZ",
            "LD_LIBRARY_PATH", "JAVA_HOME", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYENV_ROOT", "PYENV_VERSION",
            "UPCERT_PROTOCOL_LOG", "UPCERT_WORKER_PROFILE");

    /** Keeps of {@code environment} (a ProcessBuilder's, upcert's own) only {@link #INHERITED_ENVIRONMENT} and the locale's {@code LC_*}. */
    static void keepInheritedOnly(java.util.Map<String, String> environment) {
        environment.keySet().removeIf(name -> !INHERITED_ENVIRONMENT.contains(name) && !name.startsWith("LC_"));
    }

    /** Set to {@code false} to start extension processes without a PID namespace (to compare, or to debug). */
    static final String PID_NAMESPACE_PROPERTY = "upcert.pidNamespace";

    private static volatile Boolean pidNamespace;
    private static volatile Boolean readOnlyFileSystem;

    /** Whether processes can be started as session leaders, so a kill reaches their whole group. */
    static boolean canSetsid() {
        return Files.isExecutable(Path.of(SETSID));
    }

    /**
     * Whether extension processes can get namespaces of their own (an unprivileged user namespace,
     * {@code unshare --user --pid --net --ipc}): inside a PID namespace a process sees and can
     * signal only the processes of its own launch, never upcert, its other workers or anything else
     * of the user, and whatever it leaves behind dies with the namespace; in a network namespace it
     * has only a loopback of its own (down), so it reaches neither the cloud stubs nor anything else
     * except through the protocol's Unix-domain socket ({@code http()}). Linux kernels allow it by default;
     * some distributions switch unprivileged user namespaces off, and then upcert starts extension
     * processes as before (a session of their own) and says so in docs/isolation.md. Probed once
     * per JVM by starting {@code true} that way, within a bound.
     */
    static boolean pidNamespace() {
        Boolean known = pidNamespace;
        if (known == null) {
            known = !"false".equals(System.getProperty(PID_NAMESPACE_PROPERTY)) && probePidNamespace();
            pidNamespace = known;
        }
        return known;
    }

    private static boolean probePidNamespace() {
        return Files.isExecutable(Path.of(UNSHARE)) && probe(inPidNamespace());
    }

    /**
     * Whether a command can also get a mount namespace in which every file system is read-only but
     * the folders it is given ({@link #inReadOnlyNamespaces}); probed once per JVM, like {@link
     * #pidNamespace()}, on which it depends.
     */
    static boolean readOnlyFileSystem() {
        Boolean known = readOnlyFileSystem;
        if (known == null) {
            // without setpriv the read-only view could be undone from inside: not offered
            known = pidNamespace() && Files.isExecutable(Path.of(SETPRIV)) && probeReadOnly();
            readOnlyFileSystem = known;
        }
        return known;
    }

    private static boolean probeReadOnly() {
        Path writable = null;
        try {
            writable = Files.createTempDirectory("upcert-probe-");
            return probe(inReadOnlyNamespaces(writable, List.of()));
        } catch (IOException e) {
            return false;
        } finally {
            if (writable != null) {
                try {
                    Files.deleteIfExists(writable);
                } catch (IOException e) {
                    // a probe folder left in the temporary folder: harmless
                }
            }
        }
    }

    /**
     * How long a probe may take before upcert decides the namespaces are not there. A kernel that
     * refuses them answers at once (unshare exits non-zero); only a slow machine comes near it. Before
     * H53 it was 5 s, and the read-only probe (a shell that remounts each of the machine's 21 mounts)
     * took 6.8-10.6 s at a load of 33-44 on the shared 2-core machine: the whole certification then ran
     * every extension without its mount namespace (its file systems writable, the machine's /proc
     * visible), said nowhere.
     */
    static final java.time.Duration PROBE_BOUND = java.time.Duration.ofSeconds(120);

    /** Runs {@code prefix /bin/true} within {@link #PROBE_BOUND}: whether it worked. */
    static boolean probe(List<String> prefix) {
        try {
            List<String> command = new ArrayList<>(prefix);
            command.add("/bin/true");
            Process probe = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(PROBE_BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The prefix that runs a command in user, PID, network and IPC namespaces of its own. The first process of
     * a PID namespace is its init, which the kernel shields from signals sent inside it and whose
     * end kills the whole namespace; so a small shell is the init and the extension runs as its
     * child (a normal process: a crash by signal reads as one, exit statuses pass through, and it
     * cannot kill its init to escape). {@code --kill-child}: when upcert kills {@code unshare},
     * the namespace goes with it.
     */
    static List<String> inPidNamespace() {
        return List.of(UNSHARE, "--user", "--pid", "--net", "--ipc", "--fork", "--kill-child", "/bin/sh", "-c", "\"$@\" & wait $!", "upcert-init");
    }

    /**
     * The init of {@link #inReadOnlyNamespaces}: it keeps each folder before {@code --} writable
     * (a bind mount of its own), remounts every other mount read-only (but its fresh {@code /proc}
     * and {@code /sys}), then runs the command after {@code --} as its child, as {@link
     * #inPidNamespace()} does. A mount that cannot be made read-only is said on stderr (the
     * extension's output) and the launch goes on; a folder that cannot be kept writable ends it.
     */
    private static final String READ_ONLY_INIT = String.join("\n",
            "keep='|/proc|'; log=",
            "while [ \"$1\" != -- ]; do",
            "  case \"$1\" in",
            "    " + SCRATCH_MARK + "*) dir=${1#" + SCRATCH_MARK + "}",
            "      mount -t tmpfs -o size=" + SCRATCH_BYTES + ",mode=0700 upcert-scratch \"$dir\" \\",
            "        || { echo \"upcert: cannot give $dir a bounded file system\" >&2; exit 125; };;",
            "    " + LOG_MARK + "*) held=${1#" + LOG_MARK + "}; dir=${held#*|}; held=${held%%|*}; log=$dir",
            "      mount --bind \"$held\" \"$dir\" || { echo \"upcert: cannot give $dir a folder of the launch's own\" >&2; exit 125; };;",
            "    *) dir=$1",
            "      mount --bind \"$dir\" \"$dir\" || { echo \"upcert: cannot keep $dir writable\" >&2; exit 125; };;",
            "  esac",
            "  keep=\"$keep$dir|\"; shift",
            "done",
            "shift",
            "cd \"$PWD\"",
            "while read -r _ _ _ _ point _; do",
            "  point=$(printf '%b' \"$point\")",
            "  case \"$keep\" in *\"|$point|\"*) continue;; esac",
            "  case \"$point\" in /proc/*|/sys|/sys/*) continue;; esac",
            "  mount -o remount,bind,ro \"$point\" 2>/dev/null || echo \"upcert: $point stays writable\" >&2",
            "done < /proc/self/mountinfo",
            // "$@" begins with setpriv (WITHOUT_CAPABILITIES): the init keeps its capabilities, the extension has none.
            "\"$@\" & child=$!",
            // The process watchdog: the kernel exempts root from RLIMIT_NPROC, so the init counts the
            // namespace's processes itself (its own /proc, a glob: no fork but the sleep) and kills the
            // extension past the bound; the namespace and everything in it end with the init.
            "( while sleep " + WATCHDOG_INTERVAL + "; do set -- /proc/[0-9]*; if [ $# -gt " + PROCESSES + " ]; then",
            "  echo \"" + PROCESS_LIMIT_MESSAGE + "\" >&2; kill -9 $child; exit; fi;",
            // and the launch's protocol-log folder, on a disk: du is a fork, only where a log is asked for
            "  if [ -n \"$log\" ]; then set -- $(du -sk \"$log\" 2>/dev/null); if [ \"${1:-0}\" -gt " + (LOG_LAUNCH_BYTES >> 10) + " ]; then",
            "  echo \"" + LOG_LIMIT_MESSAGE + "\" >&2; kill -9 $child; exit; fi; fi; done ) &",
            "wait $child");

    /**
     * The prefix that runs a command as {@link #inPidNamespace()} does, and also in a mount
     * namespace of its own where every file system is read-only but {@code writable} (and a
     * {@code /proc} of its own that shows only its processes). A command has no security manager to
     * refuse it files, so this is how its files are kept to its own folders: on a device an
     * extension writes only its container and app group, which upcert gives it through the
     * protocol. Inside, the command runs as root of its user namespace, which is nobody outside.
     */
    static List<String> inReadOnlyNamespaces(List<Path> writable) {
        return inReadOnlyNamespaces(null, writable);
    }

    /**
     * As {@link #inReadOnlyNamespaces(List)}, and {@code scratch} (when not null) becomes a file system
     * of its own in memory, at most {@link #SCRATCH_BYTES}: a process that fills its scratch folder
     * meets a full disk ({@code ENOSPC}) there, not the machine's, and what it wrote goes with the
     * namespace.
     */
    static List<String> inReadOnlyNamespaces(Path scratch, List<Path> writable) {
        return inReadOnlyNamespaces(scratch, writable, null);
    }

    /** As {@link #inReadOnlyNamespaces(Path, List)}, with a protocol-log folder of the launch's own (or null). */
    static List<String> inReadOnlyNamespaces(Path scratch, List<Path> writable, LogFolder log) {
        List<String> command = new ArrayList<>(List.of(UNSHARE, "--user", "--map-root-user", "--mount", "--mount-proc", "--pid",
                "--net", "--ipc", "--fork", "--kill-child", "/bin/sh", "-c", READ_ONLY_INIT, "upcert-init"));
        if (scratch != null) {
            command.add(SCRATCH_MARK + scratch.toAbsolutePath());
        }
        if (log != null) {
            command.add(LOG_MARK + log.held().toAbsolutePath() + "|" + log.shown().toAbsolutePath());
        }
        for (Path path : writable) {
            command.add(path.toAbsolutePath().toString());
        }
        command.add("--");
        command.addAll(WITHOUT_CAPABILITIES);
        return command;
    }

    /**
     * The prefix that starts a command under the resource limits above ({@code prlimit}, util-linux,
     * as {@code unshare}); empty without {@code prlimit}. {@code perLaunch}: the command runs in a
     * user namespace of its own, where the process limit counts only its processes (outside one it
     * would count every process of the user).
     */
    static List<String> limits(boolean perLaunch) {
        if (!Files.isExecutable(Path.of(PRLIMIT))) {
            return List.of();
        }
        List<String> prefix = new ArrayList<>(List.of(PRLIMIT, "--data=" + DATA_BYTES, "--fsize=" + FILE_BYTES));
        if (perLaunch) {
            prefix.add("--nproc=" + PROCESSES);
        }
        prefix.add("--");
        return prefix;
    }

    /** The JVM running the harness: workers use the same one. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The worker's class path: the jars (or class folders) holding the protocol, the API and
     * Jackson, found where this JVM loaded them from. In the {@code upcert} jar they are one jar.
     */
    static String workerClassPath() {
        java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
        for (Class<?> type : new Class<?>[] {org.upcert.protocol.worker.WorkerMain.class, org.upcert.api.UploadExtension.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonParser.class,
                com.fasterxml.jackson.annotation.JsonAutoDetect.class}) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("cannot locate the worker's class path entry of " + type.getName(), e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
