-- inved schema, version 1.
--
-- Compiled into the binary (data/embed.c) and applied by store_open() when
-- PRAGMA user_version is 0.  The write discipline of SPEC 2-3 is held by
-- triggers, so it holds for every writer of the file, not only for inved:
-- a foreign UPDATE that forgets to bump the version gets it bumped, lands in
-- the audit as actor 'external', in the change feed, and in the totals.
--
-- inved's own writes name their actor and action in the one-row table
-- write_ctx inside the same transaction and clear it before commit; a
-- writer that leaves it empty is, by definition, external.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE orgs (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	prefix      TEXT NOT NULL,              -- invoice numbers: prefix || n
	next_number INTEGER NOT NULL DEFAULT 1001
);

CREATE TABLE users (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE memberships (
	user_id INTEGER NOT NULL REFERENCES users(id),
	org_id  INTEGER NOT NULL REFERENCES orgs(id),
	role    TEXT NOT NULL CHECK (role IN ('member', 'admin')),
	PRIMARY KEY (user_id, org_id)
) WITHOUT ROWID;

CREATE TABLE invoices (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES orgs(id),
	number      TEXT NOT NULL,
	customer    TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT 'draft'
	            CHECK (status IN ('draft', 'sent', 'paid', 'void')),
	total_minor INTEGER NOT NULL
	            CHECK (typeof(total_minor) = 'integer' AND total_minor >= 0),
	currency    TEXT NOT NULL CHECK (length(currency) = 3),
	version     INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	archived_at TEXT,
	deleted_at  TEXT
);

-- A number is unique per org among rows that are not deleted: soft-deleting
-- an invoice frees its number, so a live and a deleted ACME-1001 may coexist.
CREATE UNIQUE INDEX invoices_live_number
	ON invoices(org_id, number) WHERE deleted_at IS NULL;
-- Keyset pages of each view walk one of these in id order.
CREATE INDEX invoices_active_page
	ON invoices(org_id, id) WHERE archived_at IS NULL AND deleted_at IS NULL;
CREATE INDEX invoices_archived_page
	ON invoices(org_id, id) WHERE archived_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX invoices_org_page ON invoices(org_id, id);

CREATE TABLE audit (
	seq           INTEGER PRIMARY KEY,
	at            TEXT NOT NULL,
	org_id        INTEGER NOT NULL,
	actor_user_id INTEGER,                  -- NULL for an external writer
	actor         TEXT NOT NULL,            -- user name, or 'external'
	action        TEXT NOT NULL,            -- 'invoice.edit', ...
	subject_id    INTEGER NOT NULL,
	from_version  INTEGER NOT NULL,
	to_version    INTEGER NOT NULL,
	detail        TEXT NOT NULL DEFAULT '{}' -- {"field":{"old":..,"new":..}}
);
CREATE INDEX audit_org ON audit(org_id, seq);
CREATE INDEX audit_subject ON audit(subject_id, seq);

CREATE TABLE changes (
	seq        INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	org_id     INTEGER NOT NULL,
	invoice_id INTEGER NOT NULL,
	action     TEXT NOT NULL
);
CREATE INDEX changes_org ON changes(org_id, seq);

-- Count and sum per (org, currency, lifecycle state), kept by the triggers
-- below in the writer's own transaction, so the summary never scans.
CREATE TABLE totals (
	org_id      INTEGER NOT NULL,
	currency    TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('active', 'archived', 'deleted')),
	count       INTEGER NOT NULL DEFAULT 0,
	total_minor INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (org_id, state, currency)
) WITHOUT ROWID;

CREATE TABLE write_ctx (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	actor_user_id INTEGER,
	actor         TEXT NOT NULL,
	action        TEXT NOT NULL
);

-- Idempotency claims for creation (SPEC 3.3), scoped per org.
CREATE TABLE requests (
	org_id     INTEGER NOT NULL,
	token      TEXT NOT NULL,
	user_id    INTEGER NOT NULL,
	invoice_id INTEGER,
	at         TEXT NOT NULL,
	PRIMARY KEY (org_id, token)
) WITHOUT ROWID;

-- A form's unsaved edits per (user, org, invoice, token).  An edit form's
-- draft has token ''; a new invoice's form (invoice 0) is keyed by its
-- request token, so two new-invoice forms keep two drafts and a restored
-- one submits with the token it had.  base_body holds the values the form
-- was loaded from (at base_version), so a draft restored after the invoice
-- moved on is saved as a three-way merge, never over the newer row.
CREATE TABLE drafts (
	user_id      INTEGER NOT NULL,
	org_id       INTEGER NOT NULL,
	invoice_id   INTEGER NOT NULL,
	token        TEXT NOT NULL DEFAULT '',
	version      INTEGER NOT NULL,
	base_version INTEGER NOT NULL,
	base_body    TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL,
	saved_at     TEXT NOT NULL,
	PRIMARY KEY (user_id, org_id, invoice_id, token)
) WITHOUT ROWID;

CREATE TRIGGER invoices_after_insert AFTER INSERT ON invoices
BEGIN
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id,
		(SELECT actor_user_id FROM write_ctx WHERE id = 1),
		coalesce((SELECT actor FROM write_ctx WHERE id = 1), 'external'),
		coalesce((SELECT action FROM write_ctx WHERE id = 1),
		         'invoice.external_create'),
		NEW.id, 0, NEW.version,
		json_object(
			'number', json_object('old', NULL, 'new', NEW.number),
			'customer', json_object('old', NULL, 'new', NEW.customer),
			'status', json_object('old', NULL, 'new', NEW.status),
			'total_minor', json_object('old', NULL, 'new', NEW.total_minor),
			'currency', json_object('old', NULL, 'new', NEW.currency)));
	INSERT INTO changes (at, org_id, invoice_id, action)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NEW.id,
		coalesce((SELECT action FROM write_ctx WHERE id = 1),
		         'invoice.external_create'));
	INSERT INTO totals (org_id, currency, state, count, total_minor)
	VALUES (NEW.org_id, NEW.currency,
		CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		     WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		     ELSE 'active' END,
		1, NEW.total_minor)
	ON CONFLICT DO UPDATE SET count = count + 1,
		total_minor = total_minor + excluded.total_minor;
END;

CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices
BEGIN
	-- A writer that forgot the version still moves it: stale saves made
	-- against the old version must conflict.  (Not recursive: this nested
	-- UPDATE does not fire the trigger again.)
	UPDATE invoices
	SET version = OLD.version + 1,
	    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
	WHERE id = NEW.id AND NEW.version <= OLD.version;
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id,
		(SELECT actor_user_id FROM write_ctx WHERE id = 1),
		coalesce((SELECT actor FROM write_ctx WHERE id = 1), 'external'),
		coalesce((SELECT action FROM write_ctx WHERE id = 1),
		         'invoice.external_edit'),
		NEW.id, OLD.version,
		CASE WHEN NEW.version <= OLD.version THEN OLD.version + 1
		     ELSE NEW.version END,
		(SELECT json_group_object(f, json(v)) FROM (
			SELECT 'number' AS f,
			       json_object('old', OLD.number, 'new', NEW.number) AS v
			WHERE OLD.number IS NOT NEW.number
			UNION ALL
			SELECT 'customer',
			       json_object('old', OLD.customer, 'new', NEW.customer)
			WHERE OLD.customer IS NOT NEW.customer
			UNION ALL
			SELECT 'status', json_object('old', OLD.status, 'new', NEW.status)
			WHERE OLD.status IS NOT NEW.status
			UNION ALL
			SELECT 'total_minor',
			       json_object('old', OLD.total_minor, 'new', NEW.total_minor)
			WHERE OLD.total_minor IS NOT NEW.total_minor
			UNION ALL
			SELECT 'currency',
			       json_object('old', OLD.currency, 'new', NEW.currency)
			WHERE OLD.currency IS NOT NEW.currency
			UNION ALL
			SELECT 'archived_at',
			       json_object('old', OLD.archived_at, 'new', NEW.archived_at)
			WHERE OLD.archived_at IS NOT NEW.archived_at
			UNION ALL
			SELECT 'deleted_at',
			       json_object('old', OLD.deleted_at, 'new', NEW.deleted_at)
			WHERE OLD.deleted_at IS NOT NEW.deleted_at)));
	INSERT INTO changes (at, org_id, invoice_id, action)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NEW.id,
		coalesce((SELECT action FROM write_ctx WHERE id = 1),
		         'invoice.external_edit'));
END;

-- Totals move only when something they count moved, so an edit of the
-- customer alone costs no totals write.
CREATE TRIGGER invoices_after_update_totals AFTER UPDATE ON invoices
WHEN OLD.total_minor IS NOT NEW.total_minor
  OR OLD.currency IS NOT NEW.currency
  OR OLD.org_id IS NOT NEW.org_id
  OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
  OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
	UPDATE totals
	SET count = count - 1, total_minor = total_minor - OLD.total_minor
	WHERE org_id = OLD.org_id AND currency = OLD.currency
	  AND state = CASE WHEN OLD.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN OLD.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
	INSERT INTO totals (org_id, currency, state, count, total_minor)
	VALUES (NEW.org_id, NEW.currency,
		CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		     WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		     ELSE 'active' END,
		1, NEW.total_minor)
	ON CONFLICT DO UPDATE SET count = count + 1,
		total_minor = total_minor + excluded.total_minor;
END;

-- inved never removes invoices (deletion is soft), but another client may.
CREATE TRIGGER invoices_after_delete AFTER DELETE ON invoices
BEGIN
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.org_id,
		(SELECT actor_user_id FROM write_ctx WHERE id = 1),
		coalesce((SELECT actor FROM write_ctx WHERE id = 1), 'external'),
		'invoice.purge', OLD.id, OLD.version, OLD.version + 1,
		json_object('number', json_object('old', OLD.number, 'new', NULL),
			'customer', json_object('old', OLD.customer, 'new', NULL),
			'status', json_object('old', OLD.status, 'new', NULL),
			'total_minor', json_object('old', OLD.total_minor, 'new', NULL),
			'currency', json_object('old', OLD.currency, 'new', NULL)));
	INSERT INTO changes (at, org_id, invoice_id, action)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.org_id, OLD.id,
		'invoice.purge');
	UPDATE totals
	SET count = count - 1, total_minor = total_minor - OLD.total_minor
	WHERE org_id = OLD.org_id AND currency = OLD.currency
	  AND state = CASE WHEN OLD.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN OLD.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
END;
