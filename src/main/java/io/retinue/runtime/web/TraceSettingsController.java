package io.retinue.runtime.web;

import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.retinue.runtime.internal.tracing.TraceSettings;
import io.retinue.shared.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

/** What the tenant's runs' traces hold: whether prompts, answers and tool arguments and results are on their spans. */
@RestController
@RequestMapping(path = "/api/v1/trace-settings", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Trace settings", description = "Choose whether the tenant's traces hold prompts and answers")
class TraceSettingsController {

    private final TraceSettings settings;

    TraceSettingsController(TraceSettings settings) {
        this.settings = settings;
    }

    @GetMapping
    @Operation(operationId = "getTraceSettings", summary = "What the tenant's runs' traces hold",
            description = "By default (captureContent false) spans hold ids, names, token counts and outcomes only.")
    TraceSettings.Settings get(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller) {
        return settings.of(caller.tenant());
    }

    @PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "updateTraceSettings", summary = "Choose what the tenant's runs' traces hold",
            description = "captureContent true: each model call's span holds its prompt (gen_ai.input.messages) and "
                    + "answer (gen_ai.output.messages), each tool call's its arguments and result "
                    + "(gen_ai.tool.call.arguments, gen_ai.tool.call.result), secret-looking values masked and each "
                    + "text cut at 8192 characters. Only where traces are exported (RETINUE_TRACING_ENDPOINT); seen "
                    + "by every instance within 5 s.")
    TraceSettings.Settings update(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @RequestBody TraceSettings.SettingsRequest request) {
        return settings.change(caller, request);
    }
}
