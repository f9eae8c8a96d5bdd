package org.upcert.conformance.mutants;

import java.util.ArrayList;
import java.util.List;

/**
 * Every mutant the suite must catch, with the rule it breaks and the profile that exposes it.
 * Each group's cases live beside its mutants; this only gathers them.
 */
public final class MutantCatalogue {
    private MutantCatalogue() {
    }

    public static List<MutantCase> all() {
        List<MutantCase> all = new ArrayList<>(Mutants.cases());
        // group mutant cases register here, one line each
        all.addAll(CapacityMutants.cases());
        all.addAll(ResultMutants.cases());
        all.addAll(TerminationMutants.cases());
        all.addAll(ChangeMutants.cases());
        all.addAll(RetryMutants.cases());
        all.addAll(CloudMutants.cases());
        all.addAll(EndToEndMutants.cases());
        all.addAll(ConsentMutants.cases());
        all.addAll(CostlyMutants.cases());
        all.addAll(DeviceMutants.cases());
        all.addAll(HostAppMutants.cases());
        all.addAll(MemoryAndCpuMutants.cases());
        all.addAll(UpgradeMutants.cases());
        all.addAll(DownloadMutants.cases());
        return List.copyOf(all);
    }
}
