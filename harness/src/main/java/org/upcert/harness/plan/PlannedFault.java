package org.upcert.harness.plan;

/**
 * One concrete fault of an expanded plan. The fault engine expands a profile's schedules into
 * these; the simulator only executes them. Two shapes:
 *
 * <ul>
 *   <li>{@link Pinned}: process faults pinned to (activation, API call) — the n-th call an
 *       extension makes is the same on every replay, a wall-clock moment is not;
 *   <li>{@link Timed}: faults at a virtual time or over a window {@code [from, until)}. Windowed
 *       faults with a {@code probability} decide per operation (transfer, request) inside the
 *       window from a random stream of their own, derived from the run's seed and the fault's
 *       position in the plan: the plan plus the seed reproduce every decision.
 * </ul>
 *
 * Kinds are named {@code category.name}, as profiles and traces spell them.
 */
public sealed interface PlannedFault {

    /** The fault kind, e.g. {@code network.offline}. */
    String kind();

    /** A fault pinned to an activation (1-based) and an API call within it (1-based). */
    sealed interface Pinned extends PlannedFault {
        int activation();
    }

    /** A fault at a virtual time, possibly lasting until {@link #until()}. */
    sealed interface Timed extends PlannedFault {
        /** Virtual ms at which the fault starts. */
        long from();

        /** Virtual ms at which it ends; equal to {@link #from()} for instantaneous faults. */
        long until();
    }

    // --- process ---------------------------------------------------------------------------

    /** Killed without notice at the start of API call {@code atCall}; if the call returns first, right after it. */
    record HardKill(int activation, int atCall) implements Pinned {
        public HardKill {
            requirePositive(activation, atCall);
        }

        @Override
        public String kind() {
            return "process.kill";
        }
    }

    /** {@code willTerminate()} before API call {@code atCall}; the grace period runs from there. */
    record TerminationNotice(int activation, int atCall) implements Pinned {
        public TerminationNotice {
            requirePositive(activation, atCall);
        }

        @Override
        public String kind() {
            return "process.notice";
        }
    }

    /**
     * Killed inside the {@code block}-th {@code performChanges} of the activation: before its commit
     * (nothing of the block happens) or after it (the commit survives, as measured on devices: "a
     * commit already sent survives its process's death").
     */
    record KillInChanges(int activation, int block, boolean afterCommit) implements Pinned {
        public KillInChanges {
            requirePositive(activation, block);
        }

        @Override
        public String kind() {
            return "process.kill-in-changes";
        }
    }

    // --- jobs ------------------------------------------------------------------------------

    /**
     * The job limit dips to {@code limit} just before API call {@code atCall} and stays there until
     * the activation ends (the numeric limit is undocumented and may vary, reference §8): a block
     * the extension sized from an earlier {@code jobLimit()} may now meet LIMIT_EXCEEDED.
     */
    record JobLimitDip(int activation, int atCall, int limit) implements Pinned {
        public JobLimitDip {
            requirePositive(activation, atCall);
            if (limit < 1) {
                throw new IllegalArgumentException("a job limit is at least 1: " + limit);
            }
        }

        @Override
        public String kind() {
            return "jobs.limit";
        }
    }

    /**
     * The job limit dips to {@code limit} at the commit of the {@code block}-th {@code performChanges}
     * block of the activation that creates a job, and stays there until the activation ends: the
     * limit changed between the extension's {@code jobLimit()} and its commit (the numeric limit is
     * undocumented and may vary, reference §8), so any extension that creates more than the new
     * limit allows meets LIMIT_EXCEEDED there, however carefully it sized the block. Where
     * {@link JobLimitDip} lands before a chosen API call and is met only if a create follows it, this
     * one makes the CAP-01 situation certain in every activation that creates.
     */
    record JobLimitAtCommit(int activation, int block, int limit) implements Pinned {
        public JobLimitAtCommit {
            requirePositive(activation, block);
            if (limit < 1) {
                throw new IllegalArgumentException("a job limit is at least 1: " + limit);
            }
        }

        @Override
        public String kind() {
            return "jobs.limit-at-commit";
        }
    }

    /**
     * PhotoKit misbehaving inside the extension for one activation, as reported in the field
     * (YAIIU #50: {@code fetchAssets} "returns nothing at times inside the extension"; errors
     * 3300 and -1). {@code empty}: every {@code fetchAssets} of the activation returns nothing,
     * as a fetch result with no objects; {@code error}: every {@code fetchPersistentChanges}
     * throws {@code code} ({@code -1} internal error or {@code 3300} change not supported). The
     * library itself is unchanged: a later activation sees it whole.
     */
    record LibraryFlaky(int activation, String mode, int code) implements Pinned {
        public static final java.util.List<String> MODES = java.util.List.of("empty", "error");

        public LibraryFlaky {
            requirePositive(activation, 1);
            if (!MODES.contains(mode)) {
                throw new IllegalArgumentException("library.flaky mode must be one of " + MODES + ": " + mode);
            }
            if (code != -1 && code != 3300) {
                throw new IllegalArgumentException("library.flaky code must be -1 or 3300: " + code);
            }
        }

        @Override
        public String kind() {
            return "library.flaky";
        }
    }

    // --- network ---------------------------------------------------------------------------

    /** No network: transfers in flight fail (not connected), nothing starts, no calls. */
    record NetworkOffline(long from, long until) implements Timed {
        public NetworkOffline {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "network.offline";
        }
    }

    /** Slower network: latency and uplink bandwidth replaced during the window. */
    record NetworkDegraded(long from, long until, long latencyMs, long uplinkKbps) implements Timed {
        public NetworkDegraded {
            requireWindow(from, until);
            if (latencyMs < 0 || uplinkKbps < 1) {
                throw new IllegalArgumentException("latencyMs >= 0 and uplinkKbps >= 1 required");
            }
        }

        @Override
        public String kind() {
            return "network.degraded";
        }
    }

    /** Only an expensive (cellular) network: withheld when the options prevent expensive access. */
    record ExpensiveNetwork(long from, long until) implements Timed {
        public ExpensiveNetwork {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "network.expensive";
        }
    }

    /** A transfer in the window drops after {@code afterBytes} bytes: connection lost, nothing stored. */
    record TransferDrop(long from, long until, double probability, long afterBytes) implements Timed {
        public TransferDrop {
            requireWindow(from, until);
            requireProbability(probability);
            if (afterBytes < 0) {
                throw new IllegalArgumentException("afterBytes >= 0 required");
            }
        }

        @Override
        public String kind() {
            return "network.drop";
        }
    }

    /** The server committed the upload but the response never arrived: stored, yet the job fails. */
    record ResponseLost(long from, long until, double probability) implements Timed {
        public ResponseLost {
            requireWindow(from, until);
            requireProbability(probability);
        }

        @Override
        public String kind() {
            return "network.response-lost";
        }
    }

    // --- cloud -----------------------------------------------------------------------------

    /**
     * The cloud answers {@code status} instead of serving the request (500/502/503 bursts, 429 with
     * Retry-After, 401 token rejected, 403 expired destination). {@code retryAfterSeconds} > 0 adds
     * a {@code Retry-After} header.
     */
    record CloudError(long from, long until, double probability, int status, long retryAfterSeconds) implements Timed {
        public CloudError {
            requireWindow(from, until);
            requireProbability(probability);
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be 4xx or 5xx");
            }
        }

        @Override
        public String kind() {
            return "cloud.error";
        }
    }

    /** The cloud takes {@code delayMs} longer to answer (virtual time); past 60 s the request times out. */
    record SlowResponse(long from, long until, double probability, long delayMs) implements Timed {
        public SlowResponse {
            requireWindow(from, until);
            requireProbability(probability);
        }

        @Override
        public String kind() {
            return "cloud.slow";
        }
    }

    /** A broken answer: {@code empty} (200, no body), {@code garbage} (200, unparsable body) or {@code reset} (connection reset). */
    record MalformedResponse(long from, long until, double probability, String form) implements Timed {
        public MalformedResponse {
            requireWindow(from, until);
            requireProbability(probability);
            if (!form.equals("empty") && !form.equals("garbage") && !form.equals("reset")) {
                throw new IllegalArgumentException("form must be empty, garbage or reset");
            }
        }

        @Override
        public String kind() {
            return "cloud.malformed";
        }
    }

    // --- device ----------------------------------------------------------------------------

    /** Low Power Mode on; with the device on battery the system withholds calls and transfers. */
    record LowPower(long from, long until) implements Timed {
        public LowPower {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "device.low-power";
        }
    }

    /** Thermal pressure {@code level} (fair, serious, critical); serious and above withhold work. */
    record Thermal(long from, long until, String level) implements Timed {
        public Thermal {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "device.thermal";
        }
    }

    /** Unplugged from power during the window (the default device is charging). */
    record Unplugged(long from, long until) implements Timed {
        public Unplugged {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "device.unplugged";
        }
    }

    /**
     * The device restarts at {@code from} (an OS update at night, a crash, the user) and is not
     * unlocked until {@code until}: the extension's process ends (killed if a call is running),
     * transfers in flight fail, and the app-group container, whose files are protected until the
     * first unlock after a restart, can be neither read nor written before {@code until}.
     */
    record DeviceReboot(long from, long until) implements Timed {
        public DeviceReboot {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "device.reboot";
        }
    }

    /**
     * The user locks the device at {@code from} and unlocks it at {@code until}, without a restart:
     * the app-group container, whose files use complete protection ({@code
     * NSFileProtectionComplete}: upcert decides, the reference is silent on protection classes),
     * can be neither read nor written during the window, exactly the locked period of a {@link
     * DeviceReboot}. The process and the transfers go on (uploads continue while the device is
     * locked, reference §3).
     */
    record DeviceLocked(long from, long until) implements Timed {
        public DeviceLocked {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "device.locked";
        }
    }

    /**
     * Memory pressure during the window (other apps in the foreground, a system task): the
     * process's memory budget is lowered to {@code budgetMiB} (0: unchanged) and {@code pressureMiB}
     * of it are taken; an extension whose call holds more than what is left is killed without
     * notice (jetsam), as measured on devices (reference §6: about 32 MB, "a jetsam kill and
     * relaunch loop"). Windows stack: the lowest budget, the pressures added.
     */
    record MemoryPressure(long from, long until, int budgetMiB, int pressureMiB) implements Timed {
        public MemoryPressure {
            requireWindow(from, until);
            if (budgetMiB < 0 || pressureMiB < 0 || (budgetMiB == 0 && pressureMiB == 0)) {
                throw new IllegalArgumentException("memory.pressure lowers the budget (budgetMiB > 0) or adds pressure"
                        + " (pressureMiB > 0): " + budgetMiB + ", " + pressureMiB);
            }
        }

        @Override
        public String kind() {
            return "memory.pressure";
        }
    }

    /**
     * The device installs iOS {@code to} at {@code from} (an instant): it restarts into the new
     * level (the process ends, a running call is killed at its next API call, transfers in flight
     * fail, as for {@link DeviceReboot} but without the locked period), and from then on the APIs
     * and defaults of the new level apply. Jobs created before keep their origin: on iOS 27,
     * {@code assetResource(forUploadJob:)} aborts the process for a job created under 26.x (YAIIU
     * #80). A level not above the device's is traced and changes nothing.
     */
    record OsUpgrade(long from, long until, String to) implements Timed {
        public OsUpgrade {
            requireWindow(from, until);
            if (!Workload.OS_LEVELS.contains(to)) {
                throw new IllegalArgumentException("os.upgrade to must be one of " + Workload.OS_LEVELS + ", was " + to);
            }
        }

        @Override
        public String kind() {
            return "os.upgrade";
        }
    }

    /**
     * The app is updated at {@code from} (an instant): the extension's process ends as on a device
     * app update (a running call is killed at its next API call) and the next launch runs the
     * second artifact ({@code --upgrade-to}; the same one, relaunched fresh, when none is given).
     * The app group, the jobs the old build created (with its destinations) and the transfers in
     * flight carry over: the system, not the app, owns them.
     */
    record AppUpgrade(long from, long until) implements Timed {
        public AppUpgrade {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "app.upgrade";
        }
    }

    /** Battery level set to {@code percent} at {@code from}. */
    record Battery(long from, long until, int percent) implements Timed {
        public Battery {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "device.battery";
        }
    }

    // --- library ---------------------------------------------------------------------------

    /** {@code count} new assets taken at {@code from}. */
    record AssetsAdded(long from, long until, int count) implements Timed {
        public AssetsAdded {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "library.add";
        }
    }

    /** {@code count} assets (chosen by the fault's random stream) deleted at {@code from}. */
    record AssetsDeleted(long from, long until, int count) implements Timed {
        public AssetsDeleted {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "library.delete";
        }
    }

    /** {@code count} assets offloaded to iCloud at {@code from} (an update; uploads must fetch them first). */
    record AssetsOffloaded(long from, long until, int count) implements Timed {
        public AssetsOffloaded {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "library.offload";
        }
    }

    /**
     * Downloading an offloaded original from iCloud fails (iCloud unreachable, throttled): with
     * {@code probability}, a transfer of an offloaded asset's resource started in the window fails
     * before anything is sent, with the sanitized {@code -1008} (resource unavailable). Transient:
     * the original is still in iCloud, a later attempt downloads it.
     */
    record ICloudDownloadFailure(long from, long until, double probability) implements Timed {
        public ICloudDownloadFailure {
            requireWindow(from, until);
            requireProbability(probability);
        }

        @Override
        public String kind() {
            return "icloud.download";
        }
    }

    /** The change history is pruned at {@code from}: every earlier token expires. */
    record TokenExpiry(long from, long until) implements Timed {
        public TokenExpiry {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "library.token-expiry";
        }
    }

    // --- consent ---------------------------------------------------------------------------

    /** Library access downgraded to {@code status} (LIMITED, DENIED, ...) during the window, restored after. */
    record AccessChanged(long from, long until, String status) implements Timed {
        public AccessChanged {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "consent.access";
        }
    }

    /** The extension disabled by the host app during the window, re-enabled after. */
    record ExtensionDisabled(long from, long until) implements Timed {
        public ExtensionDisabled {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "consent.disabled";
        }
    }

    // --- the host app ------------------------------------------------------------------------

    /**
     * host.credentials: the host app signs in again at {@code from} (a changed password, a
     * refreshed grant): the server revokes every token it issued and the old client secret, and
     * the extension's configuration carries the new secret from its next call on.
     */
    record CredentialsChanged(long from, long until) implements Timed {
        public CredentialsChanged {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "host.credentials";
        }
    }

    /**
     * host.signout: the user signs out in the host app for the window: it disables the extension
     * (reference §3: "disable the extension on sign-out") and the server revokes every token and
     * the client secret; at the window's end the user signs in again with new credentials and the
     * host app enables the extension.
     */
    record SignedOut(long from, long until) implements Timed {
        public SignedOut {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "host.signout";
        }
    }

    /**
     * host.upload: at {@code from} the user opens the host app, which uploads the resources of the
     * {@code count} most recently taken assets itself, in the foreground (as real apps do with what
     * the extension leaves them, e.g. Nextcloud's files over 100 MB), and lists each resource it
     * uploaded in the app group's harness-owned file {@code host/uploaded}. Resources the cloud
     * already holds are skipped, and so are resources of {@code aboveMB} MB (10^6 bytes) or less
     * when it is above 0: the app takes only the large files (Nextcloud's app: files over 100 MB).
     */
    record HostUpload(long from, long until, int count, int aboveMB) implements Timed {
        public HostUpload {
            requireWindow(from, until);
            if (count < 1 || aboveMB < 0) {
                throw new IllegalArgumentException("host.upload needs a count of at least 1 and aboveMB of at least 0");
            }
        }

        @Override
        public String kind() {
            return "host.upload";
        }
    }

    /**
     * host.server: at {@code from} the user moves the host app to another server or account (a
     * self-hosted server's new address, another account): from the extension's next call its
     * configuration and {@code uploadUrlBase()} name the new server, the host app rewrites the
     * app group's harness-owned file {@code host/server}, and the old server refuses new uploads
     * and sign-ins (every token and the client secret revoked). What counts from then on is the new
     * server's inventory: every resource in scope must end up there. A second change moves back to
     * the first server, signed in again.
     */
    record ServerChanged(long from, long until) implements Timed {
        public ServerChanged {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "host.server";
        }
    }

    /**
     * host.filelock: the host app holds the app group's file lock for the window (a coordinated
     * write, a database transaction of its own): every storage write, append and delete of the
     * extension fails with {@code StorageUnavailableException}; with {@code reads}, reads and
     * listings fail as well.
     */
    record HostFileLock(long from, long until, boolean reads) implements Timed {
        public HostFileLock {
            requireWindow(from, until);
        }

        @Override
        public String kind() {
            return "host.filelock";
        }
    }

    private static void requirePositive(int activation, int atCall) {
        if (activation < 1 || atCall < 1) {
            throw new IllegalArgumentException("activation and call numbers are 1-based");
        }
    }

    private static void requireWindow(long from, long until) {
        if (from < 0 || until < from) {
            throw new IllegalArgumentException("a window needs 0 <= from <= until, was [" + from + ", " + until + ")");
        }
    }

    private static void requireProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1], was " + p);
        }
    }
}
