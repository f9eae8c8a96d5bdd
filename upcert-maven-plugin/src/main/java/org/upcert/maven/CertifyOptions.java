package org.upcert.maven;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The certify options of one plugin execution, by their user-property names ({@code upcert.profiles},
 * {@code upcert.seed}, …), turned into the arguments of upcert's {@code certify} command. The same
 * names as the suite's JUnit configuration parameters and the command's options, so one option
 * means the same thing on every route (docs/author-build.md).
 *
 * <p>A user property given on Maven's command line ({@code mvn verify -Dupcert.seed=4}) wins over the
 * pom's {@code <configuration>}: that is what makes the reproduce line of a FAIL work in a project
 * whose pom names its profiles and seeds (Maven itself lets the pom win).
 */
final class CertifyOptions {
    /** Option name → the command-line option it becomes; in the order certify prints its usage. */
    static final Map<String, String> OPTIONS = options();

    private final LinkedHashMap<String, String> values = new LinkedHashMap<>();

    private static Map<String, String> options() {
        LinkedHashMap<String, String> options = new LinkedHashMap<>();
        options.put("upcert.extension", "--extension");
        options.put("upcert.extension.cmd", "--extension-cmd");
        options.put("upcert.isolation", "--isolation");
        options.put("upcert.sandbox", "--sandbox");
        options.put("upcert.scope", "--scope");
        options.put("upcert.assume", "--assume");
        options.put("upcert.hang-after", "--hang-after");
        options.put("upcert.upgrade-to", "--upgrade-to");
        options.put("upcert.profiles", "--profiles");
        options.put("upcert.seeds", "--seeds");
        options.put("upcert.seed", "--seed");
        options.put("upcert.cloud", "--cloud");
        options.put("upcert.explore", "--explore");
        options.put("upcert.corpus", "--corpus");
        options.put("upcert.rules", "--rules");
        options.put("upcert.transport", "--transport");
        options.put("upcert.out", "--out");
        return java.util.Collections.unmodifiableMap(options);
    }

    /** Sets an option from the pom (null or blank: not given). */
    CertifyOptions set(String name, Object value) {
        if (!OPTIONS.containsKey(name)) {
            throw new IllegalArgumentException("not a certify option: " + name);
        }
        if (value != null && !value.toString().isBlank()) {
            values.put(name, value.toString().trim());
        } else {
            values.remove(name);
        }
        return this;
    }

    /** Lets the user properties of Maven's command line win over the pom's configuration. */
    CertifyOptions overriddenBy(Properties userProperties) {
        for (String name : OPTIONS.keySet()) {
            String value = userProperties.getProperty(name);
            if (value != null) {
                set(name, value);
            }
        }
        return this;
    }

    String get(String name) {
        return values.get(name);
    }

    /**
     * The arguments after {@code certify}: every option given; an extension command replaces the
     * project's jar (a project may build a jar and certify a command, e.g. a Python client).
     */
    List<String> arguments() {
        List<String> arguments = new ArrayList<>();
        for (Map.Entry<String, String> option : OPTIONS.entrySet()) {
            String value = values.get(option.getKey());
            if (value == null || option.getKey().equals("upcert.extension") && values.containsKey("upcert.extension.cmd")) {
                continue;
            }
            arguments.add(option.getValue());
            arguments.add(value);
        }
        return arguments;
    }
}
