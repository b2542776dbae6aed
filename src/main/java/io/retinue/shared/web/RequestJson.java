package io.retinue.shared.web;

import org.springframework.boot.http.converter.autoconfigure.ServerHttpMessageConvertersCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.converter.HttpMessageConverters;

import com.fasterxml.jackson.annotation.Nulls;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.MutableCoercionConfig;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * How request bodies are read: stricter than the application's own mapper (which also reads stored data). A number
 * or boolean sent as a string, an empty string for any other non-text value, a null inside a list or map, a list or map of more than
 * {@link CollectionBounds#MAX_ENTRIES} entries or a string that is not Unicode is refused with the field at fault instead of being taken as meant.
 */
@Configuration(proxyBeanMethods = false)
class RequestJson {

    @Bean
    StrictConverter strictRequestJson(JsonMapper json) {
        return new StrictConverter(strict(json));
    }

    static JsonMapper strict(JsonMapper json) {
        return json.rebuild()
            .withCoercionConfigDefaults(config -> config.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, RequestJson::noneFromStrings)
            .withCoercionConfig(LogicalType.Float, RequestJson::noneFromStrings)
            .withCoercionConfig(LogicalType.Boolean, RequestJson::noneFromStrings)
            .changeDefaultNullHandling(setter -> setter.withContentNulls(Nulls.FAIL))
            .addModule(new SimpleModule("retinue-request-bodies").setDeserializerModifier(new CollectionBounds())
                .addDeserializer(String.class, new WellFormedStrings())
                .addDeserializer(JsonNode.class, new BoundedTrees()))
            .build();
    }

    private static void noneFromStrings(MutableCoercionConfig config) {
        config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }

    /**
     * Replaces the JSON converter Boot's own customizer puts in, so it runs after that one; it also writes the answers
     * ({@link JsonAnswers}).
     */
    record StrictConverter(JsonMapper strict) implements ServerHttpMessageConvertersCustomizer, Ordered {

        @Override
        public void customize(HttpMessageConverters.ServerBuilder builder) {
            builder.withJsonConverter(new JsonAnswers(strict));
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
