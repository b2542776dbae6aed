/**
 * Tool management (the seed's ToolRegistry, ToolExecutor and ToolPermissionChecker): will own tool definitions,
 * credentials, grants and execution records in schema {@code tools}. Built by the tools issue; nothing lives here yet.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tools")
package io.retinue.tools;
