-- Which tools the live version of each agent names, kept from the agents module's events, so that a tool still in
-- use cannot be deleted.
CREATE TABLE tools.agent_tool_reference (
    tenant_id  VARCHAR(63)  NOT NULL,
    agent_id   UUID         NOT NULL,
    agent_slug VARCHAR(63)  NOT NULL,
    tool_name  VARCHAR(200) NOT NULL,
    PRIMARY KEY (agent_id, tool_name)
);
CREATE INDEX agent_tool_reference_by_tool ON tools.agent_tool_reference (tenant_id, tool_name);
