package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadRequest;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * The extension's own HTTP ({@code ctx.http()}) is sent by upcert, outside any sandbox, over the
 * loopback transport ({@code upcert run}'s default, {@code certify --transport loopback}). Round six
 * found it reached WireMock's admin API on the stub's own port ({@code /__admin/settings} set a
 * fixed delay on every answer: the system's uploads then cost real seconds each, a run of 20 assets
 * went from 17 s to 92 s at 2 s; {@code /__admin/shutdown} stops the cloud) and any other loopback
 * port of the machine (a service of the user's, another run's stub). Now only the run's own stubs
 * are reachable, as over the direct transport, and their admin API refuses every request.
 */
class LoopbackReachTest {
    /** Where {@link ReachesAround} sends its requests (a test's own loopback server); set before the run. */
    static volatile int foreignPort;
    static final List<String> SEEN = java.util.Collections.synchronizedList(new ArrayList<>());

    /** On its first call: the stub's admin API (read, then a delay for every answer) and another loopback port. */
    public static final class ReachesAround implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            URI base = context.uploadUrlBase();
            String origin = base.getScheme() + "://" + base.getRawAuthority();
            if (SEEN.isEmpty()) {
                SEEN.add("mappings " + status(context, new UploadRequest(URI.create(origin + "/__admin/mappings"), "GET",
                        new java.util.TreeMap<>()), ""));
                SEEN.add("settings " + status(context, new UploadRequest(URI.create(origin + "/__admin/settings"), "POST",
                        new java.util.TreeMap<>(java.util.Map.of("content-type", "application/json"))), "{\"fixedDelay\":3000}"));
                SEEN.add("foreign " + status(context, new UploadRequest(URI.create("http://127.0.0.1:" + foreignPort + "/"), "GET",
                        new java.util.TreeMap<>()), ""));
            }
            return ProcessingResult.COMPLETED;
        }

        private static String status(ExtensionContext context, UploadRequest request, String body) {
            try {
                return String.valueOf(context.http().send(request, body).status());
            } catch (ExtensionHttp.TransportException e) {
                return e.error().code() == org.upcert.api.UploadError.CANNOT_CONNECT_TO_HOST ? "CANNOT_CONNECT_TO_HOST" : "code " + e.error().code();
            }
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("ctx.http() over loopback reaches neither the stub's admin API nor another loopback port")
    void onlyTheRunsOwnStubs() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket foreign = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            foreignPort = foreign.getLocalPort();
            Thread acceptor = new Thread(() -> {
                while (!foreign.isClosed()) {
                    try (Socket s = foreign.accept()) {
                        accepted.incrementAndGet();
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "foreign-loopback-service");
            acceptor.setDaemon(true);
            acceptor.start();
            SEEN.clear();
            RunPlan baseline = PlanExpander.expand(ProfileCatalogue.resolve("baseline"), 1).plan();
            Workload w = baseline.workload();
            RunPlan plan = new RunPlan(baseline.seed(), baseline.profile(),
                    new Workload(5, w.photoPercent(), w.livePhotoPercent(), w.videoPercent(), w.rawPercent(), w.jobLimit(), w.os()),
                    baseline.policy(), baseline.phases(), baseline.faults());
            RunResult result = Simulation.run(plan, ExtensionSource.type(ReachesAround.class, ReachesAround::new),
                    RunOptions.inMemory().withTransport("loopback").withIsolation("in-process"));
            assertEquals(3, SEEN.size(), SEEN.toString());
            assertFalse(SEEN.get(0).equals("mappings 200"), "the admin API answered: " + SEEN);
            assertFalse(SEEN.get(1).equals("settings 200"), "the admin API took a setting: " + SEEN);
            assertEquals("foreign CANNOT_CONNECT_TO_HOST", SEEN.get(2), "another loopback port: " + SEEN);
            assertEquals(0, accepted.get(), "upcert connected to a loopback service that is no stub of the run");
            assertTrue(result.traceText().contains("\"url\":\"http://127.0.0.1:" + foreignPort + "/\""),
                    "the refused request is traced");
        }
    }
}
