package org.upcert.harness.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeToken;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.testing.ScriptedExtension;
import org.upcert.harness.testing.TraceLines;

/**
 * Every fault kind fires and has the effect the reference describes. Each test runs a small
 * library through an extension that records what it is shown: the jobs it acknowledges (with
 * their state, error and headers) and what the library answers.
 */
class FaultKindsTest {
    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;

    /** What the recording extension saw. */
    private static final class Seen {
        final List<UploadJob> finished = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        RunResult result;
        TraceLines trace;

        List<Integer> errorCodes() {
            return finished.stream().filter(j -> j.state() == JobState.FAILED)
                    .map(j -> j.error().map(UploadError::code).orElse(0)).toList();
        }

        long failedWith(int code) {
            return errorCodes().stream().filter(c -> c == code).count();
        }
    }

    /**
     * Runs a backup of {@code assets} assets under {@code faults}: the extension acknowledges
     * whatever finished (recording it) and re-creates a job for every resource not yet uploaded.
     */
    private static Seen backup(int assets, SystemPolicy policy, Phases phases, PlannedFault... faults) {
        return backup(Workload.typical(assets).withOs("27"), policy, phases, faults);
    }

    private static Seen backup(Workload workload, SystemPolicy policy, Phases phases, PlannedFault... faults) {
        return backup(workload, policy, phases, RunOptions.inMemory(), faults);
    }

    private static Seen backup(Workload workload, SystemPolicy policy, Phases phases, RunOptions options, PlannedFault... faults) {
        Seen seen = new Seen();
        TreeSet<String> uploaded = new TreeSet<>();
        TreeSet<String> created = new TreeSet<>(); // before iOS 26.5 (no PROCESS set): what it created, until it finishes
        RunPlan plan = new RunPlan(11, "test", workload, policy, phases, List.of(faults));
        seen.result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
            var library = context.library();
            if (library.authorizationStatus() != AuthorizationStatus.AUTHORIZED || !library.isUploadJobExtensionEnabled()) {
                seen.notes.add("no access at " + context.clock().instant());
                return ProcessingResult.COMPLETED;
            }
            List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
            if (!finished.isEmpty()) {
                for (UploadJob job : finished) {
                    seen.finished.add(job);
                    created.remove(job.destination().header("X-Resource-Key").orElseThrow());
                    if (job.state() == JobState.SUCCEEDED) {
                        uploaded.add(job.destination().header("X-Resource-Key").orElseThrow());
                    }
                }
                library.performChanges(c -> finished.forEach(c::acknowledge));
            }
            TreeSet<String> inFlight = new TreeSet<>();
            if (context.osAtLeast("26.5")) {
                for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
                    inFlight.add(job.destination().header("X-Resource-Key").orElseThrow());
                }
            } else {
                inFlight.addAll(created);
            }
            List<AssetResource> todo = new ArrayList<>();
            for (var asset : library.fetchAssets()) {
                for (AssetResource resource : asset.resources()) {
                    if (!uploaded.contains(resource.key()) && !inFlight.contains(resource.key())) {
                        todo.add(resource);
                    }
                }
            }
            if (todo.isEmpty() && inFlight.isEmpty()) {
                return ProcessingResult.COMPLETED;
            }
            // Signs in on every call: tokens expire after an hour of virtual time.
            String token;
            try {
                var response = context.http().send(UploadRequest.post(java.net.URI.create(context.configuration().get("cloud.tokenUrl"))),
                        "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret");
                String body = response.bodyText();
                int start = body.indexOf("\"access_token\":\"") + 16;
                if (response.status() != 200) {
                    seen.notes.add("sign-in " + response.status());
                    return ProcessingResult.PROCESSING;
                }
                token = body.substring(start, body.indexOf('"', start));
            } catch (org.upcert.api.ExtensionHttp.TransportException e) {
                seen.notes.add("sign-in " + e.error().code());
                return ProcessingResult.PROCESSING;
            }
            String bearer = "Bearer " + token;
            int room = library.jobLimit() - inFlight.size();
            List<AssetResource> batch = todo.subList(0, Math.min(room, todo.size()));
            try {
                library.performChanges(c -> {
                    for (AssetResource r : batch) {
                        c.createJob(r, UploadRequest.put(context.uploadUrlBase().resolve(
                                "files/" + r.key().replace('/', '_').replace('#', '_'))).withHeader("Authorization", bearer)
                                .withHeader("X-Resource-Key", r.key()));
                    }
                });
                batch.forEach(r -> created.add(r.key()));
            } catch (PhotosException e) {
                seen.notes.add(e.code().name());
            }
            return ProcessingResult.PROCESSING;
        }), options);
        seen.trace = new TraceLines(seen.result.traceText());
        return seen;
    }

    private static Seen backup(int assets, PlannedFault... faults) {
        return backup(assets, SystemPolicy.defaults(), Phases.standard(6 * HOUR), faults);
    }

    private static List<JsonNode> callsBetween(TraceLines trace, long from, long until) {
        return trace.events("call.start").stream()
                .filter(c -> c.path("t").asLong() >= from && c.path("t").asLong() < until).toList();
    }

    @Nested
    @DisplayName("network")
    class Network {

        @Test
        @DisplayName("network.offline: transfers in flight fail not-connected; no call or transfer inside the window; the backup converges")
        void offline() {
            Seen seen = backup(40, new PlannedFault.NetworkOffline(5_000, 30 * MIN));
            assertTrue(seen.failedWith(UploadError.NOT_CONNECTED_TO_INTERNET) > 0, seen.errorCodes().toString());
            assertTrue(callsBetween(seen.trace, 5_000, 30 * MIN).isEmpty(), "no calls while offline");
            assertTrue(seen.trace.events("transfer.start").stream()
                    .noneMatch(t -> t.path("t").asLong() >= 5_000 && t.path("t").asLong() < 30 * MIN));
            assertTrue(seen.result.summary().complete(), seen.result.summary().toString());
        }

        @Test
        @DisplayName("network.degraded: transfers take longer inside the window")
        void degraded() {
            Seen slow = backup(5, new PlannedFault.NetworkDegraded(0, 6 * HOUR, 300, 1_000));
            Seen fast = backup(5);
            long slowMs = slow.trace.first("transfer.start").path("ms").asLong();
            long fastMs = fast.trace.first("transfer.start").path("ms").asLong();
            assertTrue(slowMs > 10 * fastMs, slowMs + " vs " + fastMs);
        }

        @Test
        @DisplayName("network.expensive: withheld when expensive access is prevented; ignored otherwise")
        void expensive() {
            SystemPolicy prevent = SystemPolicy.defaults().with("preventsExpensiveNetworkAccess", true);
            Seen withheld = backup(10, prevent, Phases.standard(6 * HOUR), new PlannedFault.ExpensiveNetwork(0, 2 * HOUR));
            assertTrue(callsBetween(withheld.trace, 0, 2 * HOUR).isEmpty(), "no calls on cellular when prevented");
            assertTrue(withheld.result.summary().complete());
            Seen allowed = backup(10, new PlannedFault.ExpensiveNetwork(0, 2 * HOUR));
            assertFalse(callsBetween(allowed.trace, 0, 2 * HOUR).isEmpty());
        }

        @Test
        @DisplayName("network.drop: the connection drops mid-transfer; nothing reaches the cloud; connection lost")
        void drop() {
            Seen seen = backup(40, new PlannedFault.TransferDrop(20_000, 30 * MIN, 1.0, 1024));
            assertTrue(seen.failedWith(UploadError.NETWORK_CONNECTION_LOST) >= 5, seen.errorCodes().toString());
            assertTrue(seen.result.summary().complete());
            assertEquals(0, seen.result.summary().duplicateWrites(), "dropped transfers stored nothing");
        }

        @Test
        @DisplayName("network.drop after the 104 of a resumable server (OPTIONS 200): the system resumes, the job succeeds; "
                + "direct and loopback give the same trace")
        void dropResumesAfterThe104() {
            PlannedFault drop = new PlannedFault.TransferDrop(20_000, 30 * MIN, 1.0, 1_000_000);
            Workload workload = Workload.typical(40).withOs("27");
            Seen seen = backup(workload, SystemPolicy.defaults(), Phases.standard(6 * HOUR),
                    RunOptions.inMemory().withCloud("generic-put-resumable"), drop);
            List<JsonNode> preflights = seen.trace.events("transfer.preflight");
            assertEquals(1, preflights.size(), "one preflight per origin, cached for the run");
            assertEquals(200, preflights.get(0).path("status").asInt());
            assertTrue(preflights.get(0).path("resumable").asBoolean());
            List<JsonNode> resumed = seen.trace.events("transfer.resumed");
            assertTrue(resumed.size() >= 5, "drops fired: " + seen.trace.events("fault.fire").size());
            assertTrue(resumed.stream().allMatch(r -> r.path("offset").asLong() == 1_000_000), resumed.toString());
            assertEquals(0, seen.failedWith(UploadError.NETWORK_CONNECTION_LOST), seen.errorCodes().toString());
            assertTrue(seen.result.summary().complete());
            Seen direct = backup(workload, SystemPolicy.defaults(), Phases.standard(6 * HOUR),
                    RunOptions.inMemory().withCloud("generic-put-resumable").withTransport("direct"), drop);
            assertEquals(seen.result.traceText(), direct.result.traceText());
        }

        @Test
        @DisplayName("network.drop to a server answering the preflight 501: plain uploads, the dropped job fails; "
                + "to a resumable one, a drop before the 104 arrived fails too")
        void dropFailsWithoutResumption() {
            Seen plain = backup(workload40(), SystemPolicy.defaults(), Phases.standard(6 * HOUR), RunOptions.inMemory(),
                    new PlannedFault.TransferDrop(20_000, 30 * MIN, 1.0, 1_000_000));
            JsonNode preflight = plain.trace.first("transfer.preflight");
            assertEquals(501, preflight.path("status").asInt());
            assertFalse(preflight.path("resumable").asBoolean());
            assertTrue(plain.trace.events("transfer.resumed").isEmpty());
            assertTrue(plain.failedWith(UploadError.NETWORK_CONNECTION_LOST) >= 5, plain.errorCodes().toString());

            Seen early = backup(workload40(), SystemPolicy.defaults(), Phases.standard(6 * HOUR),
                    RunOptions.inMemory().withCloud("generic-put-resumable"), new PlannedFault.TransferDrop(20_000, 30 * MIN, 1.0, 1024));
            assertTrue(early.trace.first("transfer.preflight").path("resumable").asBoolean());
            assertTrue(early.trace.events("transfer.resumed").isEmpty(), "cut within the first round trip: no 104 yet");
            assertTrue(early.failedWith(UploadError.NETWORK_CONNECTION_LOST) >= 5, early.errorCodes().toString());
        }

        private static Workload workload40() {
            return Workload.typical(40).withOs("27");
        }

        @Test
        @DisplayName("network.response-lost: the cloud stored the upload, yet the job failed without a response")
        void responseLost() {
            Seen seen = backup(40, new PlannedFault.ResponseLost(20_000, 30 * MIN, 1.0));
            List<UploadJob> lost = seen.finished.stream().filter(j -> j.state() == JobState.FAILED).toList();
            assertFalse(lost.isEmpty());
            assertTrue(lost.stream().allMatch(j -> j.error().orElseThrow().code() == UploadError.NETWORK_CONNECTION_LOST
                    && j.responseHeaderFields().isEmpty()));
            assertTrue(seen.result.summary().duplicateWrites() >= lost.size(),
                    "each lost response was stored, and stored again by the re-upload");
            assertTrue(seen.result.summary().complete());
        }
    }

    @Nested
    @DisplayName("cloud")
    class Cloud {

        @Test
        @DisplayName("cloud.error: 503 with Retry-After reaches the job as a device shows it (bad server response, no status, "
                + "lowercase headers), the trace (status) and the inventory")
        void error503() {
            Seen seen = backup(40, new PlannedFault.CloudError(20_000, 30 * MIN, 1.0, 503, 30));
            UploadJob failed = seen.finished.stream().filter(j -> j.state() == JobState.FAILED).findFirst().orElseThrow();
            assertEquals(UploadError.BAD_SERVER_RESPONSE, failed.error().orElseThrow().code());
            assertEquals(Optional.empty(), failed.error().orElseThrow().httpStatus(), "PhotoKit documents no status");
            assertEquals(503, seen.trace.first("job.failed").path("status").asInt(), "the trace keeps it");
            assertEquals("30", failed.responseHeaderFields().orElseThrow().get("retry-after"));
            assertTrue(seen.result.inventory().refusals().stream().anyMatch(r -> r.status() == 503
                    && r.reason().startsWith("injected")));
            assertTrue(seen.result.summary().complete());
        }

        @Test
        @DisplayName("--assume http-status: the job shows the status, and the trace header says the run assumed it")
        void error503WithStatusAssumed() {
            Seen seen = backup(Workload.typical(40).withOs("27"), SystemPolicy.defaults(), Phases.standard(6 * HOUR),
                    RunOptions.inMemory().withAssumptions(java.util.Set.of(RunOptions.ASSUME_HTTP_STATUS)),
                    new PlannedFault.CloudError(20_000, 30 * MIN, 1.0, 503, 30));
            UploadJob failed = seen.finished.stream().filter(j -> j.state() == JobState.FAILED).findFirst().orElseThrow();
            assertEquals(Optional.of(503), failed.error().orElseThrow().httpStatus());
            assertEquals("[\"http-status\"]", seen.trace.header().path("assumptions").toString());
            Seen plain = backup(3);
            assertEquals("[]", plain.trace.header().path("assumptions").toString(), "a run assumes nothing by default, and says so");
        }

        @Test
        @DisplayName("cloud.error also strikes the extension's own HTTP calls")
        void errorOnExtensionHttp() {
            Seen seen = backup(3, new PlannedFault.CloudError(0, 2_000, 1.0, 500, 0));
            JsonNode http = seen.trace.first("http");
            assertEquals(500, http.path("status").asInt());
        }

        @Test
        @DisplayName("cloud.slow: a few seconds slower; a minute or more times out")
        void slow() {
            Seen late = backup(40, new PlannedFault.SlowResponse(20_000, 30 * MIN, 1.0, 90_000));
            assertTrue(late.failedWith(UploadError.TIMED_OUT) > 0, late.errorCodes().toString());
            Seen slower = backup(3, new PlannedFault.SlowResponse(0, 30 * MIN, 1.0, 5_000));
            Seen normal = backup(3);
            assertEquals(0, slower.errorCodes().size());
            assertTrue(slower.trace.first("transfer.start").path("ms").asLong()
                    >= normal.trace.first("transfer.start").path("ms").asLong() + 5_000);
        }

        @Test
        @DisplayName("cloud.malformed: WireMock's socket faults become sanitized transport errors, never harness crashes")
        void malformed() {
            for (String form : List.of("reset", "empty", "garbage")) {
                Seen seen = backup(40, new PlannedFault.MalformedResponse(20_000, 20 * MIN, 1.0, form));
                List<Integer> codes = seen.errorCodes();
                assertFalse(codes.isEmpty(), form);
                assertTrue(codes.stream().allMatch(c -> c == UploadError.NETWORK_CONNECTION_LOST
                        || c == UploadError.BAD_SERVER_RESPONSE), form + ": " + codes);
                assertTrue(seen.result.summary().complete(), form);
            }
        }
    }

    @Nested
    @DisplayName("device")
    class Device {

        @Test
        @DisplayName("device.low-power without charging withholds calls and transfers; while charging it does not")
        void lowPower() {
            Seen onBattery = backup(10, new PlannedFault.LowPower(0, 2 * HOUR), new PlannedFault.Unplugged(0, 2 * HOUR));
            assertTrue(callsBetween(onBattery.trace, 0, 2 * HOUR).isEmpty());
            assertTrue(onBattery.trace.first("call.start").path("t").asLong() >= 2 * HOUR);
            assertTrue(onBattery.result.summary().complete());
            Seen charging = backup(10, new PlannedFault.LowPower(0, 2 * HOUR));
            assertFalse(callsBetween(charging.trace, 0, 2 * HOUR).isEmpty());
        }

        @Test
        @DisplayName("device.thermal: serious pressure withholds work; fair does not")
        void thermal() {
            Seen serious = backup(5, new PlannedFault.Thermal(0, HOUR, "serious"));
            assertTrue(callsBetween(serious.trace, 0, HOUR).isEmpty());
            Seen fair = backup(5, new PlannedFault.Thermal(0, HOUR, "fair"));
            assertFalse(callsBetween(fair.trace, 0, HOUR).isEmpty());
        }

        @Test
        @DisplayName("device.battery: a low battery withholds work while unplugged, not while charging")
        void battery() {
            Seen unplugged = backup(5, new PlannedFault.Battery(0, 0, 15), new PlannedFault.Unplugged(0, HOUR));
            assertEquals("device.battery", unplugged.trace.first("fault.start").path("kind").asText());
            assertTrue(callsBetween(unplugged.trace, 0, HOUR).isEmpty());
            assertTrue(unplugged.result.summary().complete());
            Seen charging = backup(5, new PlannedFault.Battery(0, 0, 15));
            assertFalse(callsBetween(charging.trace, 0, HOUR).isEmpty());
        }
    }

    @Nested
    @DisplayName("memory and CPU")
    class MemoryAndCpu {
        private static final long MIB = 1024 * 1024;

        /**
         * An extension that keeps a 10 MiB cache in its app group and reads it whole at every
         * call (14 MiB with the process's 4 MiB base: within 32 MiB), answering PROCESSING without
         * progress until an hour has passed: a call every five minutes or so.
         */
        private Seen cacheReader(PlannedFault... faults) {
            Seen seen = new Seen();
            RunPlan plan = new RunPlan(5, "test", Workload.typical(3), SystemPolicy.defaults(), Phases.standard(HOUR), List.of(faults));
            seen.result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                if (context.storage().read("cache").isEmpty()) {
                    context.storage().write("cache", new byte[(int) (10 * MIB)]);
                }
                seen.notes.add("returned " + context.clock().millis());
                return context.clock().millis() > org.upcert.harness.sim.VirtualClock.EPOCH.toEpochMilli() + HOUR
                        ? ProcessingResult.COMPLETED : ProcessingResult.PROCESSING;
            }), RunOptions.inMemory());
            seen.trace = new TraceLines(seen.result.traceText());
            return seen;
        }

        private List<JsonNode> memoryKills(Seen seen) {
            return seen.trace.events("process.kill").stream().filter(k -> k.path("reason").asText().startsWith("memory")).toList();
        }

        @Test
        @DisplayName("memory.pressure (pressureMiB): a call holding more than the budget left is killed without notice (jetsam);"
                + " the same call fits before and after the window")
        void pressure() {
            Seen calm = cacheReader();
            assertTrue(memoryKills(calm).isEmpty(), "14 MiB fit the 32 MiB budget: " + memoryKills(calm));
            Seen seen = cacheReader(new PlannedFault.MemoryPressure(20 * MIN, 40 * MIN, 0, 20));
            List<JsonNode> kills = memoryKills(seen);
            assertFalse(kills.isEmpty(), "20 MiB taken: 12 MiB left, the 14 MiB call is killed");
            for (JsonNode kill : kills) {
                long t = kill.path("t").asLong();
                assertTrue(t >= 20 * MIN && t < 40 * MIN, "only inside the window: " + kill);
                assertEquals(12 * MIB, kill.path("budget").asLong(), kill.toString());
                assertEquals(14 * MIB, kill.path("memory").asLong(), "the base and the 10 MiB read: " + kill);
            }
            assertTrue(seen.trace.events("process.notice").isEmpty(), "a kill without notice");
            JsonNode killedCall = seen.trace.events("call.end").stream()
                    .filter(e -> e.path("t").asLong() == kills.get(0).path("t").asLong()).findFirst().orElseThrow();
            assertEquals("killed", killedCall.path("outcome").asText());
            assertTrue(seen.notes.stream().anyMatch(n -> Long.parseLong(n.substring(9)) - org.upcert.harness.sim.VirtualClock.EPOCH
                    .toEpochMilli() > 40 * MIN), "after the window the same call returns again: " + seen.notes);
            JsonNode next = seen.trace.events("call.start").stream()
                    .filter(c -> c.path("t").asLong() > kills.get(0).path("t").asLong()).findFirst().orElseThrow();
            assertEquals("after-kill", next.path("reason").asText(), "relaunched after the kill's backoff");
        }

        @Test
        @DisplayName("memory.pressure (budgetMiB): the budget drops to the fault's for the window")
        void budget() {
            Seen seen = cacheReader(new PlannedFault.MemoryPressure(20 * MIN, 40 * MIN, 12, 0));
            List<JsonNode> kills = memoryKills(seen);
            assertFalse(kills.isEmpty());
            assertEquals(12 * MIB, kills.get(0).path("budget").asLong());
            assertTrue(kills.get(0).path("reason").asText().contains("storage.read"), "says what it was handed: " + kills.get(0));
        }

        @Test
        @DisplayName("virtual CPU: enumerating costs 5 µs per asset, reading an original 1 ms per 50 KB of its declared size")
        void cpuCost() {
            List<Long> costs = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            RunPlan plan = new RunPlan(7, "test", Workload.typical(2_000), SystemPolicy.defaults(), Phases.none(), List.of());
            Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                long t0 = context.clock().millis();
                var assets = context.library().fetchAssets();
                long t1 = context.clock().millis();
                AssetResource first = assets.get(0).resources().get(0);
                byte[] data = context.library().requestData(first);
                long t2 = context.clock().millis();
                costs.add(t1 - t0);
                costs.add(t2 - t1);
                sizes.add(first.fileSize());
                sizes.add((long) data.length);
                return ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            assertEquals(2 + 2_000 * 5 / 1_000, costs.get(0), "the call's 2 ms and 10 ms for 2,000 assets");
            assertEquals(2 + sizes.get(0) / 50_000, costs.get(1), "the call's 2 ms and the declared size at 50 MB/s");
            assertTrue(sizes.get(1) < 8_192, "the bytes handed are the compact payload: " + sizes.get(1));
        }

        @Test
        @DisplayName("virtual CPU: an extension reading every original of a 300-asset library at every call meets the runtime limit;"
                + " enumerating the library at every call does not")
        void readingEveryOriginalMeetsTheRuntimeLimit() {
            RunPlan plan = new RunPlan(7, "test", Workload.typical(300), SystemPolicy.defaults(), Phases.none(), List.of());
            RunResult hashing = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                for (var asset : context.library().fetchAssets()) {
                    for (AssetResource r : asset.resources()) {
                        context.library().requestData(r);
                    }
                }
                return ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            TraceLines trace = new TraceLines(hashing.traceText());
            JsonNode kill = trace.first("process.kill");
            assertNotNull(kill, "killed");
            assertTrue(kill.path("reason").asText().startsWith("runtime limit"), kill.toString());
            assertFalse(trace.events("resource.read").isEmpty());
            RunResult enumerating = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                for (int i = 0; i < 20; i++) {
                    context.library().fetchAssets();
                }
                return ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            assertTrue(new TraceLines(enumerating.traceText()).events("process.kill").isEmpty(),
                    "twenty enumerations of 300 assets cost 30 ms and 1.5 MiB");
        }

        @Test
        @DisplayName("requestData of a resource whose asset is gone throws IDENTIFIER_NOT_FOUND")
        void requestDataOfAGoneResource() {
            List<String> seen = new ArrayList<>();
            RunPlan plan = new RunPlan(7, "test", Workload.typical(2), SystemPolicy.defaults(), Phases.none(), List.of());
            Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                AssetResource ghost = new AssetResource("NOPE/L0/001", AssetResource.ResourceType.PHOTO, "IMG_9.HEIC", "public.heic", 1);
                try {
                    context.library().requestData(ghost);
                    seen.add("read");
                } catch (PhotosException e) {
                    seen.add(e.code().name());
                }
                return ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            assertEquals(List.of("IDENTIFIER_NOT_FOUND"), seen);
        }

        @Test
        @DisplayName("requestData of an offloaded original downloads it from iCloud first (100 Mbit/s): it costs that much longer")
        void requestDataOfAnOffloadedOriginal() {
            List<Long> costs = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            RunPlan plan = new RunPlan(7, "test", Workload.typical(3), SystemPolicy.defaults(), Phases.none(),
                    List.of(new PlannedFault.AssetsOffloaded(0, 0, 20)));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                AssetResource first = context.library().fetchAssets().get(0).resources().get(0);
                long t0 = context.clock().millis();
                context.library().requestData(first);
                costs.add(context.clock().millis() - t0);
                sizes.add(first.fileSize());
                return ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            long size = sizes.get(0);
            assertEquals(2 + size / 50_000 + size * 8 / 100_000, costs.get(0), "the call, the read and the download");
            assertTrue(new TraceLines(result.traceText()).first("resource.read").path("icloud").asBoolean());
        }

        @Test
        @DisplayName("icloud.download: requestData of an offloaded original throws NETWORK_ERROR (3169) in the window, reads it after")
        void requestDataWhileICloudFails() {
            List<String> seen = new ArrayList<>();
            RunPlan plan = new RunPlan(7, "test", Workload.typical(3), SystemPolicy.defaults(), Phases.standard(HOUR),
                    List.of(new PlannedFault.AssetsOffloaded(0, 0, 20), new PlannedFault.ICloudDownloadFailure(0, 10 * MIN, 1.0)));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                AssetResource first = context.library().fetchAssets().get(0).resources().get(0);
                try {
                    context.library().requestData(first);
                    seen.add("read");
                } catch (PhotosException e) {
                    seen.add(e.code().name() + " " + e.code().rawValue());
                }
                return seen.contains("read") ? ProcessingResult.COMPLETED : ProcessingResult.PROCESSING;
            }), RunOptions.inMemory());
            assertEquals("NETWORK_ERROR 3169", seen.get(0));
            assertEquals("read", seen.get(seen.size() - 1), "after the window the original comes down: " + seen);
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals("NETWORK_ERROR", trace.first("resource.read").path("code").asText());
            assertTrue(trace.events("fault.fire").stream().anyMatch(f -> f.path("on").asText().equals("icloud")));
        }

        @Test
        @DisplayName("icloud.download: transfers of offloaded originals fail with -1008 (resource unavailable) in the window;"
                + " a later attempt uploads them")
        void iCloudDownload() {
            Seen seen = backup(5, new PlannedFault.AssetsOffloaded(0, 0, 5), new PlannedFault.ICloudDownloadFailure(0, 30 * MIN, 1.0));
            assertTrue(seen.failedWith(UploadError.RESOURCE_UNAVAILABLE) > 0, seen.errorCodes().toString());
            assertTrue(seen.errorCodes().stream().allMatch(c -> c == UploadError.RESOURCE_UNAVAILABLE), seen.errorCodes().toString());
            assertFalse(seen.trace.events("fault.fire").stream().filter(f -> f.path("on").asText().equals("icloud")).toList().isEmpty());
            JsonNode failed = seen.trace.first("job.failed");
            assertEquals(UploadError.RESOURCE_UNAVAILABLE, failed.path("code").asInt());
            assertTrue(seen.result.summary().complete(), "transient: re-created after the window, every original uploads");
            Seen notOffloaded = backup(5, new PlannedFault.ICloudDownloadFailure(0, 30 * MIN, 1.0));
            assertEquals(0, notOffloaded.failedWith(UploadError.RESOURCE_UNAVAILABLE), "originals on the device need no download");
        }
    }

    @Nested
    @DisplayName("library")
    class Library {

        @Test
        @DisplayName("library.add: new assets arrive, wake the extension and are uploaded too")
        void add() {
            Seen seen = backup(5, new PlannedFault.AssetsAdded(2 * HOUR, 2 * HOUR, 4));
            assertEquals(4 + 12, seen.trace.events("library.insert").size(), "4 added + 12 recovery photos");
            JsonNode call = seen.trace.events("call.start").stream()
                    .filter(c -> c.path("t").asLong() >= 2 * HOUR).findFirst().orElseThrow();
            assertEquals("library-change", call.path("reason").asText());
            assertEquals(2 * HOUR + 3_000, call.path("t").asLong());
            assertTrue(seen.result.summary().complete());
        }

        @Test
        @DisplayName("library.delete: jobs of deleted assets fail as file-does-not-exist; the assets leave the library")
        void delete() {
            Seen seen = backup(30, new PlannedFault.AssetsDeleted(1_500, 1_500, 10));
            assertEquals(10, seen.trace.events("library.delete").size());
            assertEquals(20 + 12, seen.result.library().assets().size());
            assertTrue(seen.failedWith(UploadError.FILE_DOES_NOT_EXIST) > 0, seen.errorCodes().toString());
        }

        @Test
        @DisplayName("library.offload: offloaded originals take longer (downloaded from iCloud first)")
        void offload() {
            Seen seen = backup(3, new PlannedFault.AssetsOffloaded(0, 0, 3));
            Seen normal = backup(3);
            assertEquals(3, seen.trace.events("library.offload").size());
            assertTrue(seen.trace.first("transfer.start").path("ms").asLong() > normal.trace.first("transfer.start").path("ms").asLong());
        }

        @Test
        @DisplayName("library.token-expiry: a token from before the expiry throws PERSISTENT_CHANGE_TOKEN_EXPIRED")
        void tokenExpiry() {
            List<String> outcomes = new ArrayList<>();
            RunPlan plan = new RunPlan(3, "test", Workload.typical(2), SystemPolicy.defaults(), Phases.standard(HOUR),
                    List.of(new PlannedFault.TokenExpiry(10 * MIN, 10 * MIN)));
            Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                var library = context.library();
                if (self.memory == null) {
                    self.memory = library.currentChangeToken();
                    return ProcessingResult.PROCESSING;
                }
                try {
                    library.fetchPersistentChanges((ChangeToken) self.memory);
                    outcomes.add("ok@" + context.clock().instant());
                } catch (PhotosException e) {
                    outcomes.add(e.code().name());
                    self.memory = library.currentChangeToken();
                    return ProcessingResult.PROCESSING;
                }
                return outcomes.size() > 3 ? ProcessingResult.COMPLETED : ProcessingResult.PROCESSING;
            }), RunOptions.inMemory());
            assertTrue(outcomes.get(0).startsWith("ok@2026-01-05T08:05:01"), outcomes.toString());
            assertTrue(outcomes.contains(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED.name()), outcomes.toString());
        }
    }

    @Nested
    @DisplayName("consent")
    class Consent {

        @Test
        @DisplayName("consent.access limited: jobs are hidden and creation is refused; full access restores both")
        void limited() {
            Seen seen = backup(10, new PlannedFault.AccessChanged(0, HOUR, "limited"));
            assertFalse(seen.notes.isEmpty(), "the extension saw the downgrade");
            assertTrue(seen.notes.get(0).startsWith("no access"));
            assertTrue(seen.result.summary().complete(), seen.result.summary().toString());
            assertTrue(seen.trace.events("job.create").stream().allMatch(c -> c.path("t").asLong() >= HOUR));
        }

        @Test
        @DisplayName("consent.disabled: no calls while disabled; the first call about a second after re-enabling")
        void disabled() {
            Seen seen = backup(10, new PlannedFault.ExtensionDisabled(0, HOUR));
            assertTrue(callsBetween(seen.trace, 0, HOUR).isEmpty());
            JsonNode first = seen.trace.first("call.start");
            assertEquals(HOUR + 1_000, first.path("t").asLong());
            assertEquals("enabled", first.path("reason").asText());
        }
    }

    @Nested
    @DisplayName("process and phases")
    class Process {

        @Test
        @DisplayName("process.kill-in-changes before the commit: nothing of the block happens")
        void killBeforeCommit() {
            Seen seen = backup(5, SystemPolicy.defaults(), Phases.none(), new PlannedFault.KillInChanges(1, 1, false));
            JsonNode kill = seen.trace.first("process.kill");
            assertTrue(kill.path("reason").asText().contains("before the commit"));
            assertNotNull(seen.trace.first("changes.abandoned"));
            long createsInActivation1 = seen.trace.activation(1).stream()
                    .filter(l -> l.path("ev").asText().equals("job.create")).count();
            assertEquals(0, createsInActivation1);
            assertTrue(seen.result.summary().complete());
        }

        @Test
        @DisplayName("process.kill-in-changes after the commit: the commit survives the kill")
        void killAfterCommit() {
            Seen seen = backup(5, SystemPolicy.defaults(), Phases.none(), new PlannedFault.KillInChanges(1, 1, true));
            assertTrue(seen.trace.first("process.kill").path("reason").asText().contains("after the commit"));
            long createsInActivation1 = seen.trace.activation(1).stream()
                    .filter(l -> l.path("ev").asText().equals("job.create")).count();
            assertTrue(createsInActivation1 > 0);
            assertEquals(1, seen.result.summary().kills());
        }

        @Test
        @DisplayName("jobs.limit: the limit dips before the named API call and is restored when the activation ends")
        void jobLimitDip() {
            // The scripted extension reads jobLimit() at call 7 and opens its create block at call 8.
            Seen seen = backup(5, SystemPolicy.defaults(), Phases.none(), new PlannedFault.JobLimitDip(1, 8, 2));
            List<JsonNode> limits = seen.trace.events("jobs.limit");
            assertEquals(2, limits.size(), limits.toString());
            assertEquals(8, limits.get(0).path("n").asInt());
            assertEquals(2, limits.get(0).path("limit").asInt());
            assertEquals(100, limits.get(0).path("was").asInt());
            assertEquals("LIMIT_EXCEEDED", seen.trace.first("changes.rejected").path("code").asText());
            assertTrue(seen.notes.contains("LIMIT_EXCEEDED"), seen.notes.toString());
            assertFalse(limits.get(1).has("n"), "the restoring line names no call");
            assertEquals(100, limits.get(1).path("limit").asInt());
            assertTrue(seen.result.summary().complete(), "the next activation creates under the restored limit");
        }

        @Test
        @DisplayName("jobs.limit-at-commit: the limit dips at the commit of the first creating block, whatever the extension read before")
        void jobLimitAtCommit() {
            Seen seen = backup(5, SystemPolicy.defaults(), Phases.none(), new PlannedFault.JobLimitAtCommit(1, 1, 2));
            List<JsonNode> limits = seen.trace.events("jobs.limit");
            assertEquals(2, limits.size(), limits.toString());
            assertEquals(1, limits.get(0).path("block").asInt(), "the first block that creates");
            assertEquals(2, limits.get(0).path("limit").asInt());
            assertEquals(100, limits.get(0).path("was").asInt());
            assertEquals("LIMIT_EXCEEDED", seen.trace.first("changes.rejected").path("code").asText(),
                    "a block of five creates sized from jobLimit() 100 meets the limit of 2 at its commit");
            assertTrue(seen.notes.contains("LIMIT_EXCEEDED"), seen.notes.toString());
            assertEquals(100, limits.get(1).path("limit").asInt(), "restored when the activation ends");
            assertTrue(seen.result.summary().complete(), "the next activation creates under the restored limit");
        }

        @Test
        @DisplayName("library.flaky empty: every fetchAssets of the activation returns nothing; an extension that trusts it "
                + "answers COMPLETED and is not called again until the library changes")
        void libraryFlakyEmpty() {
            Seen seen = backup(5, SystemPolicy.defaults(), Phases.none(), new PlannedFault.LibraryFlaky(1, "empty", -1));
            JsonNode flaky = seen.trace.first("library.flaky");
            assertEquals("fetchAssets", flaky.path("api").asText());
            assertTrue(flaky.path("withheld").asInt() >= 5, "the library had the five assets: " + flaky);
            assertEquals(0, seen.trace.first("fetch.assets").path("count").asInt(), "the extension saw an empty library");
            assertEquals(1, seen.trace.events("call.start").size(), "COMPLETED on an empty answer: nothing calls it again");
            assertFalse(seen.result.summary().complete(), "nothing was uploaded: the device's effect of trusting the answer");
            Seen later = backup(5, SystemPolicy.defaults(), Phases.none(), new PlannedFault.LibraryFlaky(2, "empty", -1));
            assertTrue(later.result.summary().complete(), "in activation 2 the first scan had already created every job");
        }

        @Test
        @DisplayName("library.flaky error: fetchPersistentChanges throws the planned code (3300 or -1) in that activation only")
        void libraryFlakyError() {
            List<String> seen = new ArrayList<>();
            RunPlan plan = new RunPlan(11, "test", Workload.typical(3).withOs("27"), SystemPolicy.defaults(), Phases.none(),
                    List.of(new PlannedFault.LibraryFlaky(1, "error", 3300), new PlannedFault.LibraryFlaky(2, "error", -1)));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                var token = context.library().currentChangeToken();
                try {
                    seen.add("changes " + context.library().fetchPersistentChanges(token).size());
                } catch (PhotosException e) {
                    seen.add(e.code().name() + " " + e.code().rawValue());
                }
                return seen.size() < 3 ? ProcessingResult.FAILURE : ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            assertEquals(List.of("CHANGE_NOT_SUPPORTED 3300", "INTERNAL_ERROR -1", "changes 0"), seen);
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(2, trace.events("library.flaky").size());
            assertEquals("CHANGE_NOT_SUPPORTED", trace.first("library.changes").path("code").asText(),
                    "the failed read is traced like any other library error");
        }

        /**
         * Runs an extension that writes one app-group file per call under {@code fault}: {@code seen}
         * gets "written" or "locked" per call; it answers COMPLETED once a write failed and a later
         * one worked, FAILURE (a backoff) before.
         */
        private RunResult writesEveryCall(PlannedFault fault, List<String> seen) {
            RunPlan plan = new RunPlan(11, "test", Workload.typical(3).withOs("27"), SystemPolicy.defaults(), Phases.none(),
                    List.of(fault));
            return Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                try {
                    context.storage().writeString("probe.txt", "x");
                    seen.add("written");
                } catch (org.upcert.api.StorageUnavailableException e) {
                    seen.add("locked");
                }
                return seen.contains("locked") && seen.get(seen.size() - 1).equals("written") ? ProcessingResult.COMPLETED
                        : ProcessingResult.FAILURE;
            }), RunOptions.inMemory());
        }

        @Test
        @DisplayName("device.reboot: the process ends, transfers in flight fail, and the app group throws until the first unlock")
        void deviceReboot() {
            List<String> seen = new ArrayList<>();
            RunResult result = writesEveryCall(new PlannedFault.DeviceReboot(10 * MIN, 40 * MIN), seen);
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals("device restarted", trace.first("process.exit").path("reason").asText());
            assertEquals(10 * MIN, trace.first("device.locked").path("t").asLong());
            assertEquals(40 * MIN, trace.first("device.unlock").path("t").asLong());
            assertEquals(List.of("written", "written", "locked", "locked", "written"), seen,
                    "calls at 0, 5, 15, 35 and 75 min (FAILURE backoff): locked from the restart at 10 min to the unlock at 40");
            assertEquals("storage.write", trace.first("storage.locked").path("api").asText());

            Seen uploading = backup(50, SystemPolicy.defaults(), Phases.none(), new PlannedFault.DeviceReboot(3_000, 60_000));
            long failedAtRestart = uploading.trace.events("job.failed").stream().filter(e -> e.path("t").asLong() == 3_000).count();
            assertTrue(failedAtRestart > 0, "the transfers in flight die with the device");
            assertTrue(uploading.result.summary().complete(), "the next calls upload them again");
        }

        @Test
        @DisplayName("device.locked: the app group throws during the window, not after, and the process and transfers go on")
        void deviceLocked() {
            List<String> seen = new ArrayList<>();
            RunResult result = writesEveryCall(new PlannedFault.DeviceLocked(10 * MIN, 40 * MIN), seen);
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(10 * MIN, trace.first("device.locked").path("t").asLong());
            assertEquals(40 * MIN, trace.first("device.unlock").path("t").asLong());
            assertEquals(List.of("written", "written", "locked", "locked", "written"), seen,
                    "calls at 0, 5, 15, 35 and 75 min (FAILURE backoff): locked from 10 to 40 min, written again after");
            for (JsonNode refused : trace.events("storage.locked")) {
                long t = refused.path("t").asLong();
                assertTrue(t >= 10 * MIN && t < 40 * MIN, "storage refused only inside the window: " + refused);
            }
            assertTrue(trace.events("process.exit").stream().noneMatch(e -> e.path("reason").asText().contains("restart")),
                    "no restart: " + trace.events("process.exit"));
            assertTrue(trace.events("process.kill").isEmpty(), "no process is killed by a lock");

            Seen uploading = backup(50, SystemPolicy.defaults(), Phases.none(), new PlannedFault.DeviceLocked(3_000, 10 * MIN));
            assertEquals(0, uploading.trace.events("job.failed").stream().filter(e -> e.path("t").asLong() == 3_000).count(),
                    "the transfers in flight go on while the device is locked");
            assertTrue(uploading.trace.events("job.succeeded").stream()
                            .anyMatch(e -> e.path("t").asLong() > 3_000 && e.path("t").asLong() < 10 * MIN),
                    "uploads finish while the device is locked (reference §3)");
            assertTrue(uploading.result.summary().complete());
        }

        @Test
        @DisplayName("os.upgrade: the device restarts into iOS 27; its APIs and defaults apply, and assetResource aborts for a job from 26.5")
        void osUpgrade() {
            List<String> seen = new ArrayList<>();
            List<String> tried = new ArrayList<>();
            RunPlan plan = new RunPlan(11, "test", Workload.typical(3).withOs("26.5"), SystemPolicy.defaultsFor("26.5"),
                    Phases.none(), List.of(new PlannedFault.OsUpgrade(30 * MIN, 30 * MIN, "27")));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                var library = context.library();
                List<AssetResource> resources = library.fetchAssets().stream().flatMap(a -> a.resources().stream()).toList();
                List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
                if (!context.osAtLeast("27")) {
                    if (!seen.contains("created")) {
                        library.performChanges(c -> c.createJob(resources.get(0), UploadRequest.put(
                                context.uploadUrlBase().resolve("files/a")).withHeader("X-Resource-Key", "a")));
                        seen.add("created");
                    }
                    for (UploadJob job : finished) {
                        try {
                            library.assetResource(job);
                        } catch (UnsupportedOperationException e) {
                            seen.add("no assetResource on " + context.osVersion());
                        }
                    }
                    return ProcessingResult.FAILURE;
                }
                for (UploadJob job : finished) {
                    if (job.destination().header("X-Resource-Key").orElse("").equals("a") && tried.isEmpty()) {
                        tried.add(job.localIdentifier());
                        library.assetResource(job); // aborts: the job was created under 26.5
                    }
                    if (job.destination().header("X-Resource-Key").orElse("").equals("b")) {
                        seen.add("resource of the new job: " + library.assetResource(job).isPresent());
                        library.performChanges(c -> finished.forEach(c::acknowledge));
                        return ProcessingResult.COMPLETED;
                    }
                }
                if (!seen.contains("created b")) {
                    library.performChanges(c -> {
                        finished.forEach(c::acknowledge); // the legacy job, identified by its destination
                        c.createJob(resources.get(1), UploadRequest.put(context.uploadUrlBase().resolve("files/b"))
                                .withHeader("X-Resource-Key", "b"));
                    });
                    seen.add("created b");
                }
                return ProcessingResult.FAILURE;
            }), RunOptions.inMemory());
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode upgrade = trace.first("os.upgrade");
            assertEquals(30 * MIN, upgrade.path("t").asLong());
            assertEquals("26.5", upgrade.path("from").asText());
            assertEquals("27", upgrade.path("to").asText());
            assertFalse(upgrade.path("nilResourceOnTerminalJobs").asBoolean(true), "the 26.x quirk ends with the upgrade");
            assertTrue(seen.contains("no assetResource on 26.5"), "before the upgrade the selector does not exist: " + seen);
            JsonNode abort = trace.first("api.abort");
            assertEquals(tried.get(0), abort.path("job").asText());
            assertEquals("26.5", abort.path("origin").asText());
            JsonNode crashed = trace.events("call.end").stream().filter(e -> e.path("outcome").asText().equals("crashed"))
                    .findFirst().orElseThrow();
            assertTrue(crashed.path("reason").asText().contains("created under iOS 26.5"), crashed.toString());
            assertTrue(seen.contains("resource of the new job: true"), "a job created on 27 has its resource: " + seen);
            assertTrue(result.summary().unacknowledged() == 0, "the legacy job is acknowledged once identified by its destination");

            // In flight at the upgrade: the transfers die with the restart, the next calls upload them again.
            Seen uploading = backup(Workload.typical(50).withOs("26.5"), SystemPolicy.defaultsFor("26.5"), Phases.none(),
                    new PlannedFault.OsUpgrade(3_000, 3_000, "27"));
            assertTrue(uploading.trace.events("job.failed").stream().anyMatch(e -> e.path("t").asLong() == 3_000),
                    "the transfers in flight die with the restart");
            assertEquals("os upgrade", uploading.trace.events("process.exit").stream().filter(e -> e.path("t").asLong() == 3_000)
                    .findFirst().orElseThrow().path("reason").asText(), "the update restarts the device: the process ends");
            assertTrue(uploading.result.summary().complete(), "the next calls upload them again");

            // A level the device already has: traced, nothing changes.
            Seen already = backup(Workload.typical(5).withOs("27"), SystemPolicy.defaults(), Phases.none(),
                    new PlannedFault.OsUpgrade(3_000, 3_000, "26.5"));
            assertEquals("the device already runs iOS 27", already.trace.first("os.upgrade").path("skipped").asText());
            assertTrue(already.trace.events("job.failed").isEmpty(), "no restart: nothing fails");
        }

        @Test
        @DisplayName("app.upgrade: the process ends, the next launch runs the next build, the app group and the jobs carry over")
        void appUpgrade() {
            List<String> seen = new ArrayList<>();
            RunPlan plan = new RunPlan(11, "test", Workload.typical(3).withOs("27"), SystemPolicy.defaults(), Phases.none(),
                    List.of(new PlannedFault.AppUpgrade(12 * MIN, 12 * MIN)));
            ExtensionSource old = ScriptedExtension.source((context, self) -> {
                seen.add("old " + self.instance());
                context.storage().writeString("ledger.txt", "written by the old build");
                context.library().performChanges(c -> c.createJob(context.library().fetchAssets().get(0).resources().get(0),
                        UploadRequest.put(context.uploadUrlBase().resolve("files/a"))));
                return ProcessingResult.FAILURE;
            });
            ExtensionSource next = ScriptedExtension.source((context, self) -> {
                seen.add("new " + self.instance() + " reads " + context.storage().readString("ledger.txt").orElse("nothing")
                        + ", sees " + context.library().fetchJobs(JobAction.ACKNOWLEDGE).size() + " finished job(s)");
                context.library().performChanges(c -> context.library().fetchJobs(JobAction.ACKNOWLEDGE).forEach(c::acknowledge));
                return ProcessingResult.COMPLETED;
            });
            RunResult result = Simulation.run(plan, old, RunOptions.inMemory().withUpgradeTo(next));
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode upgrade = trace.first("app.upgrade");
            assertEquals(12 * MIN, upgrade.path("t").asLong());
            assertEquals(next.describe(), upgrade.path("to").asText());
            assertEquals("app updated", trace.events("process.exit").stream().filter(e -> e.path("t").asLong() == 12 * MIN)
                    .findFirst().orElseThrow().path("reason").asText());
            assertEquals(List.of("old 1", "old 1", "new 1 reads written by the old build, sees 2 finished job(s)"), seen,
                    "calls at 0, 5 and 15 min (FAILURE backoff): the old build's process until the update at 12 min, then the"
                    + " new build with the old one's storage and jobs");
            assertEquals(0, result.summary().unacknowledged());
            assertEquals(next.sha256(), trace.header().path("extension").path("upgradeTo").path("sha256").asText());

            // Without a next build: the same artifact relaunched fresh (a new instance, the same code).
            List<Integer> same = new ArrayList<>();
            Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                same.add(self.instance());
                return ProcessingResult.FAILURE;
            }), RunOptions.inMemory());
            assertEquals(List.of(1, 1, 2), same.subList(0, 3), "calls at 0, 5 and 15 min: the process ended at the update at 12");
        }

        @Test
        @DisplayName("recovery: open windows close when the fault phase ends, later faults never fire, new photos arrive")
        void recovery() {
            Seen seen = backup(5, SystemPolicy.defaults(), Phases.standard(HOUR),
                    new PlannedFault.NetworkOffline(30 * MIN, 10 * HOUR),
                    new PlannedFault.AssetsAdded(2 * HOUR, 2 * HOUR, 50));
            JsonNode recovery = seen.trace.first("phase.recovery");
            assertEquals(HOUR, recovery.path("t").asLong());
            assertEquals(1, recovery.path("closed").asInt());
            assertTrue(seen.trace.events("fault.end").isEmpty(), "the window was closed by the recovery, not by its end");
            assertFalse(callsBetween(seen.trace, HOUR + 30 * MIN, HOUR + 31 * MIN).isEmpty(),
                    "the first recovery photo is uploaded: the network is back");
            assertEquals(12, seen.trace.events("library.insert").size(), "only recovery photos, not the late fault");
            assertTrue(seen.result.summary().complete());
        }
    }

    @Nested
    @DisplayName("OS behaviour levels")
    class OsLevels {

        @Test
        @DisplayName("before iOS 26.4 a failed job carries no error and no response headers; from 26.4 it does")
        void outcomeFieldsArrivedIn264() {
            PlannedFault error = new PlannedFault.CloudError(20_000, 30 * MIN, 1.0, 503, 30);
            Seen old = backup(Workload.typical(40).withOs("26.1"), SystemPolicy.defaults(), Phases.standard(6 * HOUR), error);
            List<UploadJob> oldFailed = old.finished.stream().filter(j -> j.state() == JobState.FAILED).toList();
            assertFalse(oldFailed.isEmpty());
            // The members do not exist on 26.1: reading one is refused; the system never filled them in either.
            assertTrue(oldFailed.stream().allMatch(j -> {
                UploadJob plain = org.upcert.protocol.OsLevelJob.unrestricted(j);
                return plain.error().isEmpty() && plain.responseHeaderFields().isEmpty();
            }));
            org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> oldFailed.get(0).error());
            Seen current = backup(Workload.typical(40).withOs("26.4"), SystemPolicy.defaults(), Phases.standard(6 * HOUR), error);
            assertTrue(current.finished.stream().filter(j -> j.state() == JobState.FAILED)
                    .allMatch(j -> j.error().isPresent() && j.responseHeaderFields().isPresent()));
            assertEquals("26.1", old.trace.header().path("workload").path("os").asText(), "the OS level is in the trace header");
        }

        @Test
        @DisplayName("preventsExpensiveNetworkAccess exists only from iOS 27: before, cellular is used")
        void expensiveOptionArrivedIn27() {
            SystemPolicy prevent = SystemPolicy.defaults().with("preventsExpensiveNetworkAccess", true);
            Seen old = backup(Workload.typical(10).withOs("26.5"), prevent, Phases.standard(6 * HOUR),
                    new PlannedFault.ExpensiveNetwork(0, 2 * HOUR));
            assertFalse(callsBetween(old.trace, 0, 2 * HOUR).isEmpty());
        }
    }

    @Nested
    @DisplayName("host app")
    class HostApp {

        /** The client secret the configuration gave each call, with the call's start time. */
        private List<String> secretsSeen(PlannedFault... faults) {
            List<String> seen = new ArrayList<>();
            RunPlan plan = new RunPlan(11, "test", Workload.typical(5).withOs("26.5"), SystemPolicy.defaults(),
                    Phases.standard(HOUR), List.of(faults));
            Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                long sinceStart = context.clock().millis() - org.upcert.harness.sim.VirtualClock.instantAt(0).toEpochMilli();
                seen.add(sinceStart + ":" + context.configuration().get("cloud.clientSecret"));
                return ProcessingResult.PROCESSING; // moved nothing: called again about 5 minutes later
            }), RunOptions.inMemory());
            return seen;
        }

        @Test
        @DisplayName("host.credentials: the server refuses the old secret and revokes every token: a backup that keeps signing in"
                + " with the first secret is refused from then on, its jobs in flight fail with 401 (-1013)")
        void credentialsRevoked() {
            Seen seen = backup(200, new PlannedFault.CredentialsChanged(MIN, MIN)); // the first uploads in flight
            JsonNode change = seen.trace.first("host.credentials");
            assertEquals(MIN, change.path("t").asLong());
            assertEquals("signed-in", change.path("account").asText());
            assertEquals(1, change.path("generation").asInt());
            assertTrue(seen.notes.contains("sign-in 401"), "the old secret is refused: " + seen.notes);
            assertTrue(seen.failedWith(UploadError.USER_AUTHENTICATION_REQUIRED) > 0,
                    "jobs carrying a revoked token fail: " + seen.errorCodes());
            assertFalse(seen.result.summary().complete(), "nothing is uploaded after the change by that backup");
        }

        @Test
        @DisplayName("host.credentials: the configuration carries the new client secret from the next call on")
        void credentialsReachTheExtension() {
            List<String> secrets = secretsSeen(new PlannedFault.CredentialsChanged(12 * MIN, 12 * MIN));
            assertTrue(secrets.stream().anyMatch(s -> s.endsWith(":s3cret")), secrets.toString());
            for (String s : secrets) {
                long t = Long.parseLong(s.substring(0, s.indexOf(':')));
                assertEquals(t < 12 * MIN ? "s3cret" : "s3cret-1", s.substring(s.indexOf(':') + 1), secrets.toString());
            }
        }

        @Test
        @DisplayName("host.upload: the host app uploads the newest assets' resources itself: the cloud holds them (as the host"
                + " app's writes), host/uploaded lists them, one host.upload line each; what the cloud holds already is skipped")
        void hostUpload() {
            List<String> listed = new ArrayList<>();
            RunPlan plan = new RunPlan(11, "test", Workload.typical(6).withOs("26.5"), SystemPolicy.defaults(), Phases.none(),
                    List.of(new PlannedFault.HostUpload(10 * MIN, 10 * MIN, 2, 0), new PlannedFault.HostUpload(20 * MIN, 20 * MIN, 3, 0),
                            new PlannedFault.HostUpload(30 * MIN, 30 * MIN, 6, 3)));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                listed.add(context.clock().millis() - org.upcert.harness.sim.VirtualClock.instantAt(0).toEpochMilli() + ":"
                        + context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_UPLOADS).orElse("").strip()
                                .replace('\n', ','));
                return ProcessingResult.PROCESSING; // uploads nothing itself: called again ~5 min later
            }), RunOptions.inMemory());
            TraceLines trace = new TraceLines(result.traceText());
            List<String> newest = new ArrayList<>();
            var assets = result.library().assets(); // oldest first; nothing was added or deleted
            for (int i = assets.size() - 1; i >= assets.size() - 3; i--) {
                assets.get(i).resources().forEach(r -> newest.add(r.key()));
            }
            List<String> uploaded = trace.events("host.upload").stream().filter(e -> e.path("t").asLong() < 30 * MIN)
                    .map(e -> e.path("resource").asText()).toList();
            assertEquals(newest, uploaded, "the two newest assets at 10 min, the third newest at 20 (the two are in the cloud)");
            // At 30 min, with aboveMB 3: of the three older assets only the resources over 3 MB.
            List<String> large = new ArrayList<>();
            for (int i = assets.size() - 4; i >= 0; i--) {
                assets.get(i).resources().stream().filter(r -> r.fileSize() > 3_000_000).forEach(r -> large.add(r.key()));
            }
            assertFalse(large.isEmpty(), "the library has large files among its older assets");
            assertEquals(large, trace.events("host.upload").stream().filter(e -> e.path("t").asLong() == 30 * MIN)
                    .map(e -> e.path("resource").asText()).toList(), "aboveMB 3: only the files over 3 MB");
            uploaded = trace.events("host.upload").stream().map(e -> e.path("resource").asText()).toList();
            var writes = result.inventory().writes();
            assertEquals(uploaded.size(), writes.size());
            assertTrue(writes.stream().allMatch(w -> w.hostApp() && w.key().startsWith("host-app/")), writes.toString());
            String last = listed.get(listed.size() - 1);
            assertEquals(String.join(",", uploaded), last.substring(last.indexOf(':') + 1), "host/uploaded lists each, one per line");
            assertTrue(listed.get(0).endsWith(":"), "nothing listed before the first host.upload: " + listed);
        }

        @Test
        @DisplayName("host.upload while the user is signed out (host.signout) does nothing: a signed-out app uploads nothing")
        void hostUploadSignedOut() {
            RunPlan plan = new RunPlan(11, "test", Workload.typical(6).withOs("26.5"), SystemPolicy.defaults(), Phases.none(),
                    List.of(new PlannedFault.SignedOut(10 * MIN, 30 * MIN), new PlannedFault.HostUpload(20 * MIN, 20 * MIN, 3, 0)));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> ProcessingResult.COMPLETED),
                    RunOptions.inMemory());
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(1, trace.events("host.upload").size());
            assertEquals("the user is signed out (host.signout)", trace.first("host.upload").path("skipped").asText());
            assertTrue(result.inventory().writes().isEmpty(), "nothing reached the cloud");
        }

        @Test
        @DisplayName("host.filelock: while the host app holds the lock the extension's writes throw and do nothing (reads still"
                + " work); with reads, reads throw too; traced storage.locked by the host app")
        void hostFileLock() {
            List<String> seen = new ArrayList<>();
            RunPlan plan = new RunPlan(11, "test", Workload.typical(3).withOs("26.5"), SystemPolicy.defaults(), Phases.none(),
                    List.of(new PlannedFault.HostFileLock(4 * MIN, 12 * MIN, false), new PlannedFault.HostFileLock(20 * MIN, 30 * MIN, true)));
            RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                long t = context.clock().millis() - org.upcert.harness.sim.VirtualClock.instantAt(0).toEpochMilli();
                StringBuilder call = new StringBuilder(t < 4 * MIN || t >= 30 * MIN || (t >= 12 * MIN && t < 20 * MIN) ? "free: "
                        : t < 12 * MIN ? "writes locked: " : "all locked: ");
                try {
                    context.storage().appendString("probe.txt", "x");
                    call.append("written");
                } catch (org.upcert.api.StorageUnavailableException e) {
                    call.append("write refused");
                }
                try {
                    int length = context.storage().readString("probe.txt").orElse("").length();
                    call.append(", read ").append(length);
                } catch (org.upcert.api.StorageUnavailableException e) {
                    call.append(", read refused");
                }
                seen.add(call.toString());
                return t < 40 * MIN ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
            }), RunOptions.inMemory());
            for (String call : seen) {
                if (call.startsWith("free")) {
                    assertTrue(call.contains("written, read "), call);
                } else if (call.startsWith("writes locked")) {
                    assertTrue(call.contains("write refused, read "), call);
                } else {
                    assertTrue(call.endsWith("write refused, read refused"), call);
                }
            }
            for (String window : List.of("free", "writes locked", "all locked")) {
                assertTrue(seen.stream().anyMatch(c -> c.startsWith(window)), window + " never met: " + seen);
            }
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(4 * MIN, trace.first("host.filelock").path("t").asLong());
            assertEquals(12 * MIN, trace.first("host.fileunlock").path("t").asLong());
            assertEquals("host app", trace.first("storage.locked").path("by").asText());
            assertEquals("storage.append", trace.first("storage.locked").path("api").asText());
        }

        /** How the extension of {@link #serverBackup} meets a host.server. */
        enum Follows { THE_CHANGE, NOT_ITS_LEDGER, NOT_THE_SERVER }

        /**
         * A backup of 120 assets that signs in at every call with the configuration's secret and
         * creates jobs under {@code uploadUrlBase()}; it counts a success only if its destination is
         * under the base it uses, and forgets what it uploaded when {@code host/server} changes
         * ({@link Follows#THE_CHANGE}), or keeps it ({@link Follows#NOT_ITS_LEDGER}), or keeps the
         * first call's configuration and base for ever ({@link Follows#NOT_THE_SERVER}).
         */
        private Seen serverBackup(Follows follows, List<String> serverFiles, PlannedFault... faults) {
            Seen seen = new Seen();
            TreeSet<String> uploaded = new TreeSet<>();
            String[] lastServerFile = {""};
            java.util.Map<String, String> first = new java.util.TreeMap<>();
            java.net.URI[] firstBase = {null};
            RunPlan plan = new RunPlan(11, "test", Workload.typical(120).withOs("27"), SystemPolicy.defaults(),
                    Phases.standard(6 * HOUR), List.of(faults));
            seen.result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
                var library = context.library();
                if (library.authorizationStatus() != AuthorizationStatus.AUTHORIZED || !library.isUploadJobExtensionEnabled()) {
                    return ProcessingResult.COMPLETED;
                }
                if (first.isEmpty()) {
                    first.putAll(context.configuration());
                    firstBase[0] = context.uploadUrlBase();
                }
                String serverFile = context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_SERVER).orElse("");
                serverFiles.add(serverFile + "|" + context.uploadUrlBase());
                if (follows != Follows.NOT_ITS_LEDGER && !serverFile.equals(lastServerFile[0])) {
                    uploaded.clear(); // the new server holds nothing of ours
                    lastServerFile[0] = serverFile;
                }
                java.util.Map<String, String> config = follows == Follows.NOT_THE_SERVER ? first : context.configuration();
                java.net.URI base = follows == Follows.NOT_THE_SERVER ? firstBase[0] : context.uploadUrlBase();
                List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
                if (!finished.isEmpty()) {
                    for (UploadJob job : finished) {
                        seen.finished.add(job);
                        if (job.state() == JobState.SUCCEEDED && job.destination().url().toString().startsWith(base.toString())) {
                            uploaded.add(job.destination().header("X-Resource-Key").orElseThrow());
                        }
                    }
                    library.performChanges(c -> finished.forEach(c::acknowledge));
                }
                TreeSet<String> inFlight = new TreeSet<>();
                for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
                    inFlight.add(job.destination().header("X-Resource-Key").orElseThrow());
                }
                List<AssetResource> todo = new ArrayList<>();
                for (var asset : library.fetchAssets()) {
                    for (AssetResource resource : asset.resources()) {
                        if (!uploaded.contains(resource.key()) && !inFlight.contains(resource.key())) {
                            todo.add(resource);
                        }
                    }
                }
                if (todo.isEmpty()) {
                    return inFlight.isEmpty() ? ProcessingResult.COMPLETED : ProcessingResult.PROCESSING;
                }
                String token;
                try {
                    var response = context.http().send(UploadRequest.post(java.net.URI.create(config.get("cloud.tokenUrl"))),
                            "grant_type=client_credentials&client_id=upcert-sample&client_secret=" + config.get("cloud.clientSecret"));
                    String body = response.bodyText();
                    if (response.status() != 200) {
                        seen.notes.add("sign-in " + response.status());
                        return ProcessingResult.PROCESSING;
                    }
                    int start = body.indexOf("\"access_token\":\"") + 16;
                    token = body.substring(start, body.indexOf('"', start));
                } catch (org.upcert.api.ExtensionHttp.TransportException e) {
                    seen.notes.add("sign-in " + e.error().code());
                    return ProcessingResult.PROCESSING;
                }
                int room = library.jobLimit() - inFlight.size();
                List<AssetResource> batch = todo.subList(0, Math.min(Math.max(room, 0), todo.size()));
                try {
                    library.performChanges(c -> {
                        for (AssetResource r : batch) {
                            c.createJob(r, UploadRequest.put(base.resolve("files/" + r.key().replace('/', '_').replace('#', '_')))
                                    .withHeader("Authorization", "Bearer " + token).withHeader("X-Resource-Key", r.key()));
                        }
                    });
                } catch (PhotosException e) {
                    seen.notes.add(e.code().name());
                }
                return ProcessingResult.PROCESSING;
            }), RunOptions.inMemory());
            seen.trace = new TraceLines(seen.result.traceText());
            return seen;
        }

        @Test
        @DisplayName("host.server: the account moves to a second server: traced, host/server and uploadUrlBase name it from the"
                + " next call, the old server refuses the jobs still in flight (401, -1013); what counts is the new server's"
                + " inventory, which a backup that follows the change fills")
        void serverChange() {
            List<String> files = new ArrayList<>();
            Seen seen = serverBackup(Follows.THE_CHANGE, files, new PlannedFault.ServerChanged(2 * MIN, 2 * MIN));
            JsonNode change = seen.trace.first("host.server");
            assertEquals(2 * MIN, change.path("t").asLong());
            assertEquals(2, change.path("server").asInt());
            assertEquals(1, change.path("generation").asInt());
            assertTrue(change.path("uploadBase").asText().startsWith("{cloud2}/"), change.toString());
            assertTrue(change.path("apiBase").asText().startsWith("{api2}/"), change.toString());
            assertTrue(files.get(0).startsWith("|"), "no host/server before the change: " + files.get(0));
            String after = files.get(files.size() - 1);
            String base = after.substring(after.indexOf('|') + 1);
            assertTrue(after.startsWith("generation=1\nuploadBase=" + base + "\napiBase="),
                    "host/server names the new upload base, which uploadUrlBase() answers too: " + after);
            assertTrue(seen.failedWith(UploadError.USER_AUTHENTICATION_REQUIRED) > 0,
                    "jobs in flight to the old server are refused: " + seen.errorCodes());
            long t = 2 * MIN;
            for (JsonNode create : seen.trace.events("job.create")) {
                String url = create.path("url").asText();
                assertTrue(create.path("t").asLong() < t ? url.startsWith("{cloud}/") : url.startsWith("{cloud2}/"), create.toString());
            }
            assertTrue(seen.result.summary().complete(), "every resource is on the new server: " + seen.result.summary());
            assertTrue(seen.result.inventory().writes().size() >= seen.result.summary().resources());
            assertTrue(seen.trace.events("transfer.blocked").isEmpty(), "both servers lie under the app's upload base");
        }

        @Test
        @DisplayName("host.server twice: the account moves to the second server and back; the first server kept what it received"
                + " before (the run's inventory is its, its writes of the first stay still there), and the summary counts"
                + " duplicate writes per stay: uploading there again after the move back is not one")
        void serverChangeAndBack() {
            List<String> files = new ArrayList<>();
            Seen seen = serverBackup(Follows.THE_CHANGE, files, new PlannedFault.ServerChanged(2 * MIN, 2 * MIN),
                    new PlannedFault.ServerChanged(30 * MIN, 30 * MIN));
            List<JsonNode> changes = seen.trace.events("host.server");
            assertEquals(List.of(2, 1), changes.stream().map(c -> c.path("server").asInt()).toList());
            assertEquals(2, changes.get(1).path("generation").asInt());
            assertTrue(changes.get(1).path("uploadBase").asText().startsWith("{cloud}/"), changes.get(1).toString());
            var writes = seen.result.inventory().writes();
            TreeSet<String> firstStay = new TreeSet<>();
            TreeSet<String> again = new TreeSet<>();
            for (var write : writes) {
                assertTrue(write.stay() == 0 || write.stay() == 1, write.toString()); // server 1: before any move, after the return
                if (write.stay() == 0) {
                    firstStay.add(write.sha256());
                } else if (firstStay.contains(write.sha256())) {
                    again.add(write.sha256());
                }
            }
            assertFalse(firstStay.isEmpty(), "server 1 got uploads before the first move and kept them");
            assertFalse(again.isEmpty(), "the backup uploaded some of them again after the move back");
            assertTrue(seen.result.summary().complete(), seen.result.summary().toString());
            assertEquals(0, seen.result.summary().duplicateWrites(), "a re-upload in a later stay is not a duplicate write");
        }

        @Test
        @DisplayName("host.server: a backup that keeps its record of what it uploaded loses what only the old server holds;"
                + " one that keeps the old server's settings is refused its sign-in there; without the change both converge")
        void serverChangeIgnored() {
            PlannedFault change = new PlannedFault.ServerChanged(20 * MIN, 20 * MIN);
            Seen keepsLedger = serverBackup(Follows.NOT_ITS_LEDGER, new ArrayList<>(), change);
            assertTrue(keepsLedger.result.summary().missing() > 0, keepsLedger.result.summary().toString());
            Seen keepsServer = serverBackup(Follows.NOT_THE_SERVER, new ArrayList<>(), change);
            assertTrue(keepsServer.notes.contains("sign-in 401"), "the old server refuses sign-ins: " + keepsServer.notes);
            assertTrue(keepsServer.result.summary().missing() > 0, keepsServer.result.summary().toString());
            for (Follows follows : Follows.values()) {
                Seen without = serverBackup(follows, new ArrayList<>());
                assertTrue(without.result.summary().complete(), follows + ": " + without.result.summary());
            }
        }

        @Test
        @DisplayName("host.server while the user is signed out (host.signout) changes nothing")
        void serverChangeSignedOut() {
            Seen seen = serverBackup(Follows.THE_CHANGE, new ArrayList<>(), new PlannedFault.SignedOut(10 * MIN, 30 * MIN),
                    new PlannedFault.ServerChanged(20 * MIN, 20 * MIN));
            assertEquals("the user is signed out (host.signout)", seen.trace.first("host.server").path("skipped").asText());
            assertTrue(seen.trace.events("job.create").stream().allMatch(e -> e.path("url").asText().startsWith("{cloud}/")));
        }

        @Test
        @DisplayName("host.signout: no call while signed out (the extension is disabled), then a new secret after the sign-in")
        void signOut() {
            List<String> secrets = secretsSeen(new PlannedFault.SignedOut(10 * MIN, 30 * MIN));
            for (String s : secrets) {
                long t = Long.parseLong(s.substring(0, s.indexOf(':')));
                assertFalse(t >= 10 * MIN && t < 30 * MIN, "called while signed out: " + secrets);
                assertEquals(t < 10 * MIN ? "s3cret" : "s3cret-2", s.substring(s.indexOf(':') + 1), secrets.toString());
            }
            assertTrue(secrets.stream().anyMatch(s -> s.endsWith(":s3cret-2")), "called again after the sign-in: " + secrets);
        }
    }
}
