package org.upcert.harness.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.harness.host.ExtensionSource;

/** An extension whose behaviour a test writes as a lambda; instances are numbered from 1. */
public final class ScriptedExtension implements UploadExtension {

    /** The body of one call; {@code self} gives the instance number and its termination flag. */
    @FunctionalInterface
    public interface Script {
        ProcessingResult call(ExtensionContext context, ScriptedExtension self) throws Exception;
    }

    private final int instance;
    private final Script script;
    public final AtomicBoolean terminating = new AtomicBoolean();
    public final AtomicInteger calls = new AtomicInteger();
    public Object memory;

    private ScriptedExtension(int instance, Script script) {
        this.instance = instance;
        this.script = script;
    }

    /** A source whose every new process gets a fresh instance running {@code script}. */
    public static ExtensionSource source(Script script) {
        AtomicInteger instances = new AtomicInteger();
        Supplier<ScriptedExtension> factory = () -> new ScriptedExtension(instances.incrementAndGet(), script);
        return ExtensionSource.type(ScriptedExtension.class, factory);
    }

    public int instance() {
        return instance;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        calls.incrementAndGet();
        try {
            return script.call(context, this);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void willTerminate() {
        terminating.set(true);
    }
}
