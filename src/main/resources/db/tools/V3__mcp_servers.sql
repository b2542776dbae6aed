-- MCP servers a tenant registered; their tools live in tools.tool with kind 'mcp' and the server's name as namespace.
CREATE TABLE tools.mcp_server (
    tenant_id      VARCHAR(63)              NOT NULL,
    name           VARCHAR(63)              NOT NULL,
    transport      VARCHAR(20)              NOT NULL,
    url            VARCHAR(2000),
    command        TEXT,
    headers        TEXT,
    status         VARCHAR(20)              NOT NULL,
    tool_count     INTEGER                  NOT NULL,
    last_synced_at TIMESTAMP WITH TIME ZONE,
    last_error     VARCHAR(2000),
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
