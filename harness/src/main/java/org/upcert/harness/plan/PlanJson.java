package org.upcert.harness.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plan as JSON-ready maps ({@code kind} first, then the fault's fields in declaration order),
 * and back: a trace header's plan, policy and workload read into a {@link RunPlan} again, which
 * is how a run is replayed from its trace.
 */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Every fault kind and its plan record; PlanJsonTest keeps it complete. */
    private static final TreeMap<String, Class<? extends PlannedFault>> KINDS = new TreeMap<>(Map.ofEntries(
            Map.entry("process.kill", PlannedFault.HardKill.class),
            Map.entry("process.notice", PlannedFault.TerminationNotice.class),
            Map.entry("process.kill-in-changes", PlannedFault.KillInChanges.class),
            Map.entry("jobs.limit", PlannedFault.JobLimitDip.class),
            Map.entry("jobs.limit-at-commit", PlannedFault.JobLimitAtCommit.class),
            Map.entry("library.flaky", PlannedFault.LibraryFlaky.class),
            Map.entry("memory.pressure", PlannedFault.MemoryPressure.class),
            Map.entry("icloud.download", PlannedFault.ICloudDownloadFailure.class),
            Map.entry("device.reboot", PlannedFault.DeviceReboot.class),
            Map.entry("device.locked", PlannedFault.DeviceLocked.class),
            Map.entry("os.upgrade", PlannedFault.OsUpgrade.class),
            Map.entry("app.upgrade", PlannedFault.AppUpgrade.class),
            Map.entry("network.offline", PlannedFault.NetworkOffline.class),
            Map.entry("network.degraded", PlannedFault.NetworkDegraded.class),
            Map.entry("network.expensive", PlannedFault.ExpensiveNetwork.class),
            Map.entry("network.drop", PlannedFault.TransferDrop.class),
            Map.entry("network.response-lost", PlannedFault.ResponseLost.class),
            Map.entry("cloud.error", PlannedFault.CloudError.class),
            Map.entry("cloud.slow", PlannedFault.SlowResponse.class),
            Map.entry("cloud.malformed", PlannedFault.MalformedResponse.class),
            Map.entry("device.low-power", PlannedFault.LowPower.class),
            Map.entry("device.thermal", PlannedFault.Thermal.class),
            Map.entry("device.unplugged", PlannedFault.Unplugged.class),
            Map.entry("device.battery", PlannedFault.Battery.class),
            Map.entry("library.add", PlannedFault.AssetsAdded.class),
            Map.entry("library.delete", PlannedFault.AssetsDeleted.class),
            Map.entry("library.offload", PlannedFault.AssetsOffloaded.class),
            Map.entry("library.token-expiry", PlannedFault.TokenExpiry.class),
            Map.entry("consent.access", PlannedFault.AccessChanged.class),
            Map.entry("consent.disabled", PlannedFault.ExtensionDisabled.class),
            Map.entry("host.credentials", PlannedFault.CredentialsChanged.class),
            Map.entry("host.signout", PlannedFault.SignedOut.class),
            Map.entry("host.upload", PlannedFault.HostUpload.class),
            Map.entry("host.filelock", PlannedFault.HostFileLock.class),
            Map.entry("host.server", PlannedFault.ServerChanged.class)));

    /** A plan's JSON could not be read back; the message says which part and why. */
    public static final class PlanFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        public PlanFormatException(String message) {
            super(message);
        }
    }

    private PlanJson() {
    }

    public static List<Map<String, Object>> faults(List<PlannedFault> faults) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PlannedFault fault : faults) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", fault.kind());
            for (var component : fault.getClass().getRecordComponents()) {
                try {
                    entry.put(component.getName(), component.getAccessor().invoke(fault));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            out.add(entry);
        }
        return out;
    }

    /** One line per fault, for printing a plan before a run. */
    public static List<String> lines(List<PlannedFault> faults) {
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> fault : faults(faults)) {
            try {
                lines.add(MAPPER.writeValueAsString(fault));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return lines;
    }

    /** The kinds the reader knows, sorted. */
    public static List<String> kinds() {
        return List.copyOf(KINDS.keySet());
    }

    /** The record class of a kind. */
    public static Class<? extends PlannedFault> recordOf(String kind) {
        return KINDS.get(kind);
    }

    /** One fault from its JSON form ({@code kind} plus the record's fields). */
    public static PlannedFault fault(JsonNode node) throws PlanFormatException {
        String kind = node.path("kind").asText("");
        Class<? extends PlannedFault> type = KINDS.get(kind);
        if (type == null) {
            throw new PlanFormatException("unknown fault kind '" + kind + "' in " + node + "; known: " + String.join(", ", KINDS.keySet()));
        }
        ObjectNode fields = node.deepCopy();
        fields.remove("kind");
        for (var component : type.getRecordComponents()) {
            if (!fields.has(component.getName())) {
                throw new PlanFormatException(kind + " needs field '" + component.getName() + "': " + node);
            }
        }
        try {
            return MAPPER.treeToValue(fields, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PlanFormatException("cannot read " + kind + " from " + node + ": " + e.getMessage());
        }
    }

    /** Faults from their JSON array, in order (the order is part of the plan). */
    public static List<PlannedFault> faults(JsonNode array) throws PlanFormatException {
        if (!array.isArray()) {
            throw new PlanFormatException("the plan's faults must be an array, not " + array.getNodeType());
        }
        List<PlannedFault> faults = new ArrayList<>();
        for (JsonNode node : array) {
            faults.add(fault(node));
        }
        return faults;
    }

    /** The plan a trace header describes (its seed, profile, workload, policy, phases and faults). */
    public static RunPlan fromHeader(JsonNode header) throws PlanFormatException {
        for (String field : List.of("seed", "profile", "workload", "policy", "plan")) {
            if (!header.has(field)) {
                throw new PlanFormatException("the trace header has no '" + field + "'");
            }
        }
        try {
            Workload workload = MAPPER.treeToValue(header.get("workload"), Workload.class);
            SystemPolicy policy = MAPPER.treeToValue(header.get("policy"), SystemPolicy.class);
            Phases phases = MAPPER.treeToValue(header.path("plan").path("phases"), Phases.class);
            return new RunPlan(header.get("seed").asLong(), header.get("profile").asText(), workload, policy, phases,
                    faults(header.path("plan").path("faults")));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PlanFormatException("the trace header's plan cannot be read: " + e.getMessage());
        }
    }
}
