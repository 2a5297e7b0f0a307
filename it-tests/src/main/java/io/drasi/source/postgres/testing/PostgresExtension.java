package io.drasi.source.postgres.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that injects a {@link PostgresServer} parameter: the JVM-wide shared server
 * ({@link PostgresHarness#shared()}). When no server can be obtained the parameter resolution fails,
 * so the test FAILS with the harness's explanation; it is never skipped.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyIT {
 *     @Test void works(PostgresServer pg) { PostgresServer db = pg.newDatabase("my_it"); ... }
 * }
 * }</pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class PostgresExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PostgresServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return PostgresHarness.shared();
    }
}
