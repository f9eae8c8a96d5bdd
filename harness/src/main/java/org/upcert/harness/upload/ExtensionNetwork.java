package org.upcert.harness.upload;

import java.util.Map;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.scheduler.DeviceConditions;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.harness.trace.Trace;

/**
 * The network as the extension's own HTTP calls meet it: the same conditions, transport and
 * trace as the system's uploads. Only loopback is reachable: a test never sends traffic off the
 * machine, whatever the extension asks for.
 */
public final class ExtensionNetwork {
    private final VirtualClock clock;
    private final RequestTransport transport;
    private final SystemPolicy policy;
    private final DeviceConditions conditions;
    private final Trace trace;
    private RequestFaults faults = RequestFaults.NONE;

    public ExtensionNetwork(VirtualClock clock, RequestTransport transport, SystemPolicy policy, DeviceConditions conditions,
            Trace trace) {
        this.clock = clock;
        this.transport = transport;
        this.policy = policy;
        this.conditions = conditions;
        this.trace = trace;
    }

    /** The fault engine to consult for each request. */
    public void setFaults(RequestFaults requestFaults) {
        this.faults = requestFaults;
    }

    /** Simulated time one exchange costs before any response: two latencies plus the upload. */
    public long costMillis(byte[] body) {
        return 2 * conditions.latencyMs(policy) + (body.length * 8L * 1000) / Math.max(1, conditions.uplinkKbps(policy) * 1000);
    }

    /**
     * The fault engine's decision for {@code request}, drawn now (traced as {@code fault.fire} when
     * a fault fires), for a request whose fate must be known before its answer: the one in flight
     * when a termination notice arrives, which is cut at the notice if its answer would come past
     * the grace period ({@link #answerDelayMs}). {@link RequestFaults.Fate#NORMAL}, drawing nothing,
     * when the request cannot leave (offline, not a loopback host), as {@link #send} would.
     */
    public RequestFaults.Fate decide(UploadRequest request) {
        return unsendable(request) == null ? faults.decide("http", clock.now()) : RequestFaults.Fate.NORMAL;
    }

    /**
     * What {@code fate} adds to the exchange's {@link #costMillis cost} before its answer (or its
     * time-out): the {@code cloud.slow} delay, at most {@link Uploader#REQUEST_TIMEOUT_MS}; 0 for
     * every other fate.
     */
    public static long answerDelayMs(RequestFaults.Fate fate) {
        return fate instanceof RequestFaults.Fate.Slow slow ? Math.min(slow.delayMs(), Uploader.REQUEST_TIMEOUT_MS) : 0;
    }

    /** Why {@code request} cannot leave the device now, or null. */
    private UploadError unsendable(UploadRequest request) {
        String host = request.url().getHost();
        if (!conditions.networkUp()) {
            return UploadError.transport(UploadError.NOT_CONNECTED_TO_INTERNET, "the Internet connection appears to be offline");
        } else if (host == null || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) {
            return UploadError.transport(UploadError.CANNOT_FIND_HOST, "upcert reaches only loopback hosts");
        }
        return null;
    }

    /**
     * The request whose answer ({@code fate}: a {@code cloud.slow} delay) would come after the
     * process is killed now ({@code why}: the runtime limit, the grace period's end, a device
     * restart or an app update due before the answer): the
     * extension receives nothing, as on a device. A request the cloud would have answered (a delay
     * under {@link Uploader#REQUEST_TIMEOUT_MS}) reached it: the cloud does its work now and its
     * effect stands, its answer is lost, as for {@code network.response-lost}. One that would have
     * timed out never reached it, as in {@link #send}. Traced as an {@code http} line with neither
     * {@code status} nor {@code code} (the extension saw neither): {@code lostStatus} (what the
     * cloud answered, or {@code lostCode} for a transport failure) and {@code reason}.
     */
    public void sendUnanswered(UploadRequest request, byte[] body, int callNumber, RequestFaults.Fate fate, String why) {
        Trace.Line line = trace.at(clock.now(), "http").num("n", callNumber).str("method", request.method())
                .url("url", request.url());
        boolean reached = fate instanceof RequestFaults.Fate.Slow slow && slow.delayMs() < Uploader.REQUEST_TIMEOUT_MS;
        if (reached) {
            try {
                RequestTransport.Exchange exchange = transport.send(request, body, Map.of(), clock.now(), true);
                line.num("lostStatus", exchange.status());
            } catch (RequestTransport.Failure e) {
                line.num("lostCode", e.error().code());
            }
        }
        line.str("reason", "answer lost (cloud.slow): the process is killed before it comes, " + why
                + (reached ? "; the cloud received the request" : "; it would have timed out, the cloud never received it")).end();
    }

    /**
     * A request leaving the device at {@code at} (the caller has charged {@link #costMillis(byte[])}):
     * why it cannot leave ({@code refused}: offline, not a loopback host; null if it can) and its
     * {@code fate} ({@link RequestFaults.Fate#NORMAL} when refused).
     */
    public record Departure(long at, UploadError refused, RequestFaults.Fate fate) {
        /** When its answer (or its time-out) comes: {@code at} plus its {@code cloud.slow} delay ({@link #answerDelayMs}). */
        public long answerAt() {
            return at + answerDelayMs(fate);
        }
    }

    /**
     * The request leaves now, with the fate {@code decided} earlier by {@link #decide}, or, when
     * null, drawn now (nothing is drawn for a request that cannot leave). The caller waits until
     * {@link Departure#answerAt()}, then {@link #send sends} it.
     */
    public Departure depart(UploadRequest request, RequestFaults.Fate decided) {
        UploadError failure = unsendable(request);
        return new Departure(clock.now(), failure, failure != null ? RequestFaults.Fate.NORMAL
                : decided != null ? decided : faults.decide("http", clock.now()));
    }

    /**
     * The answer to the request that left as {@code departure}, at its {@link Departure#answerAt()}
     * (the clock is moved there if the caller has not: the system's events due in the wait are the
     * caller's, {@code CallContext}'s, to run). The cloud handles the request now.
     */
    public ExtensionHttp.Response send(UploadRequest request, byte[] body, int callNumber, Departure departure)
            throws ExtensionHttp.TransportException {
        UploadError failure = departure.refused();
        RequestFaults.Fate fate = departure.fate();
        if (fate instanceof RequestFaults.Fate.Drop) {
            failure = UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "the network connection was lost");
        } else if (fate instanceof RequestFaults.Fate.Slow slow) {
            clock.advanceTo(Math.max(clock.now(), departure.answerAt()));
            if (slow.delayMs() >= Uploader.REQUEST_TIMEOUT_MS) {
                failure = UploadError.transport(UploadError.TIMED_OUT, "the request timed out");
            }
        }
        if (failure == null) {
            try {
                String injection = RequestFaults.injection(fate);
                RequestTransport.Exchange exchange = transport.send(request, body,
                        injection == null ? Map.of() : Map.of(RequestFaults.INJECT_HEADER, injection), clock.now(),
                        injection == null);
                if (fate instanceof RequestFaults.Fate.ResponseLost) {
                    throw new RequestTransport.Failure(UploadError.transport(UploadError.NETWORK_CONNECTION_LOST,
                            "the network connection was lost"));
                }
                trace.at(clock.now(), "http").num("n", callNumber).str("method", request.method())
                        .url("url", request.url()).num("status", exchange.status()).end();
                return new ExtensionHttp.Response(exchange.status(), exchange.headers(), exchange.body());
            } catch (RequestTransport.Failure e) {
                failure = e.error();
            }
        }
        trace.at(clock.now(), "http").num("n", callNumber).str("method", request.method()).url("url", request.url())
                .num("code", failure.code()).end();
        throw new ExtensionHttp.TransportException(failure);
    }
}
