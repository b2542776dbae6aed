package io.retinue.runtime.web;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.runtime.internal.webhooks.Webhooks;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Page;
import io.retinue.shared.web.QueryParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;

/** Webhooks that tell callers how runs ended: the signing secret, subscriptions, deliveries and dead letters. */
@RestController
@Tag(name = "Webhooks", description = "Signed notifications of run outcomes, retried, with dead letters")
class WebhookController {

    private final Webhooks webhooks;

    WebhookController(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    /** A subscription to create: all runs of the tenant, or one agent's. */
    @Schema(description = "A URL to post run outcomes to, for the tenant's runs or one agent's (id or slug)")
    record SubscriptionRequest(String url, String agent) {
    }

    @PostMapping(path = "/api/v1/webhooks/secret", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "rotateWebhookSecret", summary = "Make a new signing secret (shown this once; the previous one stops signing at once)",
            description = "Deliveries are signed with it: HMAC-SHA256 of the body.")
    Map<String, String> rotateSecret(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return Map.of("secret", webhooks.rotateSecret(caller.tenant()));
    }

    @PostMapping(path = "/api/v1/webhooks", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "subscribeWebhook", summary = "Subscribe a URL to the outcomes of the tenant's runs (or one agent's)",
            description = "Each run that ends, or waits for a decision, is posted to the URL as a signed delivery, "
                    + "retried with back-off; one that fails every attempt becomes a dead letter.")
    @ApiResponse(responseCode = "201", description = "The subscription; Location names it")
    ResponseEntity<Webhooks.Subscription> subscribe(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody SubscriptionRequest request) {
        Webhooks.Subscription subscription = webhooks.subscribe(caller.tenant(), request.url(), request.agent());
        return ResponseEntity.created(URI.create("/api/v1/webhooks/" + subscription.id())).body(subscription);
    }

    @GetMapping(path = "/api/v1/webhooks", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listWebhooks", summary = "The tenant's subscriptions",
            description = "Each subscription's URL and agent filter.")
    List<Webhooks.Subscription> subscriptions(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return webhooks.subscriptions(caller.tenant());
    }

    @DeleteMapping("/api/v1/webhooks/{id}")
    @Operation(operationId = "deleteWebhook", summary = "Remove a subscription",
            description = "Runs that end from then on are not posted to its URL.")
    @ApiResponse(responseCode = "204", description = "Removed")
    ResponseEntity<Void> unsubscribe(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id) {
        if (!webhooks.unsubscribe(caller.tenant(), id)) {
            throw DomainProblem.notFound("Webhook '" + id + "'");
        }
        return ResponseEntity.noContent().build();
    }

    @GetMapping(path = "/api/v1/webhook-deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listWebhookDeliveries", summary = "Deliveries, newest first; status=dead lists the dead letters",
            description = "Each delivery's run, attempts, last status and error; pass nextCursor back as cursor for "
                    + "the next page.")
    Page<Webhooks.Delivery> deliveries(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) @io.swagger.v3.oas.annotations.media.Schema(
                    allowableValues = { "pending", "delivered", "dead" }) String status,
            @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        return webhooks.deliveries(caller.tenant(), status, QueryParameters.limit(limit), cursor);
    }

    @PostMapping("/api/v1/webhook-deliveries/{id}/retry")
    @Operation(operationId = "retryWebhookDelivery", summary = "Send a dead letter again, from a first attempt",
            description = "The delivery is queued again with its attempts reset; 404 unless it is dead.")
    @ApiResponse(responseCode = "202", description = "Queued for delivery again")
    ResponseEntity<Void> retry(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        if (!webhooks.retry(caller.tenant(), id)) {
            throw DomainProblem.notFound("Undelivered webhook delivery '" + id + "'");
        }
        return ResponseEntity.accepted().build();
    }
}
