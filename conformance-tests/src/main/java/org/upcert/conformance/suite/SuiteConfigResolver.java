package org.upcert.conformance.suite;

import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test methods the {@link SuiteConfig} read once per test plan from the configuration parameters.
 *
 * <p>Run by {@code certify} (which says so with {@code upcert.route}), the parameters are exactly
 * the command's. Run any other way, this is an author's JUnit route (a {@code @Suite} in their
 * build, docs/author-build.md), where three things differ, each so that the gate cannot pass by
 * mistake and its reproduce lines work:
 * <ul>
 * <li>the extension must be named ({@code upcert.extension.class}, {@code upcert.extension} or
 *     {@code upcert.extension.cmd}): a suite that forgot it would otherwise certify the bundled
 *     sample and stay green whatever the author's extension does;</li>
 * <li>a {@code -Dupcert.…} system property wins over the suite's {@code @ConfigurationParameter}s
 *     (JUnit lets the annotations win), so {@code mvn test -Dupcert.seed=4 …} replays a FAIL;</li>
 * <li>the reproduce lines name the suite class ({@code mvn test -Dtest=SUITE -Dupcert.…}).</li>
 * </ul>
 */
public final class SuiteConfigResolver implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SuiteConfigResolver.class);
    private static final Pattern SUITE = Pattern.compile("\\[suite:([^\\]]+)\\]");

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SuiteConfig.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("config",
                    key -> SuiteConfig.from(parameters(context)), SuiteConfig.class);
        } catch (SuiteConfigException e) {
            throw new ParameterResolutionException("upcert is misconfigured: " + e.getMessage(), e);
        }
    }

    /** The parameters as this route reads them (see the class comment). */
    static Function<String, Optional<String>> parameters(ExtensionContext context) {
        if (context.getConfigurationParameter("upcert.route").isPresent()) {
            return context::getConfigurationParameter; // certify's own launcher
        }
        Function<String, Optional<String>> junit = key -> Optional.ofNullable(System.getProperty(key))
                .or(() -> context.getConfigurationParameter(key));
        if (junit.apply("upcert.extension").isEmpty() && junit.apply("upcert.extension.class").isEmpty()
                && junit.apply("upcert.extension.cmd").isEmpty()) {
            throw new SuiteConfigException("no extension named: set upcert.extension.class (an UploadExtension class on the"
                    + " test class path) or upcert.extension (a jar) with @ConfigurationParameter, junit-platform.properties or"
                    + " -D (docs/author-build.md); nothing was certified");
        }
        Matcher suite = SUITE.matcher(context.getUniqueId());
        String route = suite.find() ? SuiteConfig.JUNIT + ":" + suite.group(1) : SuiteConfig.JUNIT;
        return key -> key.equals("upcert.route") ? Optional.of(route) : junit.apply(key);
    }
}
