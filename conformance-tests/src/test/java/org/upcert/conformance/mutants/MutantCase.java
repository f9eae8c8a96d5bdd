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
 * @param os the OS level to run the profile on instead of its own, or null for the profile's: a
 *     mistake made with an API an OS level lacks (the PROCESS set, iOS 26.5) needs a level that has it
 */
public record MutantCase(String ruleId, String mistake, Class<? extends UploadExtension> type,
        Supplier<? extends UploadExtension> factory, String profile, long seed, String cloud, String os) {

    public MutantCase(String ruleId, String mistake, Class<? extends UploadExtension> type,
            Supplier<? extends UploadExtension> factory, String profile, long seed, String cloud) {
        this(ruleId, mistake, type, factory, profile, seed, cloud, null);
    }

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
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, dialect, os);
    }

    /** The same case with the profile run on OS level {@code level} (e.g. "26.5" for the PROCESS set). */
    public MutantCase onOs(String level) {
        return new MutantCase(ruleId, mistake, type, factory, profile, seed, cloud, level);
    }

    /** The plan of this case: the profile expanded with the seed, on {@link #os()} if set. */
    public org.upcert.harness.plan.RunPlan plan() throws Exception {
        org.upcert.harness.plan.RunPlan plan = org.upcert.harness.faults.profile.PlanExpander
                .expand(org.upcert.harness.faults.profile.ProfileCatalogue.load(profile), seed).plan();
        return os == null ? plan : new org.upcert.harness.plan.RunPlan(plan.seed(), plan.profile(),
                plan.workload().withOs(os), plan.policy(), plan.phases(), plan.faults());
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
