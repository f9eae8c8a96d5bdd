package org.upcert.harness.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;

/** A plan written to JSON (as the trace header holds it) reads back into the same plan. */
class PlanJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static void collect(Class<?> type, List<Class<?>> out) {
        if (type.isRecord()) {
            out.add(type);
        }
        Class<?>[] permitted = type.getPermittedSubclasses();
        if (permitted != null) {
            for (Class<?> sub : permitted) {
                collect(sub, out);
            }
        }
    }

    @Test
    @DisplayName("the reader knows every kind of plan record")
    void everyKind() {
        List<Class<?>> records = new ArrayList<>();
        collect(PlannedFault.class, records);
        for (Class<?> record : records) {
            assertTrue(PlanJson.kinds().stream().anyMatch(k -> PlanJson.recordOf(k) == record), record.getSimpleName());
        }
        assertEquals(records.size(), PlanJson.kinds().size());
    }

    @Test
    @DisplayName("every standard profile's plan round-trips through JSON for several seeds")
    void roundTrip() throws Exception {
        for (String name : ProfileCatalogue.names()) {
            for (long seed = 1; seed <= 3; seed++) {
                RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(name), seed).plan();
                JsonNode faults = MAPPER.valueToTree(PlanJson.faults(plan.faults()));
                assertEquals(plan.faults(), PlanJson.faults(faults), name + " seed " + seed);
            }
        }
    }

    @Test
    @DisplayName("an unknown kind or a missing field is a clear error")
    void badInput() throws Exception {
        var unknown = assertThrows(PlanJson.PlanFormatException.class,
                () -> PlanJson.fault(MAPPER.readTree("{\"kind\":\"network.gremlins\",\"from\":0}")));
        assertTrue(unknown.getMessage().contains("unknown fault kind 'network.gremlins'"), unknown.getMessage());
        var missing = assertThrows(PlanJson.PlanFormatException.class,
                () -> PlanJson.fault(MAPPER.readTree("{\"kind\":\"network.offline\",\"from\":0}")));
        assertTrue(missing.getMessage().contains("needs field 'until'"), missing.getMessage());
    }
}
