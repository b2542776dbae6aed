package io.retinue.gateway.web;

import java.util.List;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.internal.Logins;
import io.retinue.gateway.internal.SigningKeys;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.TenantId;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** User authentication: login, refresh, logout, and the public keys our access tokens are signed with. */
@RestController
@Tag(name = "Authentication", description = "Password login to access JWTs and rotating refresh tokens")
class AuthController {

    private final Logins logins;
    private final SigningKeys signingKeys;

    AuthController(Logins logins, SigningKeys signingKeys) {
        this.logins = logins;
        this.signingKeys = signingKeys;
    }

    /** Login credentials. */
    @Schema(name = "LoginRequest", description = "Login credentials")
    record Login(@Schema(example = "default") String tenant, @Schema(example = "ada@example.com") String email,
            @Schema(example = "correct horse battery staple") String password) {
    }

    /** A refresh token being traded or ended. */
    @Schema(name = "RefreshRequest", description = "A refresh token being traded or ended")
    record Refresh(String refreshToken) {
    }

    @PostMapping(path = "/api/v1/auth/login", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @SecurityRequirements
    @Operation(operationId = "login", summary = "Log in with a password",
            description = "Answers a short-lived access JWT and a refresh token. Failures all look alike (401 "
                    + "gateway/login-failed); repeated failures lock the account with growing back-off.")
    @ApiResponse(responseCode = "200", description = "An access token and a refresh token")
    @ApiResponse(responseCode = "401",
            description = "Wrong tenant, email or password, or the account is locked or disabled "
                    + "(gateway/login-failed)")
    Logins.Session login(@RequestBody Login body) {
        if (body.tenant() == null || body.email() == null || body.password() == null) {
            throw DomainProblem.invalid(List.of(new Violation("", "tenant, email and password are required")));
        }
        TenantId tenant;
        try {
            tenant = new TenantId(body.tenant());
        }
        catch (IllegalArgumentException ex) {
            throw DomainProblem.invalid(List.of(new Violation("/tenant", "is not a tenant id")));
        }
        return logins.login(tenant, body.email(), body.password());
    }

    @PostMapping(path = "/api/v1/auth/refresh", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @SecurityRequirements
    @Operation(operationId = "refresh", summary = "Trade a refresh token for a new access token and refresh token",
            description = "Each refresh token works once; presenting a used one again revokes the whole session.")
    @ApiResponse(responseCode = "200", description = "A new access token and refresh token")
    @ApiResponse(responseCode = "401",
            description = "The refresh token is invalid, expired, revoked or used already (gateway/refresh-failed)")
    Logins.Session refresh(@RequestBody Refresh body) {
        return logins.refresh(required(body));
    }

    @PostMapping(path = "/api/v1/auth/logout", consumes = MediaType.APPLICATION_JSON_VALUE)
    @SecurityRequirements
    @Operation(operationId = "logout", summary = "End the session of a refresh token",
            description = "The session of the refresh token ends; access tokens already issued expire on their own "
                    + "within minutes.")
    @ApiResponse(responseCode = "204", description = "The session has ended")
    ResponseEntity<Void> logout(@RequestBody Refresh body) {
        logins.logout(required(body));
        return ResponseEntity.noContent().build();
    }

    @GetMapping(path = "/.well-known/jwks.json", produces = MediaType.APPLICATION_JSON_VALUE)
    @SecurityRequirements
    @Operation(operationId = "getJwks", summary = "The public keys that verify Retinue's access tokens (JWK set)",
            description = "For services that verify Retinue's access tokens themselves.")
    Map<String, Object> jwks() {
        return signingKeys.published().toJSONObject(true);
    }

    @PostMapping(path = "/api/v1/auth/signing-keys/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "rotateSigningKey", summary = "Rotate the token signing key now (platform:admin)",
            description = "Keys also rotate on their own schedule; old keys keep verifying until their tokens expire.")
    Map<String, String> rotate() {
        return Map.of("kid", signingKeys.rotate());
    }

    private static String required(Refresh body) {
        if (body == null || body.refreshToken() == null || body.refreshToken().isBlank()) {
            throw DomainProblem.invalid(List.of(new Violation("/refreshToken", "is required")));
        }
        return body.refreshToken();
    }
}
