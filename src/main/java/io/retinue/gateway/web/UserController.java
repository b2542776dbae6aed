package io.retinue.gateway.web;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.gateway.internal.UserDirectory;
import io.retinue.shared.Caller;
import io.retinue.shared.DomainProblem;
import io.retinue.shared.Role;
import io.retinue.shared.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** The tenant's users (scope users:manage). */
@RestController
@RequestMapping(path = "/api/v1/users", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Users", description = "People who log in to the tenant, and their roles")
class UserController {

    private final UserDirectory users;

    UserController(UserDirectory users) {
        this.users = users;
    }

    /** A new user. */
    @Schema(name = "CreateUserRequest", description = "A user to add: email, display name, initial password and role")
    record NewUser(@Schema(example = "ada@example.com") String email, @Schema(example = "Ada") String displayName,
            @Schema(description = "At least 12 characters") String password,
            @Schema(allowableValues = { "owner", "admin", "developer", "operator", "viewer" }) String role) {
    }

    /** A role change. */
    @Schema(name = "ChangeRoleRequest", description = "The role to give")
    record RoleChange(@Schema(allowableValues = { "owner", "admin", "developer", "operator", "viewer" }) String role) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createUser", summary = "Add a user", description = "Nobody can give a role stronger than their own (403).")
    @ApiResponse(responseCode = "201", description = "The user; Location names it")
    @ApiResponse(responseCode = "409", description = "A user with that email exists (gateway/email-taken)")
    ResponseEntity<UserDirectory.UserView> add(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody NewUser body) {
        if (body.email() == null || !body.email().matches("[^@\\s]{1,200}@[^@\\s]{1,100}")) {
            throw DomainProblem.invalid(List.of(new Violation("/email", "must be an email address")));
        }
        String name = body.displayName() == null || body.displayName().isBlank() ? body.email() : body.displayName();
        UserDirectory.UserView user = users.add(caller, body.email(), name, body.password(), role(body.role()));
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.id())).body(user);
    }

    @GetMapping
    @Operation(operationId = "listUsers", summary = "List users",
            description = "Every user of the tenant with their role; never a password.")
    List<UserDirectory.UserView> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return users.list(caller);
    }

    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "changeUserRole", summary = "Change a user's role",
            description = "Nobody can give a role stronger than their own (403).")
    UserDirectory.UserView changeRole(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id, @RequestBody RoleChange body) {
        return users.changeRole(caller, id, role(body.role()));
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "disableUser", summary = "Disable a user", description = "Ends their sessions; issued access tokens expire within minutes.")
    @ApiResponse(responseCode = "204", description = "Disabled")
    ResponseEntity<Void> disable(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        users.disable(caller, id);
        return ResponseEntity.noContent().build();
    }

    static Role role(String role) {
        if (role != null) {
            for (Role candidate : Role.values()) {
                if (candidate.wire().equals(role)) {
                    return candidate;
                }
            }
        }
        throw DomainProblem.invalid(List.of(new Violation("/role", "must be one of owner, admin, developer, operator, viewer")));
    }
}
