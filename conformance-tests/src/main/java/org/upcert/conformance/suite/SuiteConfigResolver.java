package org.upcert.conformance.suite;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/** Gives test methods the {@link SuiteConfig} read once per test plan from the configuration parameters. */
public final class SuiteConfigResolver implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SuiteConfigResolver.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SuiteConfig.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("config",
                    key -> SuiteConfig.from(context::getConfigurationParameter), SuiteConfig.class);
        } catch (SuiteConfigException e) {
            throw new ParameterResolutionException("upcert is misconfigured: " + e.getMessage(), e);
        }
    }
}
