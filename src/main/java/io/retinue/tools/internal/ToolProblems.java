package io.retinue.tools.internal;

import org.springframework.http.HttpStatus;

import io.retinue.shared.ProblemType;

/** The problem types of tool management, under {@code …/problems/tools/}. */
public final class ToolProblems {

    public static final ProblemType NAME_TAKEN = ProblemType.of("tools/name-taken", HttpStatus.CONFLICT,
            "Tool name already in use");
    public static final ProblemType DENIED = ProblemType.of("tools/permission-denied", HttpStatus.FORBIDDEN,
            "Tool call not permitted");
    public static final ProblemType APPROVAL_REQUIRED = ProblemType.of("tools/approval-required",
            HttpStatus.FORBIDDEN, "Tool call needs approval");
    public static final ProblemType INVALID_ARGUMENTS = ProblemType.of("tools/invalid-arguments",
            HttpStatus.UNPROCESSABLE_CONTENT, "Invalid tool arguments");
    public static final ProblemType EXECUTION_FAILED = ProblemType.of("tools/execution-failed",
            HttpStatus.BAD_GATEWAY, "Tool execution failed");
    public static final ProblemType DISABLED = ProblemType.of("tools/tool-disabled", HttpStatus.CONFLICT,
            "Tool disabled");
    public static final ProblemType IN_USE = ProblemType.of("tools/tool-in-use", HttpStatus.CONFLICT,
            "Tool in use");
    public static final ProblemType BUILTIN_READ_ONLY = ProblemType.of("tools/read-only",
            HttpStatus.CONFLICT, "Tool cannot be changed here");

    private ToolProblems() {
    }
}
