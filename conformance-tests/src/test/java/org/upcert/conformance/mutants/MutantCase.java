package org.upcert.conformance.mutants;

import java.util.Objects;
import java.util.function.Supplier;
import org.upcert.api.UploadExtension;
import org.upcert.harness.host.ExtensionSource;

/**
 * One proof that the suite catches a mistake: running {@code factory}'s extension under
 * {@code profile} with {@code seed} against {@code cloud} must FAIL rule {@code ruleId}.
 *
 * @param ruleId the rule the mistake breaks
 * @param mistake the mistake, as an author would describe it ("never acknowledges failed jobs")
 * @param type the mutant's class
 * @param factory makes a fresh instance (a relaunched process)
 * @param profile a standard profile that exposes the mistake
 * @param seed the seed
 * @param cloud the cloud dialect
 */
public record MutantCase(String ruleId, String mistake, Class<? extends UploadExtension> type,
        Supplier<? extends UploadExtension> factory, String profile, long seed, String cloud) {

    public MutantCase {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(mistake, "mistake");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(cloud, "cloud");
    }

    /** A case against the default {@code generic-put} cloud. */
    public static <T extends UploadExtension> MutantCase of(String ruleId, String mistake, Class<T> type, Supplier<T> factory,
            String profile, long seed) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, "generic-put");
    }

    /** The same case against another cloud dialect. */
    public MutantCase on(String dialect) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, dialect);
    }

    /** The mutant as an extension source for the host. */
    public ExtensionSource source() {
        return ExtensionSource.type(type, factory);
    }

    /** The mutant's simple name, for tables. */
    public String mutant() {
        return type.getSimpleName();
    }
}
