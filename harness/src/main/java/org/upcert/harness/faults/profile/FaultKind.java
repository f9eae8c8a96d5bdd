package org.upcert.harness.faults.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.sim.SimRandom;

/**
 * The fault kinds a profile may name: one per {@link PlannedFault} record, spelt as its {@code
 * kind()}. Each knows its shape (pinned to activations, a window of time, or an instant), whether
 * its record carries a per-operation probability, its parameters with their defaults, and how one
 * occurrence becomes a {@link PlannedFault}.
 */
public enum FaultKind {
    PROCESS_KILL("process.kill", Shape.PINNED, false, "atCall") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.HardKill(o.activation(), (int) range(p, "atCall", DEFAULT_CALLS).draw(r));
        }
    },
    PROCESS_NOTICE("process.notice", Shape.PINNED, false, "atCall") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.TerminationNotice(o.activation(), (int) range(p, "atCall", DEFAULT_CALLS).draw(r));
        }
    },
    PROCESS_KILL_IN_CHANGES("process.kill-in-changes", Shape.PINNED, false, "atBlock", "commit") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            int block = (int) range(p, "atBlock", IntRange.exactly(1)).draw(r);
            String commit = text(p, "commit", "either");
            boolean after = commit.equals("either") ? r.nextInt(2) == 1 : commit.equals("after");
            return new PlannedFault.KillInChanges(o.activation(), block, after);
        }
    },
    JOBS_LIMIT("jobs.limit", Shape.PINNED, false, "atCall", "limit") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            int atCall = (int) range(p, "atCall", DEFAULT_CALLS).draw(r);
            return new PlannedFault.JobLimitDip(o.activation(), atCall, (int) range(p, "limit", IntRange.exactly(1)).draw(r));
        }
    },
    JOBS_LIMIT_AT_COMMIT("jobs.limit-at-commit", Shape.PINNED, false, "atBlock", "limit") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            int block = (int) range(p, "atBlock", IntRange.exactly(1)).draw(r);
            return new PlannedFault.JobLimitAtCommit(o.activation(), block, (int) range(p, "limit", IntRange.exactly(1)).draw(r));
        }
    },
    LIBRARY_FLAKY("library.flaky", Shape.PINNED, false, "mode", "code") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            String mode = text(p, "mode", "empty");
            int code = p.has("code") ? p.get("code").intValue() : -1;
            return new PlannedFault.LibraryFlaky(o.activation(), mode, code);
        }
    },
    NETWORK_OFFLINE("network.offline", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.NetworkOffline(o.from(), o.until());
        }
    },
    NETWORK_DEGRADED("network.degraded", Shape.WINDOW, false, "latency", "uplinkKbps") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.NetworkDegraded(o.from(), o.until(), duration(p, "latency", 400),
                    p.has("uplinkKbps") ? p.get("uplinkKbps").longValue() : 1_000);
        }
    },
    NETWORK_EXPENSIVE("network.expensive", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.ExpensiveNetwork(o.from(), o.until());
        }
    },
    NETWORK_DROP("network.drop", Shape.WINDOW, true, "afterBytes") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.TransferDrop(o.from(), o.until(), o.probability(),
                    range(p, "afterBytes", IntRange.exactly(1_024)).draw(r));
        }
    },
    NETWORK_RESPONSE_LOST("network.response-lost", Shape.WINDOW, true) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.ResponseLost(o.from(), o.until(), o.probability());
        }
    },
    CLOUD_ERROR("cloud.error", Shape.WINDOW, true, "status", "retryAfter") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            JsonNode status = p.get("status");
            int chosen = status.isArray() ? status.get(status.size() == 1 ? 0 : r.nextInt(status.size())).intValue()
                    : status.intValue();
            return new PlannedFault.CloudError(o.from(), o.until(), o.probability(), chosen,
                    duration(p, "retryAfter", 0) / 1_000);
        }
    },
    CLOUD_SLOW("cloud.slow", Shape.WINDOW, true, "delay") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.SlowResponse(o.from(), o.until(), o.probability(), duration(p, "delay", 0));
        }
    },
    CLOUD_MALFORMED("cloud.malformed", Shape.WINDOW, true, "form") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.MalformedResponse(o.from(), o.until(), o.probability(), text(p, "form", "garbage"));
        }
    },
    DEVICE_LOW_POWER("device.low-power", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.LowPower(o.from(), o.until());
        }
    },
    DEVICE_THERMAL("device.thermal", Shape.WINDOW, false, "level") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.Thermal(o.from(), o.until(), text(p, "level", "serious"));
        }
    },
    DEVICE_UNPLUGGED("device.unplugged", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.Unplugged(o.from(), o.until());
        }
    },
    DEVICE_REBOOT("device.reboot", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.DeviceReboot(o.from(), o.until());
        }
    },
    DEVICE_LOCKED("device.locked", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.DeviceLocked(o.from(), o.until());
        }
    },
    OS_UPGRADE("os.upgrade", Shape.INSTANT, false, "to") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            JsonNode to = p.get("to");
            // YAML may spell a level as a number (to: 27, to: 26.5), as the workload's os
            return new PlannedFault.OsUpgrade(o.from(), o.until(), to == null ? "27" : to.asText());
        }
    },
    APP_UPGRADE("app.upgrade", Shape.INSTANT, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.AppUpgrade(o.from(), o.until());
        }
    },
    DEVICE_BATTERY("device.battery", Shape.INSTANT, false, "percent") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.Battery(o.from(), o.until(), (int) range(p, "percent", IntRange.exactly(50)).draw(r));
        }
    },
    MEMORY_PRESSURE("memory.pressure", Shape.WINDOW, false, "budgetMiB", "pressureMiB") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.MemoryPressure(o.from(), o.until(), (int) range(p, "budgetMiB", IntRange.exactly(0)).draw(r),
                    (int) range(p, "pressureMiB", IntRange.exactly(0)).draw(r));
        }
    },
    LIBRARY_ADD("library.add", Shape.INSTANT, false, "count") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.AssetsAdded(o.from(), o.until(), (int) range(p, "count", IntRange.exactly(1)).draw(r));
        }
    },
    LIBRARY_DELETE("library.delete", Shape.INSTANT, false, "count") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.AssetsDeleted(o.from(), o.until(), (int) range(p, "count", IntRange.exactly(1)).draw(r));
        }
    },
    LIBRARY_OFFLOAD("library.offload", Shape.INSTANT, false, "count") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.AssetsOffloaded(o.from(), o.until(), (int) range(p, "count", IntRange.exactly(1)).draw(r));
        }
    },
    ICLOUD_DOWNLOAD("icloud.download", Shape.WINDOW, true) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.ICloudDownloadFailure(o.from(), o.until(), o.probability());
        }
    },
    LIBRARY_TOKEN_EXPIRY("library.token-expiry", Shape.INSTANT, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.TokenExpiry(o.from(), o.until());
        }
    },
    CONSENT_ACCESS("consent.access", Shape.WINDOW, false, "status") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            // The plan spells statuses as org.upcert.api.AuthorizationStatus constants.
            String status = text(p, "status", "limited").toUpperCase(Locale.ROOT).replace('-', '_');
            return new PlannedFault.AccessChanged(o.from(), o.until(), status);
        }
    },
    CONSENT_DISABLED("consent.disabled", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.ExtensionDisabled(o.from(), o.until());
        }
    },
    HOST_CREDENTIALS("host.credentials", Shape.INSTANT, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.CredentialsChanged(o.from(), o.until());
        }
    },
    HOST_SIGNOUT("host.signout", Shape.WINDOW, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.SignedOut(o.from(), o.until());
        }
    },
    HOST_UPLOAD("host.upload", Shape.INSTANT, false, "count", "aboveMB") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.HostUpload(o.from(), o.until(), (int) range(p, "count", IntRange.exactly(3)).draw(r),
                    (int) range(p, "aboveMB", IntRange.exactly(0)).draw(r));
        }
    },
    HOST_FILELOCK("host.filelock", Shape.WINDOW, false, "reads") {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.HostFileLock(o.from(), o.until(), p.has("reads") && p.get("reads").asBoolean());
        }
    },
    HOST_SERVER("host.server", Shape.INSTANT, false) {
        @Override
        PlannedFault make(Occurrence o, ObjectNode p, SimRandom r) {
            return new PlannedFault.ServerChanged(o.from(), o.until());
        }
    };

    /** How a kind is scheduled. */
    public enum Shape {
        /** Pinned to activations and an API call (or change block) within each: {@code activations}. */
        PINNED,
        /** Lasts a window of virtual time: {@code at} + {@code duration}, {@code every} + {@code duration}, or {@code during}. */
        WINDOW,
        /** Happens at a moment: {@code at} or {@code every}; its plan entry has {@code until == from}. */
        INSTANT
    }

    /** Default API call for process.kill and process.notice: somewhere in the first 30 calls. */
    static final IntRange DEFAULT_CALLS = new IntRange(1, 30);

    private final String kind;
    private final Shape shape;
    private final boolean perOperationProbability;
    private final List<String> parameters;

    FaultKind(String kind, Shape shape, boolean perOperationProbability, String... parameters) {
        this.kind = kind;
        this.shape = shape;
        this.perOperationProbability = perOperationProbability;
        this.parameters = List.of(parameters);
    }

    /** The kind as profiles, plans and traces spell it, e.g. {@code network.offline}. */
    public String kind() {
        return kind;
    }

    public Shape shape() {
        return shape;
    }

    /** Whether {@code probability} applies per transfer/request inside each window (it is a field of the record). */
    public boolean perOperationProbability() {
        return perOperationProbability;
    }

    /** The kind's own parameters (besides kind, the schedule and the two probabilities). */
    public List<String> parameters() {
        return parameters;
    }

    public static Optional<FaultKind> of(String kind) {
        for (FaultKind k : values()) {
            if (k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** Every kind's spelling, in declaration order. */
    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(FaultKind::kind).toList();
    }

    /**
     * One concrete fault for one occurrence. Ranges among the parameters are drawn from {@code
     * random} (the fault's own stream), in the order the parameters are listed.
     */
    abstract PlannedFault make(Occurrence occurrence, ObjectNode parameters, SimRandom random);

    /**
     * One occurrence of a fault: an activation for pinned kinds, a window for timed ones, plus
     * the per-operation probability for kinds that carry one.
     */
    record Occurrence(int activation, long from, long until, double probability) {
    }

    static IntRange range(ObjectNode p, String name, IntRange fallback) {
        JsonNode node = p.get(name);
        if (node == null) {
            return fallback;
        }
        if (node.isObject()) {
            return new IntRange(node.get("min").longValue(), node.get("max").longValue());
        }
        return IntRange.exactly(node.longValue());
    }

    static long duration(ObjectNode p, String name, long fallback) {
        JsonNode node = p.get(name);
        if (node == null) {
            return fallback;
        }
        return node.isIntegralNumber() ? node.longValue() : Durations.parse(node.textValue()).orElseThrow();
    }

    static String text(ObjectNode p, String name, String fallback) {
        JsonNode node = p.get(name);
        return node == null ? fallback : node.textValue();
    }
}
