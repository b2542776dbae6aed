-- The split shape's databases on one PostgreSQL server: one per service, each service migrating only its own.
CREATE DATABASE retinue_gateway OWNER retinue;
CREATE DATABASE retinue_agents OWNER retinue;
CREATE DATABASE retinue_runtime OWNER retinue;
CREATE DATABASE retinue_tools OWNER retinue;
