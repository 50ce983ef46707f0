/**
 * Numbered SQLite migrations, applied in order and recorded in `schema_migrations`.
 * Never edit a released migration; add the next number.
 */
export const SQLITE_MIGRATIONS: readonly { id: number; sql: string }[] = [
  {
    id: 1,
    sql: `
CREATE TABLE connectors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  destination_bucket TEXT NOT NULL,
  destination_prefix TEXT,
  source_bucket TEXT NOT NULL,
  config_name TEXT NOT NULL,
  schedule TEXT NOT NULL DEFAULT 'manual',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE folders (
  connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  depth INTEGER NOT NULL,
  object_count INTEGER NOT NULL,
  total_size_bytes INTEGER NOT NULL,
  direct_object_count INTEGER NOT NULL,
  direct_size_bytes INTEGER NOT NULL,
  last_modified TEXT,
  PRIMARY KEY (connector_id, path)
) WITHOUT ROWID;

CREATE TABLE collections (
  -- FileInfo rows refer to this small integer, not to the id text: a quarter less to write per file.
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  folder_path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  file_info_source TEXT CHECK (file_info_source IN ('inventory', 'api')),
  file_info_updated_at TEXT,
  file_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (connector_id, folder_path)
);

-- No foreign key on collection_pk: checking it per row costs a sixth of a FileInfo write. Rows are only
-- written for a collection the store has just looked up, and the trigger below does the cascade.
CREATE TABLE file_info (
  collection_pk INTEGER NOT NULL,
  key TEXT NOT NULL,
  size INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  etag TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  PRIMARY KEY (collection_pk, key)
) WITHOUT ROWID;
CREATE TRIGGER collections_delete_file_info AFTER DELETE ON collections
BEGIN
  DELETE FROM file_info WHERE collection_pk = OLD.pk;
END;

CREATE TABLE import_sessions (
  id TEXT PRIMARY KEY,
  connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  phase TEXT NOT NULL,
  data_files_done INTEGER NOT NULL DEFAULT 0,
  manifest_key TEXT NOT NULL,
  inventory_timestamp TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  summary TEXT,
  error_code TEXT,
  error_message TEXT,
  seq INTEGER NOT NULL
);
CREATE INDEX import_sessions_by_connector ON import_sessions (connector_id, seq);

CREATE TABLE import_collections_done (
  import_id TEXT NOT NULL REFERENCES import_sessions(id) ON DELETE CASCADE,
  collection_id TEXT NOT NULL,
  PRIMARY KEY (import_id, collection_id)
) WITHOUT ROWID;

CREATE TABLE deltas (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  import_id TEXT,
  computed_at TEXT NOT NULL,
  new_count INTEGER NOT NULL,
  modified_count INTEGER NOT NULL,
  deleted_count INTEGER NOT NULL,
  unchanged_count INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX deltas_by_collection ON deltas (collection_id, seq);
`,
  },
  {
    id: 2,
    sql: `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  connector_id TEXT NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  scheduled_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  locked_by TEXT,
  lease_expires_at TEXT,
  started_at TEXT,
  finished_at TEXT,
  error_code TEXT,
  error_message TEXT,
  seq INTEGER NOT NULL
);
-- The rule "one queued-or-running import per connector" lives in the database, not in a check-then-insert.
CREATE UNIQUE INDEX jobs_one_active_per_connector ON jobs (connector_id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_due ON jobs (status, scheduled_at, seq);
CREATE INDEX jobs_by_connector ON jobs (connector_id, seq);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  connector_id TEXT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT,
  detail TEXT
);
CREATE INDEX audit_log_by_connector ON audit_log (connector_id, seq);
`,
  },
  {
    id: 3,
    sql: `
-- Jobs of three kinds (import, refresh, test), with what they were asked, found and last reported.
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'import' CHECK (kind IN ('import', 'refresh', 'test'));
ALTER TABLE jobs ADD COLUMN actor TEXT NOT NULL DEFAULT 'system';
ALTER TABLE jobs ADD COLUMN payload TEXT;
ALTER TABLE jobs ADD COLUMN result TEXT;
ALTER TABLE jobs ADD COLUMN progress TEXT;
ALTER TABLE jobs ADD COLUMN progress_at TEXT;
ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
-- One queued-or-running import per connector; a refresh or an access test may run beside it.
DROP INDEX jobs_one_active_per_connector;
CREATE UNIQUE INDEX jobs_one_active_import_per_connector ON jobs (connector_id) WHERE status IN ('queued', 'running') AND kind = 'import';
`,
  },
  {
    id: 4,
    sql: `
-- A connector exists before its inventory is configured (location NULL), and holds the configuration's
-- format and delta list size. SQLite cannot drop NOT NULL in place: the table is rebuilt (the migration
-- runs with foreign keys off, so the rows that refer to connectors stay).
CREATE TABLE connectors_v4 (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  destination_bucket TEXT,
  destination_prefix TEXT,
  source_bucket TEXT,
  config_name TEXT,
  schedule TEXT NOT NULL DEFAULT 'manual',
  format TEXT NOT NULL DEFAULT 'CSV' CHECK (format IN ('CSV', 'ORC', 'Parquet')),
  delta_list_limit INTEGER NOT NULL DEFAULT 1000 CHECK (delta_list_limit >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((destination_bucket IS NULL) = (source_bucket IS NULL) AND (source_bucket IS NULL) = (config_name IS NULL))
);
INSERT INTO connectors_v4 (id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule, created_at, updated_at)
  SELECT id, name, destination_bucket, destination_prefix, source_bucket, config_name, schedule, created_at, updated_at FROM connectors;
DROP TABLE connectors;
ALTER TABLE connectors_v4 RENAME TO connectors;
`,
  },
]
