package io.retinue.tools.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * What an imported operation's security (its own, else the document's) asks for, as credential references: HTTP
 * bearer → {@code Authorization: Bearer {{secret:c}}}, HTTP basic → {@code Authorization: {{basic:c}}}, an API key in
 * a header or query parameter → that parameter as {@code {{secret:c}}}, OAuth 2 client credentials →
 * {@code Authorization: Bearer {{oauth:c}}}. Without a credential to fill them, or for schemes that cannot be filled
 * (cookies, OpenID Connect, other OAuth 2 flows), the import warns instead of creating tools that will get 401.
 */
record SecurityNeeds(List<String> schemes, Map<String, String> headers, Map<String, String> query,
        List<String> unsupported) {

    private static final SecurityNeeds NONE = new SecurityNeeds(List.of(), Map.of(), Map.of(), List.of());

    static SecurityNeeds of(OpenAPI api, Operation operation, String credential) {
        List<SecurityRequirement> requirements = operation.getSecurity() != null ? operation.getSecurity()
                : api.getSecurity();
        if (requirements == null || requirements.isEmpty()
                || requirements.stream().anyMatch(requirement -> requirement == null || requirement.isEmpty())) {
            return NONE; // none, or an empty alternative: calling without credentials is allowed
        }
        Map<String, SecurityScheme> declared = api.getComponents() == null || api.getComponents().getSecuritySchemes() == null
                ? Map.of() : api.getComponents().getSecuritySchemes();
        List<String> unsupported = new ArrayList<>();
        for (SecurityRequirement requirement : requirements) {
            Map<String, String> headers = new LinkedHashMap<>();
            Map<String, String> query = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (String name : requirement.keySet()) {
                if (!fill(declared.get(name), credential == null ? "<credential>" : credential, headers, query)) {
                    missing.add(name);
                }
            }
            if (missing.isEmpty()) {
                return credential == null ? new SecurityNeeds(List.copyOf(requirement.keySet()), Map.of(), Map.of(),
                        List.of()) : new SecurityNeeds(List.copyOf(requirement.keySet()), headers, query, List.of());
            }
            unsupported.addAll(missing);
        }
        return new SecurityNeeds(List.of(), Map.of(), Map.of(), unsupported.stream().distinct().toList());
    }

    /** Puts the references {@code scheme} asks for; false when it cannot be filled from a credential. */
    private static boolean fill(SecurityScheme scheme, String credential, Map<String, String> headers,
            Map<String, String> query) {
        if (scheme == null || scheme.getType() == null) {
            return false;
        }
        switch (scheme.getType()) {
            case HTTP -> {
                String kind = scheme.getScheme() == null ? "" : scheme.getScheme().toLowerCase(Locale.ROOT);
                if (kind.equals("bearer")) {
                    headers.put("Authorization", "Bearer {{secret:" + credential + "}}");
                    return true;
                }
                if (kind.equals("basic")) {
                    headers.put("Authorization", "{{basic:" + credential + "}}");
                    return true;
                }
                return false;
            }
            case APIKEY -> {
                if (scheme.getName() == null || scheme.getIn() == null) {
                    return false;
                }
                if (scheme.getIn() == SecurityScheme.In.HEADER) {
                    headers.put(scheme.getName(), "{{secret:" + credential + "}}");
                    return true;
                }
                if (scheme.getIn() == SecurityScheme.In.QUERY) {
                    query.put(scheme.getName(), "{{secret:" + credential + "}}");
                    return true;
                }
                return false;
            }
            case OAUTH2 -> {
                if (scheme.getFlows() != null && scheme.getFlows().getClientCredentials() != null) {
                    headers.put("Authorization", "Bearer {{oauth:" + credential + "}}");
                    return true;
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * What the import should say about this operation: that it needs a credential none was given for (unless the
     * import's own {@code headers} set Authorization, or the key's header), or that its schemes cannot be filled.
     */
    List<String> warnings(String operationId, Set<String> givenHeaders) {
        if (!unsupported.isEmpty()) {
            return List.of(operationId + ": its security schemes (" + String.join(", ", unsupported)
                    + ") cannot be filled from a credential (http bearer or basic, an API key in a header or query, "
                    + "OAuth 2 client credentials can); give the headers it needs");
        }
        if (schemes.isEmpty() || !headers.isEmpty() || !query.isEmpty()) {
            return List.of();
        }
        return givenHeaders.stream().anyMatch(header -> header.equalsIgnoreCase("Authorization")
                || header.toLowerCase(Locale.ROOT).contains("key")) ? List.of()
                : List.of(operationId + ": requires credentials (" + String.join(", ", schemes)
                        + "); import again with credential naming one, or its calls will be refused");
    }
}
