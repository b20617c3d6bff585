package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Block contexts see the script through the narrow {@link ScriptScope}, never the whole script
 * (Job DSL's habit): no field, constructor or method of theirs names {@link MailScript}.
 */
class ScriptScopeTest {

    @ParameterizedTest
    @ValueSource(classes = {DataSpec.class, BatchRowSpec.class, BatchRun.class, RowSources.class, Dialogue.class,
        Connector.class, ScriptContext.class, ScriptPreflight.class})
    void blockContextsHoldTheScopeNotTheScript(Class<?> type) {
        List<Class<?>> named = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            named.add(f.getType());
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            named.addAll(List.of(c.getParameterTypes()));
        }
        for (Method m : type.getDeclaredMethods()) {
            named.add(m.getReturnType());
            named.addAll(List.of(m.getParameterTypes()));
        }
        assertThat(named).noneMatch(MailScript.class::isAssignableFrom);
    }
}
