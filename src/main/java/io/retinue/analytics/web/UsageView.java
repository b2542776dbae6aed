package io.retinue.analytics.web;

import java.math.BigDecimal;
import java.time.LocalDate;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.retinue.analytics.internal.UsageReports;
import io.swagger.v3.oas.annotations.media.Schema;

/** A row of a usage report: the group it stands for (only what the report is grouped by), then what its runs did. */
@Schema(description = "A group's runs: day, agent, version and model as the report is grouped by, then the figures")
record UsageView(@JsonInclude(JsonInclude.Include.NON_NULL) LocalDate day,
        @JsonInclude(JsonInclude.Include.NON_NULL) String agent,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer version,
        @JsonInclude(JsonInclude.Include.NON_NULL) String model, long runs, long completed, long failed,
        long cancelled, long timedOut, double errorRate, long waitsForDecision, long sessions, long turns,
        long modelCalls, long toolCalls, long toolFailures, long tokensIn, long tokensOut, BigDecimal costUsd,
        long unpricedTokens, Long latencyP50Ms, Long latencyP90Ms, Long latencyP99Ms) {

    static UsageView of(UsageReports.UsageRow row) {
        UsageReports.Group group = row.group();
        return new UsageView(group.day(), group.agent(), group.version(), group.model(), row.runs(), row.completed(),
                row.failed(), row.cancelled(), row.timedOut(), row.errorRate(), row.waitsForDecision(),
                row.sessions(), row.turns(), row.modelCalls(), row.toolCalls(), row.toolFailures(), row.tokensIn(),
                row.tokensOut(), row.costUsd(), row.unpricedTokens(), row.latencyP50Ms(), row.latencyP90Ms(),
                row.latencyP99Ms());
    }
}
