package io.retinue.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.retinue.testing.ApiExchanges.Exchange;
import tools.jackson.databind.JsonNode;

/**
 * Holds answers the application gave against its OpenAPI document: every status an operation answered is documented
 * for it, with the media type it was answered in, and every success status an exercised operation documents was seen.
 * Kept apart from the test that runs it so that its own test can show it is not easily pleased.
 */
public final class ApiContract {

    /** Paths of the test fixtures' own endpoints, which are no part of the API. */
    public static final String TEST_PATHS = "/api/v1/test/";

    private final List<Operation> operations;

    /** An operation of the document, and the pattern its path template matches. */
    private record Operation(String method, String template, Pattern pattern, int variables, JsonNode spec) {

        String name() {
            return method + " " + template;
        }
    }

    public ApiContract(JsonNode document) {
        this.operations = operations(document);
    }

    /** Every difference between the document and the answers, one line each; none when they agree. */
    public SortedSet<String> differences(Set<Exchange> seen) {
        SortedSet<String> differences = new TreeSet<>();
        Map<String, Set<Integer>> successes = new TreeMap<>();
        for (Exchange exchange : seen) {
            // A CORS preflight is the browser's question, answered by the security filters, not an operation; the
            // internal endpoints are Retinue's own processes' and deliberately left out of the public document.
            if (exchange.path().startsWith(TEST_PATHS) || exchange.path().startsWith("/internal/")
                    || exchange.method().equals("OPTIONS")) {
                continue;
            }
            Optional<Operation> found = operation(exchange);
            if (found.isEmpty()) {
                // Off the map: the firewall's 400, or the container's 404 or 405, is the answer to a request for
                // nothing. Anything else means the document misses an operation.
                if (exchange.status() != 400 && exchange.status() != 404 && exchange.status() != 405) {
                    differences.add(exchange.method() + " " + exchange.path() + " is not in the document but answered "
                            + exchange.status());
                }
                continue;
            }
            Operation operation = found.get();
            String status = String.valueOf(exchange.status());
            JsonNode response = operation.spec().at("/responses/" + status);
            if (response.isMissingNode()) {
                differences.add(operation.name() + " answered " + status + " (" + exchange.mediaType()
                        + "), documented: " + operation.spec().get("responses").propertyNames());
                continue;
            }
            // Exercised: it did what it is for (a 304 too); then each success it documents should have been seen.
            if (exchange.status() < 400) {
                successes.computeIfAbsent(operation.name(), name -> new TreeSet<>()).add(exchange.status());
            }
            JsonNode content = response.get("content");
            boolean documented = content != null && !content.isEmpty();
            if (exchange.mediaType() != null && !(documented && documents(content, exchange.mediaType()))) {
                differences.add(operation.name() + " answered " + status + " as " + exchange.mediaType()
                        + ", documented: " + (documented ? content.propertyNames() : "no content"));
            }
        }
        for (Operation operation : operations) {
            Set<Integer> observed = successes.get(operation.name());
            if (observed == null) {
                continue;
            }
            operation.spec()
                .get("responses")
                .propertyNames()
                .stream()
                .filter(status -> status.startsWith("2") && !observed.contains(Integer.parseInt(status)))
                .forEach(status -> differences.add(operation.name() + " documents " + status
                        + " but answered only " + observed));
        }
        return differences;
    }

    private static boolean documents(JsonNode content, String mediaType) {
        return content.propertyNames()
            .stream()
            .map(documented -> documented.split(";")[0].trim().toLowerCase(Locale.ROOT))
            .anyMatch(documented -> documented.equals(mediaType) || documented.equals("*/*")
                    || documented.endsWith("/*")
                            && mediaType.startsWith(documented.substring(0, documented.length() - 1)));
    }

    private static List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            String template = path.getKey();
            int variables = (int) template.chars().filter(c -> c == '{').count();
            Pattern pattern = Pattern.compile(Pattern.quote(template).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q"));
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                operations.add(new Operation(operation.getKey().toUpperCase(Locale.ROOT), template, pattern, variables,
                        operation.getValue()));
            }
        }
        return operations;
    }

    /** The operation a request was for: its method, and of the templates its path matches the most specific. */
    private Optional<Operation> operation(Exchange exchange) {
        return operations.stream()
            .filter(operation -> operation.method().equals(exchange.method()))
            .filter(operation -> operation.pattern().matcher(exchange.path()).matches())
            .min(Comparator.comparingInt(Operation::variables));
    }
}
