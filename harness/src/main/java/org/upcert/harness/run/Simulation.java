package org.upcert.harness.run;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.ProcessingResult;
import org.upcert.harness.HarnessVersion;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.cloud.CloudStub;
import org.upcert.harness.cloud.CloudDialect;
import org.upcert.harness.cloud.CloudDialects;
import org.upcert.harness.faults.FaultSchedule;
import org.upcert.harness.host.AppGroupFiles;
import org.upcert.harness.host.CallContext;
import org.upcert.harness.host.ExtensionHost;
import org.upcert.harness.host.ExtensionProcess;
import org.upcert.harness.host.remote.ProtocolHost;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.host.SimulatedSystem;
import org.upcert.harness.jobs.JobRecord;
import org.upcert.harness.jobs.JobStore;
import org.upcert.harness.library.LibraryGenerator;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.scheduler.DeviceConditions;
import org.upcert.harness.scheduler.Scheduler;
import org.upcert.harness.sim.EventQueue;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.harness.trace.Trace;
import org.upcert.harness.upload.DestinationPolicy;
import org.upcert.harness.upload.ExtensionNetwork;
import org.upcert.harness.upload.DirectTransport;
import org.upcert.harness.upload.HttpTransport;
import org.upcert.harness.upload.RequestTransport;
import org.upcert.harness.upload.ServerClock;
import org.upcert.harness.upload.Uploader;

/**
 * One run: the discrete-event loop of the simulated system around one extension.
 *
 * <p>Single-threaded in effect: the simulator thread holds {@link #lock()} whenever it runs and
 * releases it only while an extension call is in progress, during which the extension's thread
 * drives the system through API calls (each taking the lock). Events at the same virtual time run
 * in scheduling order; nothing reads wall time except the bounded wait for a hung call. Same plan,
 * extension and build: same trace, byte for byte.
 *
 * <p>Use {@link #run(RunPlan, ExtensionSource, RunOptions)}.
 */
public final class Simulation implements SimulatedSystem, AutoCloseable {
    /** Real time a killed call's thread gets to unwind, so its refused calls are traced in order. */
    private static final long KILLED_UNWIND_WALL_MS = 2_000;
    /**
     * Activations in a row whose process crashed, hung, threw out of {@code processJobs} or could
     * not be launched before the run ends ({@code extension-failing}): each costs real time (a hang
     * its whole wall bound, a crash or threads left behind a new process), and RES-04 has failed
     * already, so the certificate cannot change. A correct extension never gets here.
     */
    static final int MAX_CONSECUTIVE_PROCESS_FAILURES = 3;
    /**
     * Activations whose process failed so, in all, in a row or not, before the run ends
     * ({@code extension-failing}). Without it an extension whose every new process returns once
     * and then fails (a command answering each call twice, H53) never met three in a row, and a
     * baseline run cost a process start per call for as many calls as the run has: 20 minutes of
     * wall time under load (in process, baseline seed 1: 84 calls threw and 84 returned before the
     * run stalled). The first failure has failed RES-04 already; ten leave the trace room to show
     * what the extension did between them.
     */
    public static final int MAX_PROCESS_FAILURES = 10;
    /**
     * Hung calls in all, in a row or not, before the run ends ({@code extension-failing}); a
     * {@code willTerminate} not answered within the wall bound counts as one. Each costs its whole
     * wall bound of real time, and the first has failed RES-04 already. Without it an
     * extension that hangs every other call (a good call in between resets the count in a row) made
     * a run cost a wall bound per two activations, for as many activations as the run has.
     */
    static final int MAX_HUNG_CALLS = 3;
    /**
     * API calls in one call that mark it as spinning when the call committed no job change (at
     * least this many, and {@link #SPIN_API_CALLS_PER_RESOURCE} per resource of the library): a flood
     * of tiny calls (30,000 {@code storage.read} until the runtime limit, or 25,000 and a return, at
     * every activation) is bounded per call by the calls' simulated cost, but its run went on to the
     * event budget (half a million lines, about two minutes of real time a run in a command: a
     * certification of it ~50 minutes against ~1 for a correct extension; red team 2026-12-03e).
     * Correct extensions make at most a few hundred API calls in a call on the standard profiles
     * (the sample 230, the Python sqlite style 160, on memory-and-cpu's 1,500 assets, seed 1).
     */
    static final int SPIN_API_CALLS = 10_000;
    static final int SPIN_API_CALLS_PER_RESOURCE = 10;
    /** Spinning calls (above) in all, in a row or not, before the run is cut ({@code run.cut} budget {@code spinning}). */
    static final int MAX_SPINNING_CALLS = 3;

    /** A willTerminate that was not answered within the wall bound hung as a call does (RES-04), and costs as much. */
    @Override
    public void noticeUnanswered() {
        hungCalls++;
    }

    /**
     * The run's budget of trace events: {@value #EVENT_BUDGET_BASE} plus
     * {@value #EVENT_BUDGET_PER_RESOURCE} per resource the library holds at the start. A correct
     * extension needs far less (the sample: at most ~300 per resource, on kills-after-commit with
     * S3's expiring URLs); an extension that floods (an endless loop of calls, jobs or requests)
     * would otherwise make the harness pay for seven simulated days of it, in wall time and in
     * the memory of the checkers that read the trace. Past it the run ends ({@code budget}),
     * after a {@code run.cut} event that says which budget and why; what happened is judged.
     */
    static final long EVENT_BUDGET_BASE = 500_000;
    static final long EVENT_BUDGET_PER_RESOURCE = 100;
    /**
     * Transfers blocked for a destination outside {@code uploadUrlBase} (E2E-02, failed at the
     * first) before the run ends: {@value #BLOCKED_BUDGET_BASE} plus one per resource at the
     * start. A correct extension has none; an extension that keeps building its destinations on
     * the wrong base would otherwise repeat the same violation until the time limit.
     */
    static final long BLOCKED_BUDGET_BASE = 1_000;

    private final RunPlan plan;
    /** The system's behaviour now: the plan's, moved to a new level's defaults by an os.upgrade. */
    private SystemPolicy policy;
    /** The library and OS level now: the plan's, at a new level after an os.upgrade. */
    private org.upcert.harness.plan.Workload workload;
    private final ExtensionSource source;
    private final RunOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final VirtualClock clock = new VirtualClock();
    private final EventQueue events = new EventQueue();
    private final Trace trace;
    private final SimulatedLibrary library;
    /** The server the host app's account is on now: the first one, the other after a host.server. */
    private CloudStub cloud;
    private final CloudStub firstServer;
    /** The server a host.server moves the account to; null when the plan has no host.server. */
    private final CloudStub secondServer;
    /** How many times the host app moved the account to another server (host.server). */
    private int serverChanges;
    private final JobStore jobs;
    private final AppGroupFiles files = new AppGroupFiles();
    private final DeviceConditions conditions = new DeviceConditions();
    private final RequestTransport transport;
    private final Payloads payloads;
    private final Uploader uploader;
    private final ExtensionNetwork network;
    private final Scheduler scheduler;
    private final FaultSchedule faults;
    /** The host app's settings as the extension's next call reads them; host.* faults replace it. */
    private volatile SortedMap<String, String> configuration;
    /** How many times the host app's account credentials changed (host.credentials, host.signout). */
    private int credentialsGeneration;
    // Refused calls and sandbox reports from any thread, counted by (activation, api, reason) and
    // traced in key order at the simulator's next deterministic point: a thread that refuses
    // millions of times costs a counter, not a line each.
    private final java.util.concurrent.ConcurrentHashMap<List<String>, java.util.concurrent.atomic.AtomicLong> refusals =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<List<String>, java.util.concurrent.atomic.AtomicLong> violations =
            new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The longest extension-named text an {@code api.refused} or {@code sandbox.violation} line
     * quotes (an api name, a violation's kind and what): a command names them itself, and a
     * 100,000-character name a thousand times was 100 MB of trace (red team, 2026-12-03e). The
     * harness's own names are under 100 characters; a worker's sandbox reports a path or a class.
     */
    static final int MAX_NAMED_CHARS = 1_024;
    /**
     * Distinct (activation, name, reason) keys a run traces for refusals and for violations each;
     * a later new key is counted under the name {@value #OTHER_NAMES} instead, so a flood of
     * distinct names costs a counter, not a line and a map entry each. A correct extension meets
     * none, and even a broken one a few dozen.
     */
    static final int MAX_DISTINCT_NAMES = 1_000;
    static final String OTHER_NAMES = "(other names, past the run's 1000)";
    private final java.util.Set<List<String>> refusalKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.Set<List<String>> violationKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Where the extension runs now: the first artifact's host, the next build's after an app.upgrade with --upgrade-to. */
    private ExtensionHost host;
    /** The host of the app's next build ({@link RunOptions#upgradeTo()}), made at the first app.upgrade; null before. */
    private ExtensionHost upgradedHost;
    private final ExtensionHost firstHost;
    /** The artifact the next launch runs: {@link #source}, or the next build after an app.upgrade. */
    private ExtensionSource running;
    private int appUpdates;
    /** The last process generation launched before the latest app update: it must not outlive its call. */
    private int generationBeforeUpdate;
    private final TreeMap<String, Integer> outcomes = new TreeMap<>();
    private final TreeMap<Integer, List<PlannedFault>> faultsByActivation = new TreeMap<>();

    private ExtensionProcess process;
    private int generation;
    private int activations;
    private int kills;
    private int refusedCalls;
    private long sandboxViolations;
    private int penalties;
    private int consecutiveProcessFailures;
    private int processFailures;
    private int hungCalls;
    private int spinningCalls;
    private boolean callRunning;
    private int currentActivation;
    private long lastCallEnd;
    private volatile boolean stopRequested;
    private long resourcesAtStart;
    private long runLogLines;

    private Simulation(RunPlan plan, ExtensionSource source, RunOptions options) {
        // A device below the extension's deployment target never runs it: the profile's level is
        // raised to the target (docs/scope.md), and the trace header says from which level.
        RunPlan raised = plan.raisedTo(source.declaredScope().deploymentLevel());
        this.profileOs = raised == plan ? null : plan.workload().os();
        plan = raised;
        this.plan = plan;
        this.policy = plan.policy();
        this.source = source;
        this.running = source;
        this.workload = plan.workload();
        this.options = options;
        this.host = Hosting.create(source, options.isolation(),
                options.traceFile() == null ? null : options.traceFile().resolveSibling("extension-output.log"));
        this.firstHost = host;
        if (host instanceof ProtocolHost protocolHost) {
            protocolHost.attach(this);
        }
        SimRandom root = new SimRandom(plan.seed());
        this.library = new SimulatedLibrary(new LibraryGenerator(root.fork("library")).initialLibrary(plan.workload()));
        this.scheduler = new Scheduler(policy, root.fork("scheduler"));
        conditions.setExpensiveOptionExists(plan.workload().osAtLeast("27"));
        this.payloads = new Payloads(plan.seed(), policy.payload());
        this.trace = options.traceFile() == null ? Trace.inMemory() : Trace.toFile(options.traceFile());
        // the stub authenticates a system transfer when its request starts (ServerClock), not when it ends
        ServerClock serverClock = new ServerClock(clock);
        CloudDialect dialect = CloudDialects.create(options.cloud(), plan.seed(), serverClock, options.bodyInHeaders());
        boolean serverChangePlanned = plan.faults().stream().anyMatch(f -> f instanceof PlannedFault.ServerChanged);
        // host.server: a second server of the same service, its own inventory (its dialect seeded apart)
        CloudDialect secondDialect = serverChangePlanned
                ? CloudDialects.create(options.cloud(), plan.seed() + 1, serverClock, options.bodyInHeaders()) : null;
        if (options.transport().equals("direct")) {
            this.cloud = CloudStub.direct(dialect);
            DirectTransport direct = new DirectTransport(cloud);
            this.secondServer = secondDialect == null ? null : CloudStub.directSecond(secondDialect);
            if (secondServer != null) {
                direct.add(secondServer);
            }
            this.transport = direct;
        } else {
            this.cloud = new CloudStub(dialect);
            this.secondServer = secondDialect == null ? null : new CloudStub(secondDialect);
            HttpTransport http = new HttpTransport(cloud);
            if (secondServer != null) {
                http.add(secondServer);
            }
            this.transport = http;
        }
        this.firstServer = cloud;
        // The upload host ({cloud}: BackgroundUploadURLBase's origin) and the service host ({api}: sign-in, API).
        trace.registerOrigin(cloud.origin() + "/", "{cloud}/");
        trace.registerOrigin(cloud.serviceOrigin() + "/", "{api}/");
        if (secondServer != null) {
            // the server host.server moves the account to: {cloud2} and {api2}
            trace.registerOrigin(secondServer.origin() + "/", "{cloud2}/");
            trace.registerOrigin(secondServer.serviceOrigin() + "/", "{api2}/");
        }
        this.configuration = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(cloud.extensionConfiguration()));
        this.jobs = new JobStore(plan.workload().jobLimit(), library, trace, clock::now);
        jobs.setOsLevel(plan.workload().os());
        jobs.exposeHttpStatus(options.exposesHttpStatus());
        if (policy.fetchLagOn()) {
            // the system's own transitions show in the fetch sets after 0.1-5 s (reference §2)
            jobs.setFetchLag(policy.fetchLagMinMs(), policy.fetchLagMaxMs(), root.fork("fetch-lag"),
                    (time, action) -> events.schedule(time, "job visible", action));
        }
        DestinationPolicy destinations = new DestinationPolicy(cloud.uploadUrlBase());
        if (secondServer != null) {
            destinations.admit(secondServer.uploadUrlBase()); // the app's base covers both servers (docs/simulator.md)
        }
        this.uploader = new Uploader(clock, events, jobs, transport, payloads, policy, conditions, destinations, trace);
        jobs.setListener(uploader);
        uploader.setServerClock(serverClock);
        uploader.setInventory(cloud.inventory());
        if (secondServer != null) {
            uploader.addInventory(secondServer.inventory());
        }
        uploader.holdWhile(activation -> callRunning && activation == currentActivation);
        uploader.setIdleListener(() -> scheduler.uploadsEnded(clock.now()));
        this.network = new ExtensionNetwork(clock, transport, policy, conditions, trace);
        this.faults = new FaultSchedule(plan, clock, events, trace, conditions, library,
                new LibraryGenerator(root.fork("library-churn"), plan.workload().assets() + 1), new FaultSchedule.Effects() {
                    @Override
                    public void networkLost() {
                        uploader.networkLost();
                    }

                    @Override
                    public void expensiveOnly() {
                        uploader.expensiveOnly();
                    }

                    @Override
                    public void conditionsChanged() {
                        uploader.pump();
                    }

                    @Override
                    public void libraryChanged() {
                        scheduler.libraryChanged(clock.now());
                    }

                    @Override
                    public void extensionEnabled() {
                        scheduler.enabled(clock.now());
                    }

                    @Override
                    public void extensionDisabled() {
                        scheduler.take();
                    }

                    @Override
                    public void deviceRestarted() {
                        files.restarted();
                        uploader.networkLost(); // the transfers in flight die with the device
                        if (!callRunning) {
                            endProcess("device restarted"); // a running call is killed at its next API call
                        }
                    }

                    @Override
                    public boolean osUpgraded(String to) {
                        return upgradeOs(to);
                    }

                    @Override
                    public void appUpgraded() {
                        upgradeApp();
                    }

                    @Override
                    public void credentialsChanged(boolean signedIn) {
                        changeCredentials(signedIn);
                    }

                    @Override
                    public void hostUploaded(int index, int count, int aboveMB, boolean signedIn) {
                        hostUpload(index, count, aboveMB, signedIn);
                    }

                    @Override
                    public void serverChanged(int index, boolean signedIn) {
                        changeServer(index, signedIn);
                    }

                    @Override
                    public void hostFileLock(boolean held, boolean reads) {
                        if (files.hostLocked() != held) {
                            trace.at(clock.now(), held ? "host.filelock" : "host.fileunlock").bool("reads", held && reads).end();
                        }
                        files.setHostLock(held, reads);
                    }

                    @Override
                    public void storageLocked(boolean locked) {
                        if (files.locked() != locked) {
                            files.setLocked(locked);
                            trace.at(clock.now(), locked ? "device.locked" : "device.unlock").end();
                        }
                    }
                });
        uploader.setFaults(faults, library);
        network.setFaults(faults);
        for (PlannedFault fault : plan.faults()) {
            if (fault instanceof PlannedFault.Pinned pinned) {
                faultsByActivation.computeIfAbsent(pinned.activation(), a -> new ArrayList<>()).add(fault);
            }
        }
    }

    /** Runs {@code source} under {@code plan}; the trace is complete (and closed) when this returns. */
    public static RunResult run(RunPlan plan, ExtensionSource source, RunOptions options) {
        try (Simulation simulation = new Simulation(options.applyTo(plan), source, options)) {
            Interruption.started(simulation);
            try {
                return simulation.execute();
            } finally {
                Interruption.ended(simulation);
            }
        }
    }

    /** Asks a running simulation to stop at its next event (from another thread, e.g. Ctrl-C). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * The stall stop: once the recovery phase's own activity is over (every fault off, the last
     * recovery photo added) and no transfer is queued or in flight, a run in which neither the jobs
     * (a change the extension committed, a transition) nor the cloud (an object stored, an upload
     * committed) moved for this long — counted from the later of the last movement and the end of
     * the recovery activity — is stopped ({@code run.end} reason {@code stalled}). From
     * there only the extension's own calls remain, and an extension that let six hours pass
     * without moving anything — far beyond RES-03's five idle calls (about 25 minutes) and six
     * times the longest backoff the system applies (an hour) — would go on the same way: the
     * verdicts it has earned no longer change, and simulating the rest of the seven days only
     * costs time. A run that converges ends quiescent long before; its trace is unchanged.
     */
    public static final long STALL_AFTER_MS = 6 * 3_600_000L;

    private RunResult execute() {
        lock.lock();
        String endReason = "quiescent";
        long movedSoFar = -1;
        long lastMovedAt = 0;
        try {
            writeHeader();
            faults.install();
            scheduler.enabled(clock.now());
            while (true) {
                drainRefusals();
                if (stopRequested) {
                    endReason = "interrupted";
                    break;
                }
                if (consecutiveProcessFailures >= MAX_CONSECUTIVE_PROCESS_FAILURES || processFailures >= MAX_PROCESS_FAILURES
                        || hungCalls >= MAX_HUNG_CALLS) {
                    endReason = "extension-failing";
                    break;
                }
                if (overBudget()) {
                    endReason = "budget";
                    break;
                }
                long nextEvent = events.peekTime();
                long nextActivation = conditions.withheldBecause(policy).isPresent() || !library.extensionEnabled()
                        ? Long.MAX_VALUE : scheduler.nextActivation();
                long t = Math.min(nextEvent, nextActivation);
                if (t == Long.MAX_VALUE) {
                    break;
                }
                long moved = jobs.progress() + firstServer.inventory().changes()
                        + (secondServer == null ? 0 : secondServer.inventory().changes());
                if (moved != movedSoFar) {
                    movedSoFar = moved;
                    lastMovedAt = clock.now();
                }
                // The window starts at the later of the last movement and the end of the recovery
                // activity: the last recovery photo must get its calls before anything is judged stalled.
                long quietSince = faults.recoveryActivityEndedAt() < 0 ? -1 : Math.max(lastMovedAt, faults.recoveryActivityEndedAt());
                long stallAt = quietSince + STALL_AFTER_MS;
                if (quietSince >= 0 && t > stallAt && stallAt <= policy.maxSimulatedMs() && uploader.isIdle()) {
                    clock.advanceTo(Math.max(clock.now(), stallAt));
                    endReason = "stalled";
                    break;
                }
                if (t > policy.maxSimulatedMs()) {
                    clock.advanceTo(Math.max(clock.now(), policy.maxSimulatedMs()));
                    endReason = "time-limit";
                    break;
                }
                if (nextActivation <= nextEvent) {
                    if (activations >= policy.maxActivations()) {
                        endReason = "activation-limit";
                        break;
                    }
                    // An activation withheld by conditions may be overdue: it happens now.
                    clock.advanceTo(Math.max(clock.now(), nextActivation));
                    activate();
                } else {
                    events.runNextUpTo(nextEvent, clock);
                }
            }
        } catch (RuntimeException | Error e) {
            endReason = "aborted";
            trace.at(clock.now(), "run.aborted").str("error", e.toString()).end();
            trace.flush();
            throw e;
        } finally {
            if (process != null) {
                process.destroy("run ended");
                process = null;
            }
            lock.unlock();
        }
        RunResult result = finish(endReason);
        trace.close();
        return result;
    }

    /** Whether a run budget is spent; if so, traces {@code run.cut} saying which and why. */
    /** API calls in a call without job changes from which it counts as spinning, for this run's library. */
    private long spinApiCalls() {
        return Math.max(SPIN_API_CALLS, SPIN_API_CALLS_PER_RESOURCE * resourcesAtStart);
    }

    private boolean overBudget() {
        long eventBudget = EVENT_BUDGET_BASE + EVENT_BUDGET_PER_RESOURCE * resourcesAtStart;
        if (trace.events() > eventBudget) {
            trace.at(clock.now(), "run.cut").str("budget", "events").num("limit", eventBudget).num("value", trace.events())
                    .str("reason", "the trace passed " + eventBudget + " events (" + EVENT_BUDGET_BASE + " + "
                            + EVENT_BUDGET_PER_RESOURCE + " per resource): far beyond what a correct extension needs, "
                            + "the rest of the run is not simulated").end();
            return true;
        }
        if (spinningCalls >= MAX_SPINNING_CALLS) {
            trace.at(clock.now(), "run.cut").str("budget", "spinning").num("limit", MAX_SPINNING_CALLS)
                    .str("reason", MAX_SPINNING_CALLS + " calls each made " + spinApiCalls() + " API calls or more and committed no job change: the extension spins, the rest of the run would"
                            + " repeat it").end();
            return true;
        }
        if (uploader.churning() != null) {
            trace.at(clock.now(), "run.cut").str("budget", "churn").num("limit", Uploader.CHURN_IN_A_ROW)
                    .str("resource", uploader.churning())
                    .str("reason", "the jobs of " + uploader.churning() + " ended " + Uploader.CHURN_IN_A_ROW + " times in a row "
                            + "without bringing it to the cloud, and no planned fault explains it (the cloud refused it on "
                            + "its own, or it had succeeded already): the rest of the run would repeat it").end();
            return true;
        }
        long blockedBudget = BLOCKED_BUDGET_BASE + resourcesAtStart;
        if (uploader.blockedTransfers() > blockedBudget) {
            trace.at(clock.now(), "run.cut").str("budget", "blocked-transfers").num("limit", blockedBudget)
                    .num("value", uploader.blockedTransfers())
                    .str("reason", "more than " + blockedBudget + " transfers were blocked for destinations outside "
                            + "uploadUrlBase (E2E-02 failed at the first): the rest of the run would repeat it").end();
            return true;
        }
        return false;
    }

    // --- activations -----------------------------------------------------------------------

    private void activate() {
        int activation = ++activations;
        String reason = scheduler.take();
        if (process == null && !launch()) {
            return;
        }
        TreeSet<String> presented = new TreeSet<>();
        // Presented = what fetchJobs(ACKNOWLEDGE) shows now: nothing while access is not full
        // (the extension is shown none of its jobs), so nothing it could be penalised for.
        if (library.authorization() == org.upcert.api.AuthorizationStatus.AUTHORIZED) {
            for (JobRecord job : jobs.fetch(JobAction.ACKNOWLEDGE)) {
                presented.add(job.id());
            }
        }
        int killAt = 0;
        int noticeAt = 0;
        PlannedFault.KillInChanges killInChanges = null;
        PlannedFault.JobLimitDip limitDip = null;
        PlannedFault.JobLimitAtCommit limitAtCommit = null;
        PlannedFault.LibraryFlaky flaky = null;
        for (PlannedFault fault : pinnedFaults(activation)) {
            if (fault instanceof PlannedFault.HardKill kill) {
                killAt = kill.atCall();
            } else if (fault instanceof PlannedFault.TerminationNotice notice) {
                noticeAt = notice.atCall();
            } else if (fault instanceof PlannedFault.KillInChanges inChanges) {
                killInChanges = inChanges;
            } else if (fault instanceof PlannedFault.JobLimitDip dip) {
                limitDip = dip;
            } else if (fault instanceof PlannedFault.JobLimitAtCommit atCommit) {
                limitAtCommit = atCommit;
            } else if (fault instanceof PlannedFault.LibraryFlaky f) {
                flaky = f;
            }
        }
        long start = clock.now();
        trace.at(start, "call.start").num("act", activation).str("reason", reason).num("gen", process.generation())
                .num("unacked", jobs.unacknowledgedCount()).num("presented", presented.size()).end();
        // Running before the context exists: a system event due at this instant, which the context runs before the
        // extension sees anything, meets a running call (killed at its first API call), as it did at that call.
        callRunning = true;
        currentActivation = activation;
        CallContext context = new CallContext(this, activation, start + policy.runtimeLimitMs(), killAt, noticeAt);
        if (killInChanges != null) {
            context.killInChanges(killInChanges.block(), killInChanges.afterCommit());
        }
        if (limitDip != null) {
            context.limitDip(limitDip.atCall(), limitDip.limit());
        }
        if (limitAtCommit != null) {
            context.limitDipAtCommit(limitAtCommit.block(), limitAtCommit.limit());
        }
        if (flaky != null) {
            context.flakyLibrary(flaky.mode(), flaky.code());
        }

        ExtensionProcess.Completion completion;
        ExtensionProcess.Call call = process.startCall(context);
        lock.unlock();
        try {
            completion = process.await(call, policy.callWallTimeoutMs(), context::apiCalls);
        } finally {
            lock.lock();
        }
        if (completion instanceof ExtensionProcess.Completion.Hung) {
            hungCalls++;
            context.killFromOutside(CallContext.HUNG);
            long deadline = start + policy.runtimeLimitMs();
            runSystemEventsUpTo(deadline);
            clock.advanceTo(Math.max(clock.now(), deadline));
            trace.at(clock.now(), "process.kill").num("n", context.apiCalls()).str("reason",
                    "the call made no API call for " + policy.callWallTimeoutMs() + " ms of real time and did not return (hung)").end();
        }
        context.invalidate();
        if (context.killed() && !(completion instanceof ExtensionProcess.Completion.Hung)) {
            lock.unlock();
            try {
                process.await(call, KILLED_UNWIND_WALL_MS, () -> 0);
            } finally {
                lock.lock();
            }
        }
        callRunning = false;
        drainRefusals();
        endCall(activation, context, completion, presented, start);
        if (jobs.jobLimit() != plan.workload().jobLimit()) {
            // A jobs.limit dip lasts until the activation ends.
            trace.at(clock.now(), "jobs.limit").num("limit", plan.workload().jobLimit()).num("was", jobs.jobLimit()).end();
            jobs.setJobLimit(plan.workload().jobLimit());
        }
    }

    private boolean launch() {
        generation++;
        try {
            process = host.launch(generation, policy.callWallTimeoutMs());
            trace.at(clock.now(), "process.launch").num("gen", generation).end();
            return true;
        } catch (ExtensionProcess.LaunchFailure e) {
            trace.at(clock.now(), "process.launch-failed").num("gen", generation).str("reason", clipped(e.getMessage())).end();
            consecutiveProcessFailures++;
            processFailures++;
            count("launch-failed");
            scheduler.failed(clock.now());
            return false;
        }
    }

    /** The most of an exception's text, or a crash's reason, a call's end keeps. */
    static final int CALL_END_TEXT_LIMIT = 2_000;

    /**
     * An exception's text (or a crash's reason, which may quote what a command answered) as the trace
     * keeps it: at most {@link #CALL_END_TEXT_LIMIT} characters, the rest counted. The extension
     * chooses it, and before H53 a call's end kept all of it: a 5 MB exception message was 5 MB in
     * every {@code call.end} it ended, and again in RES-04's message on the terminal, in
     * CERTIFICATION.md and in certification.json (log lines were clipped, at 500 characters; this was not).
     */
    static String clipped(String text) {
        return clip(text, CALL_END_TEXT_LIMIT);
    }

    /** {@code text} cut to {@code limit} characters (never inside a surrogate pair), the rest counted. */
    static String clip(String text, int limit) {
        if (text == null || text.length() <= limit) {
            return text;
        }
        int cut = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
        return text.substring(0, cut) + "… (" + (text.length() - cut) + " more characters)";
    }

    private void endCall(int activation, CallContext context, ExtensionProcess.Completion completion,
            TreeSet<String> presented, long start) {
        long now = clock.now();
        Trace.Line end = trace.at(now, "call.end").num("act", activation);
        ProcessingResult result = null;
        if (context.aborted()) {
            end.str("outcome", "crashed").str("reason", context.killReason());
            count("crashed");
        } else if (context.killed()) {
            end.str("outcome", "killed").str("reason", context.killReason());
            count("killed");
        } else if (completion instanceof ExtensionProcess.Completion.Crashed crashed) {
            end.str("outcome", "crashed").str("reason", clipped(crashed.reason()));
            count("crashed");
        } else if (completion instanceof ExtensionProcess.Completion.Threw threw) {
            end.str("outcome", "threw").str("exception", clipped(threw.exception()));
            count("threw");
        } else if (completion instanceof ExtensionProcess.Completion.Returned returned && returned.result() != null) {
            result = returned.result();
            end.str("outcome", "returned").str("result", result.name());
            count(result.name());
        } else {
            end.str("outcome", "threw").str("exception", "processJobs returned null");
            count("threw");
        }
        end.num("ms", now - start).num("calls", context.apiCalls()).num("changes", context.changesCommitted())
                .num("headers", context.headerReads());
        if (context.logLinesCut() > 0) {
            end.num("logCut", context.logLinesCut());
        }
        end.end();
        lastCallEnd = now;
        // A kill by the system is not the extension's failure (its unwinding may look like a throw).
        if (completion instanceof ExtensionProcess.Completion.Crashed || completion instanceof ExtensionProcess.Completion.Hung
                || (completion instanceof ExtensionProcess.Completion.Threw && !context.killed()) || context.aborted()) {
            consecutiveProcessFailures++;
            processFailures++;
        } else {
            consecutiveProcessFailures = 0;
        }
        if (context.changesCommitted() == 0
                && context.apiCalls() >= spinApiCalls()) {
            spinningCalls++;
        }

        // Jobs registered by this call may start now.
        uploader.pump();

        if (context.aborted()) {
            endProcess("crashed");
            scheduler.failed(now);
        } else if (context.killed()) {
            kills++;
            endProcess("killed");
            scheduler.killed(now);
        } else if (result == null) {
            // An exception escaping processJobs crashes the process on a device.
            endProcess("crashed");
            scheduler.failed(now);
        } else {
            if (!context.noticeDelivered() && library.authorization() == org.upcert.api.AuthorizationStatus.AUTHORIZED) {
                // A call the system itself told to stop is not penalised for the jobs it left (upcert decides),
                // nor one that lost full access on the way (consent.access firing during the call): from then
                // on fetchJobs showed it none of its jobs (reference §4), so it could not acknowledge them
                // (explore:1829 on NextcloudStyle: access limited 0 ms into the call, before its first fetch).
                applyPenalty(presented, now);
            }
            scheduler.returned(result, now, context.changesCommitted() > 0, context.jobsRegistered() > 0, uploader.isIdle());
            afterReturn(activation, context, now);
        }
        if (process != null && process.generation() <= generationBeforeUpdate) {
            endProcess("app updated"); // the call ran through an app update without another API call
        }
        if (process != null) {
            int generationNow = process.generation();
            events.schedule(now + policy.idleExitMs(), "idle-exit", () -> idleExit(generationNow, now));
        }
        if (options.progress() != null) {
            options.progress().accept(new RunOptions.RunProgress(now, activations, cloud.inventory().objectCount(),
                    library.everResources().size(), trace.events()));
        }
    }

    /** Planned process faults that the call outlived, and the 26.x after-return notice quirk. */
    private void afterReturn(int activation, CallContext context, long now) {
        boolean killPending = false;
        boolean noticePending = false;
        for (PlannedFault fault : pinnedFaults(activation)) {
            if (fault instanceof PlannedFault.HardKill) {
                killPending = true;
            } else if (fault instanceof PlannedFault.TerminationNotice) {
                noticePending = !context.noticeDelivered();
            }
        }
        if (killPending && !context.killed() && process != null) {
            kills++;
            trace.at(now, "process.kill").num("n", context.apiCalls()).str("reason", "planned kill (after return)").end();
            endProcess("killed");
            return;
        }
        if (noticePending && process != null) {
            trace.at(now, "process.notice").num("n", context.apiCalls()).str("when", "after-return").end();
            deliverNotice();
            endProcess("terminated");
            return;
        }
        if (context.noticeDelivered()) {
            endProcess("terminated");
            return;
        }
        if (policy.noticeAfterReturn() && process != null) {
            trace.at(now, "process.notice").num("n", context.apiCalls()).str("when", "after-return-quirk").end();
            deliverNotice();
        }
    }

    /**
     * os.upgrade: the device installs iOS {@code to} and restarts into it. The level's APIs and
     * defaults apply from now on ({@link SystemPolicy#movedToLevel}: a 26.x quirk the profile did
     * not set ends on 27); jobs already created keep their origin level. Traced as one
     * {@code os.upgrade} line ({@code from}, {@code to}, and each policy switch the level changed);
     * a level not above the device's is traced with {@code skipped} and changes nothing.
     */
    private boolean upgradeOs(String to) {
        String from = workload.os();
        if (workload.osAtLeast(to)) {
            trace.at(clock.now(), "os.upgrade").str("from", from).str("to", to)
                    .str("skipped", "the device already runs iOS " + from).end();
            return false;
        }
        SystemPolicy before = policy;
        policy = policy.movedToLevel(from, to);
        workload = workload.withOs(to);
        jobs.setOsLevel(to);
        conditions.setExpensiveOptionExists(workload.osAtLeast("27"));
        Trace.Line line = trace.at(clock.now(), "os.upgrade").str("from", from).str("to", to);
        if (before.nilResourceOnTerminalJobs() != policy.nilResourceOnTerminalJobs()) {
            line.bool("nilResourceOnTerminalJobs", policy.nilResourceOnTerminalJobs());
        }
        if (before.noticeAfterReturn() != policy.noticeAfterReturn()) {
            line.bool("noticeAfterReturn", policy.noticeAfterReturn());
        }
        line.end();
        // The update restarts the device: as device.reboot, without the locked period.
        files.restarted();
        uploader.networkLost();
        if (!callRunning) {
            endProcess("os upgrade");
        }
        return true;
    }

    /**
     * app.upgrade: the app is updated, so its extension's process ends (a running call is killed
     * at its next API call, or ends its process when it returns) and the next launch runs the next
     * build ({@link RunOptions#upgradeTo()}, in a host of its own in the same isolation), or the
     * same artifact relaunched fresh. The app group, the jobs and the transfers carry over. Traced
     * as one {@code app.upgrade} line naming both builds.
     */
    /**
     * The host app's account changed: the server revokes every token and the old secret; signed in
     * again, a new secret (derived from the generation, so traces stay identical) is in the
     * configuration of the extension's next call; signed out, the configuration holds none.
     */
    private void changeCredentials(boolean signedIn) {
        credentialsGeneration++;
        String secret = signedIn ? "s3cret-" + credentialsGeneration : "";
        cloud.dialect().changeCredentials(secret);
        TreeMap<String, String> changed = new TreeMap<>(configuration);
        changed.put(org.upcert.api.CloudSettings.CLIENT_SECRET, secret);
        configuration = java.util.Collections.unmodifiableSortedMap(changed);
        trace.at(clock.now(), "host.credentials").str("account", signedIn ? "signed-in" : "signed-out")
                .num("generation", credentialsGeneration).end();
    }

    /**
     * host.upload: the user opens the host app, which uploads the resources of the {@code count}
     * most recently taken live assets itself, in the foreground, skipping what the cloud already
     * holds and, when {@code aboveMB} is above 0, every resource of {@code aboveMB} MB or less. The cloud receives each as the host app's own write (under its own key, so an
     * extension's upload of the same resource is a second copy, never a conflict); the app lists
     * each resource key in {@link AppGroupFiles#HOST_APP_UPLOADS} and the trace has one
     * {@code host.upload} line per resource. While the device is locked (before the first unlock
     * after a restart, or a device.locked window) the user cannot have opened the app, and a signed-out app (host.signout) uploads nothing: nothing
     * happens then ({@code host.upload} with {@code skipped}).
     */
    private void hostUpload(int index, int count, int aboveMB, boolean signedIn) {
        if (!signedIn) {
            trace.at(clock.now(), "host.upload").num("fault", index).str("skipped", "the user is signed out (host.signout)").end();
            return;
        }
        if (files.locked()) {
            trace.at(clock.now(), "host.upload").num("fault", index).str("skipped", "the device is locked")
                    .end();
            return;
        }
        List<Asset> assets = library.assets(); // oldest first
        TreeMap<String, CloudInventory.StoredObject> inCloud = cloud.inventory().objectsBySha256();
        StringBuilder listed = new StringBuilder();
        for (int i = assets.size() - 1; i >= Math.max(0, assets.size() - count); i--) {
            for (AssetResource resource : assets.get(i).resources()) {
                String sha = payloads.sha256(resource);
                if (inCloud.containsKey(sha) || resource.fileSize() <= aboveMB * 1_000_000L) {
                    continue;
                }
                cloud.inventory().storeFromHostApp("host-app/" + resource.key(), resource.fileSize(), sha,
                        "host-" + resource.key());
                listed.append(resource.key()).append('\n');
                trace.at(clock.now(), "host.upload").num("fault", index).str("resource", resource.key())
                        .num("bytes", resource.fileSize()).end();
            }
        }
        if (listed.length() > 0) {
            files.append(AppGroupFiles.HOST_APP_UPLOADS, listed.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /**
     * host.server: the user moves the host app to the other server (or account). The old server
     * revokes every token and its client secret (it refuses new uploads and sign-ins), the app
     * signs in to the new one with a new secret, the extension's configuration and {@code
     * uploadUrlBase()} name the new server from its next call, and the app rewrites the app
     * group's {@link AppGroupFiles#HOST_APP_SERVER} and enables the extension again with the new
     * configuration, so the system calls it about a second later (as after enabling). From here on
     * the new server's inventory is the one that counts. A signed-out app (host.signout) and a locked device (device.reboot before
     * its first unlock, device.locked) change nothing ({@code host.server} with {@code skipped}).
     */
    private void changeServer(int index, boolean signedIn) {
        if (!signedIn) {
            trace.at(clock.now(), "host.server").num("fault", index).str("skipped", "the user is signed out (host.signout)").end();
            return;
        }
        if (files.locked()) {
            trace.at(clock.now(), "host.server").num("fault", index).str("skipped", "the device is locked")
                    .end();
            return;
        }
        CloudStub from = cloud;
        CloudStub to = cloud == firstServer ? secondServer : firstServer;
        serverChanges++;
        credentialsGeneration++;
        String secret = "s3cret-" + credentialsGeneration;
        from.dialect().changeCredentials(""); // the old server: no new upload, no sign-in
        to.dialect().changeCredentials(secret);
        to.inventory().accountArrived(); // what it received before stays; new writes are a new stay's
        cloud = to;
        uploader.serverChanged();
        TreeMap<String, String> changed = new TreeMap<>(to.extensionConfiguration());
        changed.put(org.upcert.api.CloudSettings.CLIENT_SECRET, secret);
        configuration = java.util.Collections.unmodifiableSortedMap(changed);
        // host/uploaded is appended, never rewritten: the lines written so far name what the old server got
        int listed = files.read(AppGroupFiles.HOST_APP_UPLOADS).map(bytes -> {
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            return text.isEmpty() ? 0 : text.split("\n").length;
        }).orElse(0);
        String named = "generation=" + serverChanges + "\nuploadBase=" + to.uploadUrlBase() + "\napiBase=" + to.serviceBase()
                + "\nhostUploadedLines=" + listed + "\n";
        files.write(AppGroupFiles.HOST_APP_SERVER, named.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        trace.at(clock.now(), "host.server").num("fault", index).num("server", to == firstServer ? 1 : 2)
                .num("generation", serverChanges).str("uploadBase", trace.relativize(to.uploadUrlBase().toString()))
                .str("apiBase", trace.relativize(to.serviceBase().toString())).end();
        // The app enables the extension again with the new account's configuration (enableUploadJobExtension,
        // one atomic change, reference §1.4): the system calls it as after enabling. Without it an extension
        // that had answered COMPLETED would wait for the next library change to learn of the new server.
        if (library.extensionEnabled()) {
            scheduler.enabled(clock.now());
        }
    }

    private void upgradeApp() {
        appUpdates++;
        ExtensionSource next = options.upgradeTo() == null ? running : options.upgradeTo();
        trace.at(clock.now(), "app.upgrade").str("from", running.describe()).str("fromSha256", running.sha256())
                .str("to", next.describe()).str("toSha256", next.sha256()).end();
        if (options.upgradeTo() != null && upgradedHost == null) {
            upgradedHost = Hosting.create(next, options.isolation(),
                    options.traceFile() == null ? null : options.traceFile().resolveSibling("extension-output-upgraded.log"));
            if (upgradedHost instanceof ProtocolHost protocolHost) {
                protocolHost.attach(this);
            }
        }
        generationBeforeUpdate = generation;
        if (!callRunning) {
            endProcess("app updated");
        }
        if (upgradedHost != null) {
            host = upgradedHost;
        }
        running = next;
    }

    /** The process faults pinned to {@code activation}, while the fault phase lasts. */
    private List<PlannedFault> pinnedFaults(int activation) {
        return faults.inFaultPhase() ? faultsByActivation.getOrDefault(activation, List.of()) : List.of();
    }

    private void deliverNotice() {
        lock.unlock();
        String problem;
        try {
            problem = process.deliverTermination(policy.callWallTimeoutMs());
        } finally {
            lock.lock();
        }
        drainRefusals();
        if (problem != null) {
            trace.at(clock.now(), "process.notice-problem").str("reason", clipped(problem)).end();
            if (problem.contains("did not return within")) {
                noticeUnanswered();
            }
        }
    }

    /** The 50008 penalty: jobs presented at the start of the call and neither acknowledged nor retried. */
    private void applyPenalty(TreeSet<String> presented, long now) {
        int outstanding = 0;
        for (String id : presented) {
            JobRecord job = jobs.find(id).orElse(null);
            if (job != null && job.state().isFinished()) {
                outstanding++;
            }
        }
        if (outstanding > 0) {
            penalties++;
            long deferral = scheduler.penalize(now);
            trace.at(now, "system.penalty").num("code", 50008).num("outstanding", outstanding)
                    .num("deferral", deferral).str("reason", "appex failed to acknowledge jobs for processing state").end();
        }
    }

    private void idleExit(int generationAtSchedule, long callEnd) {
        if (process != null && process.generation() == generationAtSchedule && lastCallEnd == callEnd && !callRunning) {
            endProcess("idle");
        }
    }

    private void endProcess(String reason) {
        if (process == null) {
            return;
        }
        trace.at(clock.now(), "process.exit").num("gen", process.generation()).str("reason", reason).end();
        process.destroy(reason);
        process = null;
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    private SortedMap<String, Object> hostingFacts() {
        TreeMap<String, Object> facts = new TreeMap<>(host.facts());
        if (sandboxViolations > 0) {
            facts.put("sandboxViolations", sandboxViolations);
        }
        return java.util.Collections.unmodifiableSortedMap(facts);
    }

    private void drainRefusals() {
        drain(refusals, "api.refused", "api", "reason");
        drain(violations, "sandbox.violation", "kind", "what");
    }

    private void drain(java.util.concurrent.ConcurrentHashMap<List<String>, java.util.concurrent.atomic.AtomicLong> counts,
            String event, String second, String third) {
        if (counts.isEmpty()) {
            return;
        }
        TreeMap<String, List<String>> ordered = new TreeMap<>();
        for (List<String> key : counts.keySet()) {
            ordered.put(String.join("\u0000", key), key);
        }
        for (List<String> key : ordered.values()) {
            long n = counts.remove(key).getAndSet(0);
            if (event.equals("api.refused")) {
                refusedCalls += (int) Math.min(Integer.MAX_VALUE, n);
            } else {
                sandboxViolations += n;
            }
            Trace.Line line = trace.at(clock.now(), event).str("act", key.get(0)).str(second, key.get(1)).str(third, key.get(2));
            if (n > 1) {
                line.num("count", n);
            }
            line.end();
        }
    }

    // --- header and summary --------------------------------------------------------------

    /** The profile's own OS level when the run was raised to the deployment target; null otherwise. */
    private final String profileOs;

    private void writeHeader() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("ev", "header");
        header.put("format", "upcert-trace/1");
        header.put("harness", HarnessVersion.get());
        header.put("seed", plan.seed());
        header.put("profile", plan.profile());
        Map<String, Object> extension = new LinkedHashMap<>();
        extension.put("name", source.describe());
        extension.put("sha256", source.sha256());
        if (options.upgradeTo() != null) {
            Map<String, Object> next = new LinkedHashMap<>();
            next.put("name", options.upgradeTo().describe());
            next.put("sha256", options.upgradeTo().sha256());
            extension.put("upgradeTo", next);
        }
        header.put("extension", extension);
        header.put("scope", source.declaredScope().toHeader());
        header.put("cloud", cloud.dialect().name());
        // What the run assumes beyond what PhotoKit documents (RunOptions.KNOWN_ASSUMPTIONS); [] = none.
        header.put("assumptions", List.copyOf(options.assumptions()));
        // A dialect the strict stub can judge only by the shape of its requests (docs/cloud.md).
        CloudDialects.protocolShapeOnly(cloud.dialect().name(), options.bodyInHeaders())
                .ifPresent(why -> header.put("protocolShapeOnly", why));
        header.put("workload", plan.workload());
        if (profileOs != null) {
            header.put("osRaisedFrom", profileOs);
        }
        Map<String, Object> libraryInfo = new LinkedHashMap<>();
        libraryInfo.put("assets", library.assets().size());
        resourcesAtStart = library.liveResources().size();
        libraryInfo.put("resources", resourcesAtStart);
        libraryInfo.put("bytes", library.liveResources().stream().mapToLong(AssetResource::fileSize).sum());
        header.put("library", libraryInfo);
        header.put("policy", policy);
        Map<String, Object> planInfo = new LinkedHashMap<>();
        planInfo.put("phases", plan.phases());
        planInfo.put("faults", PlanJson.faults(plan.faults()));
        header.put("plan", planInfo);
        trace.header(header);
    }

    private RunResult finish(String endReason) {
        TreeMap<String, Integer> byState = new TreeMap<>();
        int unacknowledged = 0;
        for (JobRecord job : jobs.allJobs()) {
            String key;
            if (job.state() == JobState.CANCELLED) {
                key = "CANCELLED";
            } else if (job.acknowledged()) {
                key = job.state().name() + "+ack";
            } else {
                key = job.state().name();
                unacknowledged++;
            }
            byState.merge(key, 1, Integer::sum);
        }
        CloudInventory inventory = cloud.inventory();
        TreeMap<String, CloudInventory.StoredObject> bySha = inventory.objectsBySha256();
        List<AssetResource> resources = new ArrayList<>();
        int ineligible = 0;
        for (AssetResource resource : library.liveResources()) {
            if (cloud.dialect().accepts(resource.fileSize())) {
                resources.add(resource);
            } else {
                ineligible++;
            }
        }
        int uploaded = 0;
        // duplicates per stay of the account on this server (host.server: the writes of an earlier stay,
        // before a move away and back, are not the extension's to know of; DUP-02 counts alike)
        TreeMap<String, Integer> writesPerSha = new TreeMap<>();
        TreeMap<String, java.util.TreeSet<Integer>> staysPerSha = new TreeMap<>();
        for (CloudInventory.Write write : inventory.writes()) {
            writesPerSha.merge(write.sha256(), 1, Integer::sum);
            staysPerSha.computeIfAbsent(write.sha256(), k -> new java.util.TreeSet<>()).add(write.stay());
        }
        int duplicates = 0;
        for (AssetResource resource : resources) {
            String sha = payloads.sha256(resource);
            if (bySha.containsKey(sha)) {
                uploaded++;
            }
            duplicates += Math.max(0, writesPerSha.getOrDefault(sha, 0) - staysPerSha.getOrDefault(sha, new java.util.TreeSet<>()).size());
        }
        int missing = resources.size() - uploaded;
        Trace.Line end = trace.at(clock.now(), "run.end").str("reason", endReason);
        if (endReason.equals("stalled")) {
            end.num("stillFor", STALL_AFTER_MS); // nothing moved for this long after the recovery activity ended
        }
        end.num("activations", activations).num("uploaded", uploaded).num("resources", resources.size())
                .num("unacked", unacknowledged).end();
        RunSummary summary = new RunSummary(plan.seed(), plan.profile(), source.describe(), source.sha256(),
                cloud.dialect().name(), endReason, activations, generation, kills,
                java.util.Collections.unmodifiableSortedMap(outcomes), java.util.Collections.unmodifiableSortedMap(byState),
                jobs.allJobs().size(), unacknowledged, resources.size(), uploaded, missing, ineligible, inventory.objects().size(),
                duplicates, inventory.refusals().size(), uploader.bytesDeclared(), uploader.bytesSent(), clock.now(),
                trace.events(), refusedCalls, penalties, 0,
                options.traceFile() == null ? null : options.traceFile().toString(), host.isolation());
        return new RunResult(summary, options.traceFile() == null ? trace.text() : null, inventory, library, files,
                jobs.allJobs(), payloads, hostingFacts());
    }

    // --- SimulatedSystem -------------------------------------------------------------------

    @Override
    public ReentrantLock lock() {
        return lock;
    }

    @Override
    public VirtualClock clock() {
        return clock;
    }

    @Override
    public Trace trace() {
        return trace;
    }

    @Override
    public SimulatedLibrary library() {
        return library;
    }

    @Override
    public JobStore jobs() {
        return jobs;
    }

    @Override
    public AppGroupFiles files() {
        return files;
    }

    @Override
    public ExtensionNetwork network() {
        return network;
    }

    @Override
    public SystemPolicy policy() {
        return policy;
    }

    @Override
    public org.upcert.harness.plan.Workload workload() {
        return workload;
    }

    @Override
    public int appUpdates() {
        return appUpdates;
    }

    @Override
    public URI uploadUrlBase() {
        return cloud.uploadUrlBase();
    }

    @Override
    public SortedMap<String, String> configuration() {
        return configuration;
    }

    @Override
    public ExtensionProcess process() {
        return process;
    }

    @Override
    public long memoryBudgetBytes() {
        return faults.memoryBudgetBytes(org.upcert.harness.host.DeviceCosts.MEMORY_BUDGET_BYTES);
    }

    @Override
    public boolean iCloudDownloadFails() {
        return faults.iCloudDownloadFails(clock.now());
    }

    @Override
    public byte[] payload(org.upcert.api.AssetResource resource) {
        return payloads.bytes(resource);
    }

    @Override
    public long runLogLines() {
        return runLogLines;
    }

    @Override
    public void countRunLogLines(long lines) {
        runLogLines += lines;
    }

    @Override
    public void runSystemEventsUpTo(long t) {
        while (events.runNextUpTo(t, clock)) {
            // each event may schedule more; run them all in order
        }
    }

    @Override
    public boolean runNextSystemEventUpTo(long t) {
        return events.runNextUpTo(t, clock);
    }

    @Override
    public long processEndingEventUpTo(long t) {
        return events.firstDueUpTo(t, FaultSchedule::endsTheProcess);
    }

    @Override
    public void refused(int activation, String api, String reason) {
        count(refusals, refusalKeys, activation, named(api), named(reason));
    }

    @Override
    public void sandboxViolation(int activation, String kind, String what) {
        count(violations, violationKeys, activation, named(kind), named(what));
    }

    /** {@code text} cut to {@link #MAX_NAMED_CHARS}, the rest counted. */
    static String named(String text) {
        return clip(text, MAX_NAMED_CHARS);
    }

    private static void count(java.util.concurrent.ConcurrentHashMap<List<String>, java.util.concurrent.atomic.AtomicLong> counts,
            java.util.Set<List<String>> seen, int activation, String name, String detail) {
        List<String> key = List.of(Integer.toString(activation), String.valueOf(name), String.valueOf(detail));
        if (!seen.contains(key)) {
            if (seen.size() >= MAX_DISTINCT_NAMES) {
                key = List.of(Integer.toString(activation), OTHER_NAMES, "");
            } else {
                seen.add(key);
            }
        }
        counts.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    }

    @Override
    public void close() {
        try {
            try {
                host.close();
            } finally {
                if (upgradedHost != null && upgradedHost != host) {
                    upgradedHost.close();
                }
                if (firstHost != host && firstHost != upgradedHost) {
                    firstHost.close();
                }
            }
        } finally {
            firstServer.close();
            if (secondServer != null) {
                secondServer.close();
            }
            transport.close();
        }
    }
}
