package io.retinue.analytics.web;

import java.time.LocalDate;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.retinue.analytics.internal.UsageReports;
import io.swagger.v3.oas.annotations.media.Schema;

/** A row of a tool report: the group it stands for (only what the report is grouped by), then its tool calls. */
@Schema(description = "A group's tool calls: day, agent, version and tool as the report is grouped by, then the figures")
record ToolView(@JsonInclude(JsonInclude.Include.NON_NULL) LocalDate day,
        @JsonInclude(JsonInclude.Include.NON_NULL) String agent,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer version,
        @JsonInclude(JsonInclude.Include.NON_NULL) String tool, long calls, long failures, double failureRate,
        long averageMs) {

    static ToolView of(UsageReports.ToolRow row) {
        UsageReports.Group group = row.group();
        return new ToolView(group.day(), group.agent(), group.version(), group.tool(), row.calls(), row.failures(),
                row.failureRate(), row.averageMs());
    }
}
