package org.upcert.harness.host.container;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The program the container tests run in the sandbox instead of the worker: it connects to the
 * protocol's socket ({@code UPCERT_CHANNEL}) like the worker does, then does what {@code PROBE}
 * says and reports each result as a line on the socket. Only {@code java.base} (and, by
 * reflection, {@code jdk.unsupported}): it must run on the image's small runtime.
 */
public final class ContainerProbe {
    private static SocketChannel channel;

    private ContainerProbe() {
    }

    public static void main(String[] args) throws Exception {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(System.getenv("UPCERT_CHANNEL")));
        String mode = System.getenv().getOrDefault("PROBE", "hello");
        switch (mode) {
            case "hello" -> hello();
            case "write" -> write();
            case "network" -> network();
            case "threads" -> threads();
            case "memory" -> memory();
            case "sleep" -> {
                send("ready");
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> send("unknown mode " + mode);
        }
        channel.close();
        System.exit(Integer.parseInt(System.getenv().getOrDefault("PROBE_EXIT", "0")));
    }

    /** Who and where the process is: user, capabilities, no-new-privileges, the extension jar. */
    private static void hello() throws IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        send("hello uid=" + field(status, "Uid") + " caps=" + field(status, "CapEff") + " nnp=" + field(status, "NoNewPrivs")
                + " extension=" + Files.size(Path.of(System.getenv("UPCERT_EXTENSION")))
                + " cwd=" + System.getProperty("user.dir") + " tmp=" + System.getProperty("java.io.tmpdir"));
        System.out.println("probe stdout");
        System.out.flush();
        System.err.println("probe stderr");
        System.err.flush();
    }

    /** Tries to write each path of {@code PROBE_PATHS}: {@code write <path> ok} or the error. */
    private static void write() throws IOException {
        for (String path : System.getenv("PROBE_PATHS").split(",")) {
            String result;
            try {
                Files.writeString(Path.of(path), "written by the probe\n");
                result = "ok";
            } catch (IOException | RuntimeException e) {
                result = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            send("write " + path + " " + result);
        }
        send("done");
    }

    /** Tries to connect to each {@code host:port} of {@code PROBE_TARGETS}; lists the interfaces it sees. */
    private static void network() throws IOException {
        List<String> names = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            names.add(nic.getName());
        }
        Collections.sort(names);
        send("interfaces " + String.join(",", names));
        for (String target : System.getenv("PROBE_TARGETS").split(",")) {
            int colon = target.lastIndexOf(':');
            String result;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))), 2000);
                result = "ok";
            } catch (IOException e) {
                result = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            send("connect " + target + " " + result);
        }
        send("done");
    }

    /** Starts parked threads until the system refuses one: {@code threads <started> <error>}. */
    private static void threads() throws IOException {
        int started = 0;
        String error = "none";
        try {
            for (; started < 5000; started++) {
                Thread thread = new Thread(LockSupport::park);
                thread.setDaemon(true);
                thread.start();
            }
        } catch (Throwable refused) {
            error = refused.getClass().getSimpleName() + ": " + refused.getMessage();
        }
        send("threads " + started + " " + error);
    }

    /** Takes native memory 16 MiB at a time, touching every page, up to 4 GiB: {@code allocated <MiB>}. */
    private static void memory() throws Exception {
        Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
        Field field = unsafeType.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Object unsafe = field.get(null);
        Method allocate = unsafeType.getMethod("allocateMemory", long.class);
        Method set = unsafeType.getMethod("setMemory", long.class, long.class, byte.class);
        long chunk = 16L << 20;
        for (int mib = 16; mib <= 4096; mib += 16) {
            long address = (Long) allocate.invoke(unsafe, chunk);
            set.invoke(unsafe, address, chunk, (byte) 1);
            if (mib % 128 == 0) {
                send("allocated " + mib);
            }
        }
        send("survived");
    }

    private static String field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim().split("\\s+")[0];
            }
        }
        return "?";
    }

    private static void send(String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
