package org.upcert.harness.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The plan as JSON-ready maps: {@code kind} first, then the fault's fields in declaration order. */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
}
