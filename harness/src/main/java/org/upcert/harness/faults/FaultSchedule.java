package org.upcert.harness.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.upcert.api.Asset;
import org.upcert.api.AuthorizationStatus;
import org.upcert.harness.library.LibraryGenerator;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.scheduler.DeviceConditions;
import org.upcert.harness.sim.EventQueue;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.harness.trace.Trace;
import org.upcert.harness.upload.RequestFaults;

/**
 * Executes a plan's timed faults: schedules each window's start and end on the event queue,
 * applies it to the device, network, library or consent state, and answers the uploader's and
 * the extension network's "what happens to this request?" from the windows open at that moment.
 *
 * <p>Overlapping windows of one kind stack (the network is back only when every offline window
 * has ended). Each probabilistic fault draws from its own stream, {@code seed → "fault-" + index},
 * in request order, so a replay makes the same decisions.
 *
 * <p>When the recovery phase begins every open window is closed, nothing else fires, and the
 * phase's ordinary library activity (a new photo now and then) starts. Every applied fault is
 * traced as {@code fault.start} / {@code fault.end} / {@code fault.fire}.
 */
public final class FaultSchedule implements RequestFaults {

    /** What the rest of the system must do when a fault changes the world. */
    public interface Effects {
        /** The network went away: in-flight transfers fail. */
        void networkLost();

        /** Only an expensive network remains and the options forbid it: in-flight transfers fail. */
        void expensiveOnly();

        /** Any condition changed: restart withheld work if now allowed. */
        void conditionsChanged();

        /** The library changed (assets added, deleted, offloaded). */
        void libraryChanged();

        /** The host app re-enabled the extension. */
        void extensionEnabled();

        /** The host app disabled the extension: pending calls are dropped. */
        void extensionDisabled();

        /** The device restarted: the process ends, transfers in flight fail. */
        default void deviceRestarted() {
        }

        /** The container's protected files became unreadable ({@code true}) or readable again. */
        default void storageLocked(boolean locked) {
        }

        /**
         * The device installed iOS {@code to} and restarted into it (os.upgrade); returns whether
         * the level changed (false when the device was already at or above it).
         */
        default boolean osUpgraded(String to) {
            return false;
        }

        /** The app was updated (app.upgrade): the process ends, the next launch runs the new build. */
        default void appUpgraded() {
        }

        /**
         * The host app's account credentials changed: {@code signedIn} false revokes every token
         * and the client secret (sign-out); true revokes them and issues a new secret, which the
         * extension's configuration carries from its next call (a new sign-in).
         */
        default void credentialsChanged(boolean signedIn) {
        }

        /**
         * The user opened the host app, which uploads the resources (larger than {@code aboveMB}
         * MB when above 0) of the {@code count} most recently taken assets itself (host.upload,
         * fault {@code index}); {@code signedIn} false while a host.signout holds the account
         * signed out: a signed-out app uploads nothing.
         */
        default void hostUploaded(int index, int count, int aboveMB, boolean signedIn) {
        }

        /**
         * The host app took ({@code held}) or released the app group's file lock (host.filelock):
         * the extension's writes fail while it is held, and its reads too when {@code reads}.
         */
        default void hostFileLock(boolean held, boolean reads) {
        }

        /**
         * The user moved the host app to another server or account (host.server, fault {@code
         * index}); {@code signedIn} false while a host.signout holds the account signed out: a
         * signed-out app changes nothing.
         */
        default void serverChanged(int index, boolean signedIn) {
        }
    }

    private final RunPlan plan;
    private final VirtualClock clock;
    private final EventQueue events;
    private final Trace trace;
    private final DeviceConditions conditions;
    private final SimulatedLibrary library;
    private final LibraryGenerator generator;
    private final Effects effects;
    private final SimRandom root;
    private final long recoveryAt;
    private final List<Window> open = new ArrayList<>();
    private final TreeMap<Integer, SimRandom> streams = new TreeMap<>();
    private boolean recovering;
    /** Whether a host.signout window holds the account signed out. */
    private boolean signedOut;
    /** The device's OS level now: the plan's, until an os.upgrade raises it. */
    private String os;
    private int recoveryAssetsAdded;
    private long recoveryActivityEndedAt = -1;

    /** An open window of a probabilistic or stacking fault. */
    private record Window(int index, PlannedFault.Timed fault) {
    }

    public FaultSchedule(RunPlan plan, VirtualClock clock, EventQueue events, Trace trace, DeviceConditions conditions,
            SimulatedLibrary library, LibraryGenerator generator, Effects effects) {
        this.plan = plan;
        this.clock = clock;
        this.events = events;
        this.trace = trace;
        this.conditions = conditions;
        this.library = library;
        this.generator = generator;
        this.effects = effects;
        this.root = new SimRandom(plan.seed()).fork("faults");
        this.recoveryAt = plan.phases().recovery() ? plan.phases().faultPhaseMs() : Long.MAX_VALUE;
        this.os = plan.workload().os();
    }

    /** Schedules every timed fault and the start of the recovery phase. */
    public void install() {
        List<PlannedFault> faults = plan.faults();
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i) instanceof PlannedFault.Timed timed && timed.from() < recoveryAt) {
                int index = i;
                events.schedule(timed.from(), "fault " + timed.kind(), () -> start(index, timed));
                if (timed.until() > timed.from() && timed.until() < recoveryAt) {
                    events.schedule(timed.until(), "fault-end " + timed.kind(), () -> end(index, timed));
                }
            }
        }
        if (recoveryAt != Long.MAX_VALUE) {
            events.schedule(recoveryAt, "recovery", this::beginRecovery);
        }
    }

    /**
     * Whether the event {@code label} (as {@link #install} names it) starts a fault that may end the
     * extension's process: a device restart, an OS update (it restarts the device) or an app update.
     * Whether it does is known only when it runs (an OS update to a level the device has is skipped,
     * a fault in the recovery phase does nothing).
     */
    public static boolean endsTheProcess(String label) {
        return label.equals("fault device.reboot") || label.equals("fault os.upgrade") || label.equals("fault app.upgrade");
    }

    /** Whether faults may still strike (process faults consult this too). */
    public boolean inFaultPhase() {
        return !recovering;
    }

    // --- windows -----------------------------------------------------------------------------

    private void start(int index, PlannedFault.Timed fault) {
        if (recovering) {
            return;
        }
        Trace.Line line = trace.at(clock.now(), "fault.start").num("fault", index).str("kind", fault.kind());
        if (fault.until() > fault.from()) {
            line.num("until", fault.until());
        }
        line.end();
        if (fault instanceof PlannedFault.AssetsAdded added) {
            addAssets(index, added.count());
        } else if (fault instanceof PlannedFault.AssetsDeleted deleted) {
            deleteAssets(index, deleted.count());
        } else if (fault instanceof PlannedFault.AssetsOffloaded offloaded) {
            offloadAssets(index, offloaded.count());
        } else if (fault instanceof PlannedFault.TokenExpiry) {
            library.expireHistory();
        } else if (fault instanceof PlannedFault.Battery battery) {
            conditions.setBatteryPercent(battery.percent());
            effects.conditionsChanged();
        } else if (fault instanceof PlannedFault.OsUpgrade upgrade) {
            if (effects.osUpgraded(upgrade.to())) {
                os = upgrade.to();
            }
        } else if (fault instanceof PlannedFault.AppUpgrade) {
            effects.appUpgraded();
        } else if (fault instanceof PlannedFault.HostUpload upload) {
            effects.hostUploaded(index, upload.count(), upload.aboveMB(), !signedOut);
        } else if (fault instanceof PlannedFault.ServerChanged) {
            effects.serverChanged(index, !signedOut);
        } else if (fault instanceof PlannedFault.CredentialsChanged) {
            effects.credentialsChanged(!signedOut); // signed out meanwhile: the next sign-in brings them
        } else if (fault instanceof PlannedFault.DeviceReboot) {
            effects.deviceRestarted();
            open.add(new Window(index, fault));
            applyWindows();
        } else {
            open.add(new Window(index, fault));
            applyWindows();
        }
    }

    private void end(int index, PlannedFault.Timed fault) {
        if (recovering) {
            return;
        }
        if (open.removeIf(window -> window.index() == index)) {
            trace.at(clock.now(), "fault.end").num("fault", index).str("kind", fault.kind()).end();
            applyWindows();
        }
    }

    /**
     * When the recovery phase's own activity ended — it began with no recovery photos to add, or
     * its last photo was added — or -1 while it has not: from then on nothing outside the
     * extension changes the library or the conditions.
     */
    public long recoveryActivityEndedAt() {
        return recoveryActivityEndedAt;
    }

    private void beginRecovery() {
        trace.at(clock.now(), "phase.recovery").num("closed", open.size()).end();
        recovering = true;
        open.clear();
        applyWindows();
        if (plan.phases().newAssetEveryMs() > 0 && plan.phases().recoveryNewAssets() > 0) {
            events.schedule(clock.now() + plan.phases().newAssetEveryMs(), "recovery photo", this::recoveryPhoto);
        } else {
            recoveryActivityEndedAt = clock.now();
        }
    }

    private void recoveryPhoto() {
        recoveryAssetsAdded++;
        Asset asset = generator.newAsset(plan.workload(), VirtualClock.instantAt(clock.now()));
        library.insert(asset);
        trace.at(clock.now(), "library.insert").str("asset", asset.localIdentifier()).str("why", "recovery activity").end();
        effects.libraryChanged();
        if (recoveryAssetsAdded < plan.phases().recoveryNewAssets()) {
            events.schedule(clock.now() + plan.phases().newAssetEveryMs(), "recovery photo", this::recoveryPhoto);
        } else {
            recoveryActivityEndedAt = clock.now();
        }
    }

    /** Recomputes every condition from the open windows, and tells the system what changed. */
    private void applyWindows() {
        boolean wasUp = conditions.networkUp();
        boolean wasExpensive = conditions.expensiveNetwork();
        boolean offline = false;
        boolean expensive = false;
        boolean lowPower = false;
        boolean unplugged = false;
        DeviceConditions.Thermal thermal = DeviceConditions.Thermal.NOMINAL;
        long latency = -1;
        long uplink = -1;
        AuthorizationStatus access = AuthorizationStatus.AUTHORIZED;
        boolean disabled = false;
        boolean locked = false;
        boolean signOut = false;
        boolean hostLock = false;
        boolean hostLockReads = false;
        for (Window window : open) {
            PlannedFault.Timed fault = window.fault();
            if (fault instanceof PlannedFault.NetworkOffline) {
                offline = true;
            } else if (fault instanceof PlannedFault.ExpensiveNetwork) {
                expensive = true;
            } else if (fault instanceof PlannedFault.LowPower) {
                lowPower = true;
            } else if (fault instanceof PlannedFault.Unplugged) {
                unplugged = true;
            } else if (fault instanceof PlannedFault.Thermal t) {
                DeviceConditions.Thermal level = DeviceConditions.Thermal.valueOf(t.level().toUpperCase(Locale.ROOT));
                if (level.compareTo(thermal) > 0) {
                    thermal = level;
                }
            } else if (fault instanceof PlannedFault.NetworkDegraded d) {
                latency = d.latencyMs();
                uplink = d.uplinkKbps();
            } else if (fault instanceof PlannedFault.AccessChanged a) {
                access = AuthorizationStatus.valueOf(a.status().toUpperCase(Locale.ROOT));
            } else if (fault instanceof PlannedFault.ExtensionDisabled) {
                disabled = true;
            } else if (fault instanceof PlannedFault.DeviceReboot || fault instanceof PlannedFault.DeviceLocked) {
                locked = true; // until the (first) unlock: the window's end; device.locked without a restart
            } else if (fault instanceof PlannedFault.SignedOut) {
                signOut = true;
                disabled = true; // the host app disables the extension on sign-out (reference §3)
            } else if (fault instanceof PlannedFault.HostFileLock lock) {
                hostLock = true;
                hostLockReads |= lock.reads();
            }
            // per-request faults stay open too: decide() consults them
        }
        conditions.setNetworkUp(!offline);
        conditions.setExpensiveNetwork(expensive);
        conditions.setLowPowerMode(lowPower);
        conditions.setCharging(!unplugged);
        conditions.setThermal(thermal);
        conditions.setNetworkQuality(latency, uplink);
        boolean wasEnabled = library.extensionEnabled();
        boolean accessRestored = library.authorization() != AuthorizationStatus.AUTHORIZED
                && access == AuthorizationStatus.AUTHORIZED;
        library.setAuthorization(access);
        library.setExtensionEnabled(!disabled);
        if (wasUp && offline) {
            effects.networkLost();
        } else if (!wasExpensive && expensive && plan.policy().preventsExpensiveNetworkAccess()
                && plan.workload().withOs(os).osAtLeast("27")) {
            effects.expensiveOnly();
        }
        if (!wasEnabled && !disabled) {
            effects.extensionEnabled();
        } else if (wasEnabled && disabled) {
            effects.extensionDisabled();
        }
        effects.storageLocked(locked);
        effects.hostFileLock(hostLock, hostLockReads);
        if (signOut != signedOut) {
            signedOut = signOut;
            effects.credentialsChanged(!signOut); // out: everything revoked; back in: new credentials
        }
        if (accessRestored) {
            // The whole library becomes visible again: to the system that is a library change.
            effects.libraryChanged();
        }
        effects.conditionsChanged();
    }

    // --- library churn ------------------------------------------------------------------------

    private void addAssets(int index, int count) {
        for (int i = 0; i < count; i++) {
            Asset asset = generator.newAsset(plan.workload(), VirtualClock.instantAt(clock.now()));
            library.insert(asset);
            trace.at(clock.now(), "library.insert").str("asset", asset.localIdentifier()).num("fault", index).end();
        }
        effects.libraryChanged();
    }

    private void deleteAssets(int index, int count) {
        SimRandom rng = stream(index);
        for (int i = 0; i < count && !library.assets().isEmpty(); i++) {
            List<Asset> assets = library.assets();
            String id = assets.get(rng.nextInt(assets.size())).localIdentifier();
            library.delete(id);
            trace.at(clock.now(), "library.delete").str("asset", id).num("fault", index).end();
        }
        effects.libraryChanged();
    }

    private void offloadAssets(int index, int count) {
        SimRandom rng = stream(index);
        for (int i = 0; i < count && !library.assets().isEmpty(); i++) {
            List<Asset> assets = library.assets();
            String id = assets.get(rng.nextInt(assets.size())).localIdentifier();
            library.offload(id);
            trace.at(clock.now(), "library.offload").str("asset", id).num("fault", index).end();
        }
        effects.libraryChanged();
    }

    // --- per-request decisions ----------------------------------------------------------------

    @Override
    public Fate decide(String channel, long now) {
        if (recovering) {
            return Fate.NORMAL;
        }
        for (Window window : open) {
            PlannedFault.Timed fault = window.fault();
            Fate fate = null;
            if (fault instanceof PlannedFault.TransferDrop d && fires(window, d.probability())) {
                fate = new Fate.Drop(d.afterBytes());
            } else if (fault instanceof PlannedFault.ResponseLost r && fires(window, r.probability())) {
                fate = new Fate.ResponseLost();
            } else if (fault instanceof PlannedFault.CloudError e && fires(window, e.probability())) {
                fate = new Fate.CloudError(e.status(), e.retryAfterSeconds());
            } else if (fault instanceof PlannedFault.SlowResponse s && fires(window, s.probability())) {
                fate = new Fate.Slow(s.delayMs());
            } else if (fault instanceof PlannedFault.MalformedResponse m && fires(window, m.probability())) {
                fate = new Fate.Malformed(m.form());
            }
            if (fate != null) {
                trace.at(now, "fault.fire").num("fault", window.index()).str("kind", window.fault().kind())
                        .str("on", channel).end();
                return fate;
            }
        }
        return Fate.NORMAL;
    }

    @Override
    public boolean iCloudDownloadFails(long now) {
        if (recovering) {
            return false;
        }
        for (Window window : open) {
            if (window.fault() instanceof PlannedFault.ICloudDownloadFailure f && fires(window, f.probability())) {
                trace.at(now, "fault.fire").num("fault", window.index()).str("kind", f.kind()).str("on", "icloud").end();
                return true;
            }
        }
        return false;
    }

    /**
     * The process's memory budget now: {@code base}, lowered to the lowest {@code budgetMiB} of the
     * open {@code memory.pressure} windows, less the sum of their {@code pressureMiB} (never below 0).
     */
    public long memoryBudgetBytes(long base) {
        long budget = base;
        long pressure = 0;
        for (Window window : open) {
            if (window.fault() instanceof PlannedFault.MemoryPressure m) {
                if (m.budgetMiB() > 0) {
                    budget = Math.min(budget, m.budgetMiB() * 1024L * 1024L);
                }
                pressure += m.pressureMiB() * 1024L * 1024L;
            }
        }
        return Math.max(0, budget - pressure);
    }

    private boolean fires(Window window, double probability) {
        return probability >= 1.0 || stream(window.index()).nextDouble() < probability;
    }

    private SimRandom stream(int index) {
        return streams.computeIfAbsent(index, i -> root.fork("fault-" + i));
    }
}
