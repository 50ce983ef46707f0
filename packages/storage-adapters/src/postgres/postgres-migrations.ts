/**
 * Numbered PostgreSQL migrations, applied in order inside one transaction and recorded in
 * `schema_migrations`. Never edit a released migration; add the next number.
 *
 * The tables mirror the SQLite schema column for column (the row mappers in `shared/rows.ts` serve
 * both). Differences that keep the two stores' answers identical:
 * - every text column that is sorted or compared is `COLLATE "C"`, so ordering is UTF-8 byte order
 *   whatever the database's default collation (SQLite's BINARY);
 * - timestamps are the ISO 8601 strings the store is given, as `TEXT`, so they read back unchanged;
 * - sizes and counts are `BIGINT` (a 40 GB object fits);
 * - JSON bodies are `json`, which keeps the text as written (key order included);
 * - sequence columns are identity columns, not `MAX(seq) + 1`, so concurrent writers never collide;
 * - `file_info` refers to its collection by the collection's `seq` and has no foreign key (see there).
 */
export const POSTGRES_MIGRATIONS: readonly { id: number; sql: string }[] = [
  {
    id: 1,
    sql: `
CREATE TABLE connectors (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  destination_bucket TEXT NOT NULL,
  destination_prefix TEXT,
  source_bucket TEXT NOT NULL,
  config_name TEXT NOT NULL,
  schedule TEXT NOT NULL DEFAULT 'manual',
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE folders (
  connector_id TEXT COLLATE "C" NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  path TEXT COLLATE "C" NOT NULL,
  depth INTEGER NOT NULL,
  object_count BIGINT NOT NULL,
  total_size_bytes BIGINT NOT NULL,
  direct_object_count BIGINT NOT NULL,
  direct_size_bytes BIGINT NOT NULL,
  last_modified TEXT,
  PRIMARY KEY (connector_id, path)
);

CREATE TABLE collections (
  id TEXT COLLATE "C" PRIMARY KEY,
  connector_id TEXT COLLATE "C" NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  folder_path TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  file_info_source TEXT CHECK (file_info_source IN ('inventory', 'api')),
  file_info_updated_at TEXT,
  file_count BIGINT NOT NULL DEFAULT 0,
  -- A compact key for file_info (8 bytes instead of a 36-character id in every row and index entry).
  seq BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL UNIQUE,
  UNIQUE (connector_id, folder_path)
);

-- Millions of rows: keyed by the collection's seq, and without a foreign key, whose per-row check
-- would double the cost of a bulk insert. replaceFileInfo locks the collection row while it writes,
-- and the trigger below does what ON DELETE CASCADE does in SQLite.
CREATE TABLE file_info (
  collection_seq BIGINT NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  last_modified TEXT NOT NULL,
  etag TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  PRIMARY KEY (collection_seq, key)
);

CREATE FUNCTION file_info_delete_with_collection() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM file_info WHERE collection_seq = OLD.seq;
  RETURN OLD;
END
$$;
CREATE TRIGGER collections_delete_file_info AFTER DELETE ON collections
FOR EACH ROW EXECUTE FUNCTION file_info_delete_with_collection();

CREATE TABLE import_sessions (
  id TEXT COLLATE "C" PRIMARY KEY,
  connector_id TEXT COLLATE "C" NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  phase TEXT NOT NULL,
  data_files_done BIGINT NOT NULL DEFAULT 0,
  manifest_key TEXT NOT NULL,
  inventory_timestamp TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  summary JSON,
  error_code TEXT,
  error_message TEXT,
  seq BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL
);
CREATE INDEX import_sessions_by_connector ON import_sessions (connector_id, seq);

CREATE TABLE import_collections_done (
  import_id TEXT COLLATE "C" NOT NULL REFERENCES import_sessions(id) ON DELETE CASCADE,
  collection_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (import_id, collection_id)
);

CREATE TABLE deltas (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  collection_id TEXT COLLATE "C" NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  import_id TEXT COLLATE "C",
  computed_at TEXT NOT NULL,
  new_count BIGINT NOT NULL,
  modified_count BIGINT NOT NULL,
  deleted_count BIGINT NOT NULL,
  unchanged_count BIGINT NOT NULL,
  body JSON NOT NULL
);
CREATE INDEX deltas_by_collection ON deltas (collection_id, seq);
`,
  },
  {
    id: 2,
    sql: `
CREATE TABLE jobs (
  id TEXT COLLATE "C" PRIMARY KEY,
  connector_id TEXT COLLATE "C" NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
  trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  scheduled_at TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  locked_by TEXT,
  lease_expires_at TEXT COLLATE "C",
  started_at TEXT,
  finished_at TEXT,
  error_code TEXT,
  error_message TEXT,
  seq BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL
);
-- The rule "one queued-or-running import per connector" lives in the database, not in a check-then-insert.
CREATE UNIQUE INDEX jobs_one_active_per_connector ON jobs (connector_id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_due ON jobs (status, scheduled_at, seq);
CREATE INDEX jobs_by_connector ON jobs (connector_id, seq);

CREATE TABLE audit_log (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at TEXT NOT NULL,
  connector_id TEXT COLLATE "C",
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject_id TEXT,
  detail JSON
);
CREATE INDEX audit_log_by_connector ON audit_log (connector_id, seq);
`,
  },
  {
    id: 3,
    sql: `
-- Jobs of three kinds (import, refresh, test), with what they were asked, found and last reported.
ALTER TABLE jobs
  ADD COLUMN kind TEXT NOT NULL DEFAULT 'import' CHECK (kind IN ('import', 'refresh', 'test')),
  ADD COLUMN actor TEXT NOT NULL DEFAULT 'system',
  ADD COLUMN payload JSON,
  ADD COLUMN result JSON,
  ADD COLUMN progress JSON,
  ADD COLUMN progress_at TEXT,
  ADD COLUMN cancel_requested_at TEXT;
-- One queued-or-running import per connector; a refresh or an access test may run beside it.
DROP INDEX jobs_one_active_per_connector;
CREATE UNIQUE INDEX jobs_one_active_import_per_connector ON jobs (connector_id) WHERE status IN ('queued', 'running') AND kind = 'import';
`,
  },
  {
    id: 4,
    sql: `
-- A connector exists before its inventory is configured (location NULL), and holds the configuration's
-- format and delta list size.
ALTER TABLE connectors
  ALTER COLUMN destination_bucket DROP NOT NULL,
  ALTER COLUMN source_bucket DROP NOT NULL,
  ALTER COLUMN config_name DROP NOT NULL,
  ADD COLUMN format TEXT NOT NULL DEFAULT 'CSV' CHECK (format IN ('CSV', 'ORC', 'Parquet')),
  ADD COLUMN delta_list_limit INTEGER NOT NULL DEFAULT 1000 CHECK (delta_list_limit >= 0),
  ADD CONSTRAINT connectors_location_whole CHECK ((destination_bucket IS NULL) = (source_bucket IS NULL) AND (source_bucket IS NULL) = (config_name IS NULL));
`,
  },
  {
    id: 5,
    sql: `
-- An async FileInfo source (a live listing) is staged here before the swap, so rows stream to the
-- database instead of memory and the collection's lock is held only for the swap. Unlogged: staged rows
-- are thrown away after each write, and a crash loses nothing that is not written again.
CREATE UNLOGGED TABLE file_info_staging (
  stage_id TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  last_modified TEXT NOT NULL,
  etag TEXT NOT NULL,
  storage_class TEXT NOT NULL,
  staged_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (stage_id, key)
);
`,
  },
]
