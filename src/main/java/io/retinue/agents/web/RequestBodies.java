package io.retinue.agents.web;

import java.util.List;

import org.springframework.stereotype.Component;

import io.retinue.agents.internal.ConfigValidator;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Checks a body against its request schema (all violations in one problem) before mapping it onto a record. */
@Component
class RequestBodies {

    private final ConfigValidator validator;
    private final JsonMapper json;

    RequestBodies(ConfigValidator validator, JsonMapper json) {
        this.validator = validator;
        this.json = json;
    }

    <T> T read(TenantId tenant, JsonNode body, ConfigValidator.Shape shape, Class<T> type) {
        List<Violation> violations = validator.validateRequest(tenant, shape, body);
        if (!violations.isEmpty()) {
            throw DomainProblem.invalid(violations);
        }
        return json.treeToValue(body, type);
    }
}
