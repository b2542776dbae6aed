/**
 * Tool management (the seed's ToolRegistry, ToolExecutor and ToolPermissionChecker): the only way agents reach the
 * outside world. Owns tool definitions, credentials, grants, permission decisions and execution records in schema
 * {@code tools}. Other modules list the tools an agent may use through {@link io.retinue.tools.ToolCatalog} and call
 * them through {@link io.retinue.tools.ToolCalls}, and react to {@link io.retinue.tools.ToolChanged} and
 * {@link io.retinue.tools.ToolGrantChanged}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tools")
package io.retinue.tools;
