-- The first ledger schema: closed periods (one row per revision), their credit lines, and
-- overrides. Written in the SQL that DuckDB and PostgreSQL share. Money is DECIMAL (exact);
-- times are UTC, stored without a zone.

CREATE TABLE slac_closed_periods (
    contract_id TEXT NOT NULL,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    state TEXT NOT NULL,
    closed_at TIMESTAMP NOT NULL,
    closed_by TEXT NOT NULL,
    reason TEXT,
    plan_sha256 TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    slac_version TEXT NOT NULL,
    total_credit DECIMAL(38, 12) NOT NULL,
    currency TEXT,
    results_sha256 TEXT NOT NULL,
    results TEXT NOT NULL,
    -- Two closes of one period race to the same revision: the database lets one win.
    PRIMARY KEY (contract_id, period, revision),
    CHECK (revision >= 1),
    CHECK (state IN ('closed', 'reopened')),
    CHECK ((revision = 1) = (reason IS NULL))
);

CREATE TABLE slac_credit_lines (
    contract_id TEXT NOT NULL,
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    line INTEGER NOT NULL,
    objective TEXT NOT NULL,
    scope TEXT NOT NULL,
    tier INTEGER,
    percent DECIMAL(38, 12),
    amount DECIMAL(38, 12) NOT NULL,
    dropped TEXT,
    PRIMARY KEY (contract_id, period, revision, line),
    FOREIGN KEY (contract_id, period, revision)
        REFERENCES slac_closed_periods (contract_id, period, revision)
);

CREATE TABLE slac_overrides (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL,
    period TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    value TEXT,
    reason TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (action IN ('waive-credit', 'set-amount', 'exclude-item'))
);

CREATE INDEX slac_overrides_by_period ON slac_overrides (contract_id, period);
