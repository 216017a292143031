-- inved schema, version 5.
--
-- Compiled into the binary (data/embed.c) and applied by store_open() when
-- PRAGMA user_version is 0.  Each later version's additions follow a line
-- "-- schema N --" below; a file of version N-1 gets only the statements
-- after that line (store.c, schema_migrate), so the text here is at once the
-- whole schema and its migration steps.  The write discipline of SPEC 2-3 is held by
-- triggers, so it holds for every writer of the file, not only for inved:
-- a foreign UPDATE that forgets to bump the version gets it bumped, lands in
-- the audit as actor 'external', in the change feed, and in the totals.
--
-- Schemas 1 and 2 had inved name its actor and action in the one-row table
-- write_ctx inside the write's transaction; since schema 3 a writer names
-- itself in the audit row of its write (see there).  A writer that names
-- no one is, by definition, external.

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
	version      INTEGER NOT NULL,
	base_version INTEGER NOT NULL,
	body         TEXT NOT NULL,
	saved_at     TEXT NOT NULL,
	PRIMARY KEY (user_id, org_id, invoice_id)
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

-- schema 2 --
--
-- Guards that hold the discipline against every writer of the file.  Each
-- refusal is a RAISE(ABORT): the statement fails and changes nothing.

-- SQLite's REPLACE conflict resolution deletes the conflicting row without
-- firing delete triggers (recursive_triggers is off unless a client turns
-- it on), so INSERT OR REPLACE / UPDATE OR REPLACE could remove an invoice
-- with no audit row and leave the totals off a recount.  Refusing the
-- collision before the resolution runs closes that door; a plain INSERT
-- that collides fails either way.  total_minor is checked for an integer
-- here as well as by the column's CHECK, because a client may switch CHECK
-- constraints off (PRAGMA ignore_check_constraints), and a REAL would turn
-- the totals into floats.  A sum that would pass the 64-bit range is
-- refused too: SQLite silently turns an overflowing integer sum into a
-- REAL.
CREATE TRIGGER invoices_before_insert BEFORE INSERT ON invoices
BEGIN
	SELECT RAISE(ABORT, 'inved: an invoice with this id already exists')
	WHERE EXISTS (SELECT 1 FROM invoices WHERE id = NEW.id);
	SELECT RAISE(ABORT, 'inved: a live invoice already holds this number')
	WHERE NEW.deleted_at IS NULL
	  AND EXISTS (SELECT 1 FROM invoices WHERE org_id = NEW.org_id
	              AND number = NEW.number AND deleted_at IS NULL);
	SELECT RAISE(ABORT, 'inved: total_minor must be an integer >= 0')
	WHERE typeof(NEW.total_minor) <> 'integer' OR NEW.total_minor < 0;
	SELECT RAISE(ABORT, 'inved: the totals would pass the 64-bit range')
	WHERE EXISTS (SELECT 1 FROM totals
		WHERE org_id = NEW.org_id AND currency = NEW.currency
		  AND state = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		                   WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		                   ELSE 'active' END
		  AND (count >= 9223372036854775807
		       OR total_minor > 9223372036854775807 - NEW.total_minor));
END;

-- What no writer may do to a row: give it another id (its audit history
-- would be orphaned, and REPLACE would delete the row the id collides
-- with), move it to another org, or move its version by anything but
-- exactly one (a writer that leaves the version alone gets it bumped by
-- invoices_after_update; inved's own writes always add one).  And a live
-- number that collides is refused before REPLACE could delete the holder.
CREATE TRIGGER invoices_before_update BEFORE UPDATE ON invoices
WHEN NEW.id IS NOT OLD.id OR NEW.org_id IS NOT OLD.org_id
  OR typeof(NEW.version) <> 'integer'
  OR NEW.version NOT IN (OLD.version, OLD.version + 1)
  OR (NEW.deleted_at IS NULL AND (NEW.number IS NOT OLD.number
                                  OR OLD.deleted_at IS NOT NULL))
BEGIN
	SELECT RAISE(ABORT, 'inved: an invoice id never changes')
	WHERE NEW.id IS NOT OLD.id;
	SELECT RAISE(ABORT, 'inved: an invoice never moves to another org')
	WHERE NEW.org_id IS NOT OLD.org_id;
	SELECT RAISE(ABORT, 'inved: a write moves the version by exactly one')
	WHERE typeof(NEW.version) <> 'integer'
	   OR NEW.version NOT IN (OLD.version, OLD.version + 1);
	SELECT RAISE(ABORT, 'inved: a live invoice already holds this number')
	WHERE EXISTS (SELECT 1 FROM invoices WHERE org_id = NEW.org_id
	              AND number = NEW.number AND deleted_at IS NULL
	              AND id <> OLD.id);
END;

-- The same integer and range checks for a write that moves money between
-- or within totals rows.
CREATE TRIGGER invoices_before_update_totals BEFORE UPDATE ON invoices
WHEN NEW.total_minor IS NOT OLD.total_minor
  OR NEW.currency IS NOT OLD.currency
  OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
  OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
	SELECT RAISE(ABORT, 'inved: total_minor must be an integer >= 0')
	WHERE typeof(NEW.total_minor) <> 'integer' OR NEW.total_minor < 0;
	SELECT RAISE(ABORT, 'inved: the totals would pass the 64-bit range')
	WHERE EXISTS (SELECT 1 FROM totals
		WHERE org_id = NEW.org_id AND currency = NEW.currency
		  AND state = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		                   WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		                   ELSE 'active' END
		  AND (count >= 9223372036854775807
		       OR total_minor - CASE
		            WHEN OLD.currency = NEW.currency
		             AND (OLD.archived_at IS NULL) = (NEW.archived_at IS NULL)
		             AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL)
		            THEN OLD.total_minor ELSE 0 END
		          > 9223372036854775807 - NEW.total_minor));
END;

-- The audit and the change feed are append-only for every writer: rows
-- are added by the triggers above, never changed or removed.  The insert
-- guards stop INSERT OR REPLACE from deleting a row by its seq.
CREATE TRIGGER audit_before_insert BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit is append-only');
END;
CREATE TRIGGER audit_before_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit is append-only');
END;
CREATE TRIGGER audit_before_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit is append-only');
END;
CREATE TRIGGER changes_before_insert BEFORE INSERT ON changes
WHEN EXISTS (SELECT 1 FROM changes WHERE seq = NEW.seq)
BEGIN
	SELECT RAISE(ABORT, 'inved: the change feed is append-only');
END;
CREATE TRIGGER changes_before_update BEFORE UPDATE ON changes
BEGIN
	SELECT RAISE(ABORT, 'inved: the change feed is append-only');
END;
CREATE TRIGGER changes_before_delete BEFORE DELETE ON changes
BEGIN
	SELECT RAISE(ABORT, 'inved: the change feed is append-only');
END;

-- The demo marker (also schema 2).
-- meta 'demo' turns on what only a demo database may do: --user naming
-- any of its users, and the identity switcher.  So it must not be a row
-- that any writer of the file can add later.  It can be written only while
-- the database holds no org yet, which is inside the transaction that seeds
-- the demo (store_seed_demo writes it before the demo orgs), and orgs are
-- never deleted, so that state does not come back once a team works in the
-- file.  A writer who drops these triggers is beyond them; `inved check`
-- compares the schema objects with the ones this version installs.
CREATE TRIGGER meta_demo_insert BEFORE INSERT ON meta
WHEN NEW.key = 'demo' AND EXISTS (SELECT 1 FROM orgs)
BEGIN
	SELECT RAISE(ABORT, 'the demo marker is written only by inved init --demo, into a new database');
END;

CREATE TRIGGER meta_demo_update BEFORE UPDATE ON meta
WHEN (NEW.key = 'demo' OR OLD.key = 'demo') AND EXISTS (SELECT 1 FROM orgs)
BEGIN
	SELECT RAISE(ABORT, 'the demo marker is written only by inved init --demo, into a new database');
END;

CREATE TRIGGER orgs_before_delete BEFORE DELETE ON orgs
BEGIN
	SELECT RAISE(ABORT, 'orgs are never deleted');
END;

-- Drafts keep the values they were made from (base_body, so a draft
-- restored after a newer save meets the conflict panel as if its form had
-- stayed open) and the request token of a new invoice's form (part of the
-- key, so two new-invoice forms keep two drafts).  The table is rebuilt
-- because its key changes; drafts written before keep token '' and an
-- empty base.
CREATE TABLE drafts_next (
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
INSERT INTO drafts_next (user_id, org_id, invoice_id, version, base_version,
                         body, saved_at)
	SELECT user_id, org_id, invoice_id, version, base_version, body,
	       saved_at
	FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_next RENAME TO drafts;

-- schema 3 --
--
-- One row serves as the audit, the change feed and the writer's name, so
-- a guarded commit writes the invoice, one audit row and (when money
-- moved) one totals row, and nothing else.
--
-- The change feed was a second table written beside every audit row (a
-- row and an index entry more in every commit); it is now the audit
-- itself, read by (org_id, seq) through audit_org.  The name `changes`
-- stays, as a view with the columns the table had, for anyone who reads it.
DROP TABLE changes;
CREATE VIEW changes (seq, at, org_id, invoice_id, action) AS
	SELECT seq, at, org_id, subject_id, action FROM audit;

-- A reader of the feed keeps the last seq it saw and asks for the rows
-- after it, so a row must never appear below a seq already handed out:
-- the audit grows only at its end (a row given an explicit seq below the
-- newest would be skipped by every screen that is already past it).
CREATE TRIGGER audit_after_insert AFTER INSERT ON audit
WHEN NEW.seq < (SELECT max(seq) FROM audit)
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit grows only at its end');
END;

-- The writer's name.  inved used to name itself in write_ctx and clear it
-- again before the commit (a page written and emptied in every commit).
-- Now a writer that wants its name on the write appends the audit row
-- itself, just before it changes the invoice: actor, action, the invoice
-- and the versions the change will go from and to, and an empty detail
-- (a claim).  The triggers below then fill that row's detail from the row
-- as it really changed, instead of appending one of their own.  A claim
-- counts only when it is the newest audit row and names exactly this
-- invoice and these versions, so a writer that names no one (the sqlite3
-- shell, a script) is recorded as 'external', as before; naming someone
-- takes a deliberate insert into the audit, as it took one into write_ctx.
--
-- The audit stays append-only with one exception: the newest row's empty
-- detail may be filled once, everything else left as it is.  That is
-- what the triggers do to a claim (and to their own rows, which they
-- append with an empty detail and fill at once, so the detail is written
-- in one place).  A claim nobody filled is found by `inved check`.
DROP TRIGGER audit_before_update;
CREATE TRIGGER audit_before_update BEFORE UPDATE ON audit
WHEN NOT (OLD.detail = '' AND typeof(NEW.detail) = 'text'
          AND NEW.detail <> ''
          AND NEW.seq IS OLD.seq AND NEW.at IS OLD.at
          AND NEW.org_id IS OLD.org_id
          AND NEW.actor_user_id IS OLD.actor_user_id
          AND NEW.actor IS OLD.actor AND NEW.action IS OLD.action
          AND NEW.subject_id IS OLD.subject_id
          AND NEW.from_version IS OLD.from_version
          AND NEW.to_version IS OLD.to_version
          AND OLD.seq = (SELECT max(seq) FROM audit))
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit is append-only');
END;

DROP TABLE write_ctx;

DROP TRIGGER invoices_after_insert;
CREATE TRIGGER invoices_after_insert AFTER INSERT ON invoices
BEGIN
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NULL,
	       'external', 'invoice.external_create', NEW.id, 0, NEW.version, ''
	WHERE NOT EXISTS (SELECT 1 FROM audit
		WHERE seq = (SELECT max(seq) FROM audit) AND detail = ''
		  AND org_id = NEW.org_id AND subject_id = NEW.id
		  AND from_version = 0 AND to_version = NEW.version);
	UPDATE audit
	SET detail = json_object(
		'number', json_object('old', NULL, 'new', NEW.number),
		'customer', json_object('old', NULL, 'new', NEW.customer),
		'status', json_object('old', NULL, 'new', NEW.status),
		'total_minor', json_object('old', NULL, 'new', NEW.total_minor),
		'currency', json_object('old', NULL, 'new', NEW.currency))
	WHERE seq = (SELECT max(seq) FROM audit) AND detail = ''
	  AND subject_id = NEW.id;
	INSERT INTO totals (org_id, currency, state, count, total_minor)
	VALUES (NEW.org_id, NEW.currency,
		CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		     WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		     ELSE 'active' END,
		1, NEW.total_minor)
	ON CONFLICT DO UPDATE SET count = count + 1,
		total_minor = total_minor + excluded.total_minor;
END;

DROP TRIGGER invoices_after_update;
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
	SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NULL,
	       'external', 'invoice.external_edit', NEW.id, OLD.version,
	       CASE WHEN NEW.version <= OLD.version THEN OLD.version + 1
	            ELSE NEW.version END, ''
	WHERE NOT EXISTS (SELECT 1 FROM audit
		WHERE seq = (SELECT max(seq) FROM audit) AND detail = ''
		  AND org_id = NEW.org_id AND subject_id = NEW.id
		  AND from_version = OLD.version AND to_version = NEW.version
		  AND NEW.version = OLD.version + 1);
	UPDATE audit
	SET detail = (SELECT json_group_object(f, json(v)) FROM (
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
			WHERE OLD.deleted_at IS NOT NEW.deleted_at))
	WHERE seq = (SELECT max(seq) FROM audit) AND detail = ''
	  AND subject_id = NEW.id;
END;

-- inved never removes invoices (deletion is soft), but another client may.
DROP TRIGGER invoices_after_delete;
CREATE TRIGGER invoices_after_delete AFTER DELETE ON invoices
BEGIN
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.org_id, NULL,
	       'external', 'invoice.purge', OLD.id, OLD.version,
	       OLD.version + 1, ''
	WHERE NOT EXISTS (SELECT 1 FROM audit
		WHERE seq = (SELECT max(seq) FROM audit) AND detail = ''
		  AND org_id = OLD.org_id AND subject_id = OLD.id
		  AND action = 'invoice.purge' AND from_version = OLD.version
		  AND to_version = OLD.version + 1);
	UPDATE audit
	SET detail = json_object(
		'number', json_object('old', OLD.number, 'new', NULL),
		'customer', json_object('old', OLD.customer, 'new', NULL),
		'status', json_object('old', OLD.status, 'new', NULL),
		'total_minor', json_object('old', OLD.total_minor, 'new', NULL),
		'currency', json_object('old', OLD.currency, 'new', NULL))
	WHERE seq = (SELECT max(seq) FROM audit) AND detail = ''
	  AND subject_id = OLD.id;
	UPDATE totals
	SET count = count - 1, total_minor = total_minor - OLD.total_minor
	WHERE org_id = OLD.org_id AND currency = OLD.currency
	  AND state = CASE WHEN OLD.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN OLD.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
END;

-- A change of the total that keeps the invoice in its totals row (the
-- common edit) moves that row's sum once, instead of taking the invoice
-- out and putting it back.  The trigger above now handles only moves
-- between rows.  (The before-update guard has checked the new sum.)
DROP TRIGGER invoices_after_update_totals;
CREATE TRIGGER invoices_after_update_totals AFTER UPDATE ON invoices
WHEN OLD.currency IS NOT NEW.currency
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
CREATE TRIGGER invoices_after_update_money AFTER UPDATE ON invoices
WHEN OLD.total_minor IS NOT NEW.total_minor
  AND OLD.currency IS NEW.currency AND OLD.org_id IS NEW.org_id
  AND (OLD.archived_at IS NULL) IS (NEW.archived_at IS NULL)
  AND (OLD.deleted_at IS NULL) IS (NEW.deleted_at IS NULL)
BEGIN
	UPDATE totals
	SET total_minor = total_minor - OLD.total_minor + NEW.total_minor
	WHERE org_id = NEW.org_id AND currency = NEW.currency
	  AND state = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN NEW.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
END;

-- schema 4 --
--
-- The same guarantees for fewer instructions a commit (an edit's trigger
-- programs were about three quarters of its CPU).
--
-- A claim now carries its whole detail, written by inved in the claim's
-- own INSERT; the triggers no longer fill it in with an UPDATE of the
-- newest audit row (a second write of the row, through a guard trigger of
-- its own).  They check it instead: a claim must describe exactly the
-- change the invoice went through, the detail being the JSON text below,
-- else the write is refused.  A write nobody claimed is appended as
-- 'external', as before, with its detail computed here.  So the audit is
-- append-only without exception again, and a claim cannot lie about what
-- changed.  The detail text is the one json_object and json_group_object
-- wrote (fields in the same order, json_quote quoting each value alike), so
-- histories written before and after read the same.
--
-- Triggers that ran on every change each cost a subprogram; the guards of
-- an update are one trigger now, and so are the totals moves.

DROP TRIGGER audit_before_update;
CREATE TRIGGER audit_before_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit is append-only');
END;

DROP TRIGGER invoices_after_insert;
CREATE TRIGGER invoices_after_insert AFTER INSERT ON invoices
BEGIN
	INSERT INTO totals (org_id, currency, state, count, total_minor)
	VALUES (NEW.org_id, NEW.currency,
		CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		     WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		     ELSE 'active' END,
		1, NEW.total_minor)
	ON CONFLICT DO UPDATE SET count = count + 1,
		total_minor = total_minor + excluded.total_minor;
END;
CREATE TRIGGER invoices_after_insert_audit AFTER INSERT ON invoices
WHEN NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = 0 AND to_version = NEW.version
	  AND detail = '{' ||
		'"number":{"old":null,"new":' || json_quote(NEW.number) || '}' || ',' ||
		'"customer":{"old":null,"new":' || json_quote(NEW.customer) || '}' || ',' ||
		'"status":{"old":null,"new":' || json_quote(NEW.status) || '}' || ',' ||
		'"total_minor":{"old":null,"new":' || json_quote(NEW.total_minor) || '}' || ',' ||
		'"currency":{"old":null,"new":' || json_quote(NEW.currency) || '}' || '}')
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit row claimed for this change does not describe it')
	FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = 0 AND to_version = NEW.version;
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NULL,
	        'external', 'invoice.external_create', NEW.id, 0, NEW.version,
	        '{' ||
		'"number":{"old":null,"new":' || json_quote(NEW.number) || '}' || ',' ||
		'"customer":{"old":null,"new":' || json_quote(NEW.customer) || '}' || ',' ||
		'"status":{"old":null,"new":' || json_quote(NEW.status) || '}' || ',' ||
		'"total_minor":{"old":null,"new":' || json_quote(NEW.total_minor) || '}' || ',' ||
		'"currency":{"old":null,"new":' || json_quote(NEW.currency) || '}' || '}');
END;

DROP TRIGGER invoices_after_update;
CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices
WHEN NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = OLD.version AND to_version = NEW.version
	  AND NEW.version = OLD.version + 1
	  AND detail = '{' || substr(
		CASE WHEN OLD.number IS NOT NEW.number
		     THEN ',"number":{"old":' || json_quote(OLD.number) ||
		          ',"new":' || json_quote(NEW.number) || '}' ELSE '' END ||
		CASE WHEN OLD.customer IS NOT NEW.customer
		     THEN ',"customer":{"old":' || json_quote(OLD.customer) ||
		          ',"new":' || json_quote(NEW.customer) || '}' ELSE '' END ||
		CASE WHEN OLD.status IS NOT NEW.status
		     THEN ',"status":{"old":' || json_quote(OLD.status) ||
		          ',"new":' || json_quote(NEW.status) || '}' ELSE '' END ||
		CASE WHEN OLD.total_minor IS NOT NEW.total_minor
		     THEN ',"total_minor":{"old":' || json_quote(OLD.total_minor) ||
		          ',"new":' || json_quote(NEW.total_minor) || '}' ELSE '' END ||
		CASE WHEN OLD.currency IS NOT NEW.currency
		     THEN ',"currency":{"old":' || json_quote(OLD.currency) ||
		          ',"new":' || json_quote(NEW.currency) || '}' ELSE '' END ||
		CASE WHEN OLD.archived_at IS NOT NEW.archived_at
		     THEN ',"archived_at":{"old":' || json_quote(OLD.archived_at) ||
		          ',"new":' || json_quote(NEW.archived_at) || '}' ELSE '' END ||
		CASE WHEN OLD.deleted_at IS NOT NEW.deleted_at
		     THEN ',"deleted_at":{"old":' || json_quote(OLD.deleted_at) ||
		          ',"new":' || json_quote(NEW.deleted_at) || '}' ELSE '' END, 2) || '}')
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit row claimed for this change does not describe it')
	FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = OLD.version AND to_version = NEW.version
	  AND NEW.version = OLD.version + 1;
	-- A writer that forgot the version still moves it: stale saves made
	-- against the old version must conflict.  (Not recursive: this nested
	-- UPDATE does not fire the trigger again.)
	UPDATE invoices
	SET version = OLD.version + 1,
	    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
	WHERE id = NEW.id AND NEW.version <= OLD.version;
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NULL,
	        'external', 'invoice.external_edit', NEW.id, OLD.version,
	        CASE WHEN NEW.version <= OLD.version THEN OLD.version + 1
	             ELSE NEW.version END,
	        '{' || substr(
		CASE WHEN OLD.number IS NOT NEW.number
		     THEN ',"number":{"old":' || json_quote(OLD.number) ||
		          ',"new":' || json_quote(NEW.number) || '}' ELSE '' END ||
		CASE WHEN OLD.customer IS NOT NEW.customer
		     THEN ',"customer":{"old":' || json_quote(OLD.customer) ||
		          ',"new":' || json_quote(NEW.customer) || '}' ELSE '' END ||
		CASE WHEN OLD.status IS NOT NEW.status
		     THEN ',"status":{"old":' || json_quote(OLD.status) ||
		          ',"new":' || json_quote(NEW.status) || '}' ELSE '' END ||
		CASE WHEN OLD.total_minor IS NOT NEW.total_minor
		     THEN ',"total_minor":{"old":' || json_quote(OLD.total_minor) ||
		          ',"new":' || json_quote(NEW.total_minor) || '}' ELSE '' END ||
		CASE WHEN OLD.currency IS NOT NEW.currency
		     THEN ',"currency":{"old":' || json_quote(OLD.currency) ||
		          ',"new":' || json_quote(NEW.currency) || '}' ELSE '' END ||
		CASE WHEN OLD.archived_at IS NOT NEW.archived_at
		     THEN ',"archived_at":{"old":' || json_quote(OLD.archived_at) ||
		          ',"new":' || json_quote(NEW.archived_at) || '}' ELSE '' END ||
		CASE WHEN OLD.deleted_at IS NOT NEW.deleted_at
		     THEN ',"deleted_at":{"old":' || json_quote(OLD.deleted_at) ||
		          ',"new":' || json_quote(NEW.deleted_at) || '}' ELSE '' END, 2) || '}');
END;

-- inved never removes invoices (deletion is soft), but another client may.
DROP TRIGGER invoices_after_delete;
CREATE TRIGGER invoices_after_delete AFTER DELETE ON invoices
BEGIN
	UPDATE totals
	SET count = count - 1, total_minor = total_minor - OLD.total_minor
	WHERE org_id = OLD.org_id AND currency = OLD.currency
	  AND state = CASE WHEN OLD.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN OLD.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
END;
CREATE TRIGGER invoices_after_delete_audit AFTER DELETE ON invoices
WHEN NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = OLD.org_id AND subject_id = OLD.id
	  AND action = 'invoice.purge' AND from_version = OLD.version
	  AND to_version = OLD.version + 1
	  AND detail = '{' ||
		'"number":{"old":' || json_quote(OLD.number) || ',"new":null}' || ',' ||
		'"customer":{"old":' || json_quote(OLD.customer) || ',"new":null}' || ',' ||
		'"status":{"old":' || json_quote(OLD.status) || ',"new":null}' || ',' ||
		'"total_minor":{"old":' || json_quote(OLD.total_minor) || ',"new":null}' || ',' ||
		'"currency":{"old":' || json_quote(OLD.currency) || ',"new":null}' || '}')
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit row claimed for this change does not describe it')
	FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = OLD.org_id AND subject_id = OLD.id
	  AND action = 'invoice.purge' AND from_version = OLD.version
	  AND to_version = OLD.version + 1;
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.org_id, NULL,
	        'external', 'invoice.purge', OLD.id, OLD.version,
	        OLD.version + 1, '{' ||
		'"number":{"old":' || json_quote(OLD.number) || ',"new":null}' || ',' ||
		'"customer":{"old":' || json_quote(OLD.customer) || ',"new":null}' || ',' ||
		'"status":{"old":' || json_quote(OLD.status) || ',"new":null}' || ',' ||
		'"total_minor":{"old":' || json_quote(OLD.total_minor) || ',"new":null}' || ',' ||
		'"currency":{"old":' || json_quote(OLD.currency) || ',"new":null}' || '}');
END;

-- The guards of an insert and of an update (see schema 2 for each rule).
-- The room in the totals is checked here only (inved's writes used to
-- check it first as well): a sum past the 64-bit range, or one that is no
-- integer any more (SQLite would have turned it into a REAL), takes no
-- more.
DROP TRIGGER invoices_before_insert;
CREATE TRIGGER invoices_before_insert BEFORE INSERT ON invoices
BEGIN
	SELECT RAISE(ABORT, 'inved: an invoice with this id already exists')
	WHERE EXISTS (SELECT 1 FROM invoices WHERE id = NEW.id);
	SELECT RAISE(ABORT, 'inved: a live invoice already holds this number')
	WHERE NEW.deleted_at IS NULL
	  AND EXISTS (SELECT 1 FROM invoices WHERE org_id = NEW.org_id
	              AND number = NEW.number AND deleted_at IS NULL);
	SELECT RAISE(ABORT, 'inved: total_minor must be an integer >= 0')
	WHERE typeof(NEW.total_minor) <> 'integer' OR NEW.total_minor < 0;
	SELECT RAISE(ABORT, 'inved: the totals would pass the 64-bit range')
	WHERE EXISTS (SELECT 1 FROM totals
		WHERE org_id = NEW.org_id AND currency = NEW.currency
		  AND state = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		                   WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		                   ELSE 'active' END
		  AND (count >= 9223372036854775807
		       OR typeof(total_minor) <> 'integer'
		       OR total_minor > 9223372036854775807 - NEW.total_minor));
END;

DROP TRIGGER invoices_before_update;
DROP TRIGGER invoices_before_update_totals;
CREATE TRIGGER invoices_before_update BEFORE UPDATE ON invoices
WHEN NEW.id IS NOT OLD.id OR NEW.org_id IS NOT OLD.org_id
  OR typeof(NEW.version) <> 'integer'
  OR NEW.version NOT IN (OLD.version, OLD.version + 1)
  OR (NEW.deleted_at IS NULL AND (NEW.number IS NOT OLD.number
                                  OR OLD.deleted_at IS NOT NULL))
  OR NEW.total_minor IS NOT OLD.total_minor
  OR NEW.currency IS NOT OLD.currency
  OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
  OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
	SELECT RAISE(ABORT, 'inved: an invoice id never changes')
	WHERE NEW.id IS NOT OLD.id;
	SELECT RAISE(ABORT, 'inved: an invoice never moves to another org')
	WHERE NEW.org_id IS NOT OLD.org_id;
	SELECT RAISE(ABORT, 'inved: a write moves the version by exactly one')
	WHERE typeof(NEW.version) <> 'integer'
	   OR NEW.version NOT IN (OLD.version, OLD.version + 1);
	SELECT RAISE(ABORT, 'inved: a live invoice already holds this number')
	WHERE NEW.deleted_at IS NULL
	  AND (NEW.number IS NOT OLD.number OR OLD.deleted_at IS NOT NULL)
	  AND EXISTS (SELECT 1 FROM invoices WHERE org_id = NEW.org_id
	              AND number = NEW.number AND deleted_at IS NULL
	              AND id <> OLD.id);
	SELECT RAISE(ABORT, 'inved: total_minor must be an integer >= 0')
	WHERE typeof(NEW.total_minor) <> 'integer' OR NEW.total_minor < 0;
	SELECT RAISE(ABORT, 'inved: the totals would pass the 64-bit range')
	WHERE (NEW.total_minor IS NOT OLD.total_minor
	       OR NEW.currency IS NOT OLD.currency
	       OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
	       OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL))
	  AND EXISTS (SELECT 1 FROM totals
		WHERE org_id = NEW.org_id AND currency = NEW.currency
		  AND state = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		                   WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		                   ELSE 'active' END
		  AND (count >= 9223372036854775807
		       OR typeof(total_minor) <> 'integer'
		       OR total_minor - CASE
		            WHEN OLD.currency = NEW.currency
		             AND (OLD.archived_at IS NULL) = (NEW.archived_at IS NULL)
		             AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL)
		            THEN OLD.total_minor ELSE 0 END
		          > 9223372036854775807 - NEW.total_minor));
END;

-- The totals of an update, one trigger: a change of the total within its
-- row moves that row's sum once; a move between rows takes the invoice out
-- of one and puts it into the other.
DROP TRIGGER invoices_after_update_totals;
DROP TRIGGER invoices_after_update_money;
CREATE TRIGGER invoices_after_update_totals AFTER UPDATE ON invoices
WHEN OLD.total_minor IS NOT NEW.total_minor
  OR OLD.currency IS NOT NEW.currency
  OR OLD.org_id IS NOT NEW.org_id
  OR (OLD.archived_at IS NULL) IS NOT (NEW.archived_at IS NULL)
  OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
BEGIN
	UPDATE totals
	SET total_minor = total_minor - OLD.total_minor + NEW.total_minor
	WHERE OLD.currency IS NEW.currency AND OLD.org_id IS NEW.org_id
	  AND (OLD.archived_at IS NULL) IS (NEW.archived_at IS NULL)
	  AND (OLD.deleted_at IS NULL) IS (NEW.deleted_at IS NULL)
	  AND org_id = NEW.org_id AND currency = NEW.currency
	  AND state = CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN NEW.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
	UPDATE totals
	SET count = count - 1, total_minor = total_minor - OLD.total_minor
	WHERE NOT (OLD.currency IS NEW.currency AND OLD.org_id IS NEW.org_id
	           AND (OLD.archived_at IS NULL) IS (NEW.archived_at IS NULL)
	           AND (OLD.deleted_at IS NULL) IS (NEW.deleted_at IS NULL))
	  AND org_id = OLD.org_id AND currency = OLD.currency
	  AND state = CASE WHEN OLD.deleted_at IS NOT NULL THEN 'deleted'
	                   WHEN OLD.archived_at IS NOT NULL THEN 'archived'
	                   ELSE 'active' END;
	INSERT INTO totals (org_id, currency, state, count, total_minor)
	SELECT NEW.org_id, NEW.currency,
		CASE WHEN NEW.deleted_at IS NOT NULL THEN 'deleted'
		     WHEN NEW.archived_at IS NOT NULL THEN 'archived'
		     ELSE 'active' END,
		1, NEW.total_minor
	WHERE NOT (OLD.currency IS NEW.currency AND OLD.org_id IS NEW.org_id
	           AND (OLD.archived_at IS NULL) IS (NEW.archived_at IS NULL)
	           AND (OLD.deleted_at IS NULL) IS (NEW.deleted_at IS NULL))
	ON CONFLICT DO UPDATE SET count = count + 1,
		total_minor = total_minor + excluded.total_minor;
END;

-- schema 5 --
--
-- One page less a commit: an invoice's history is a chain kept in rows
-- that every write already writes, instead of the index audit_subject
-- (subject_id, seq), whose leaf (a page at the invoice's place among all
-- the audit's subjects) was a page of its own in every commit.
--
-- invoices.audit_tip holds the seq of the invoice's newest audit row and
-- is written by the very UPDATE (or INSERT) that changes the invoice;
-- audit.prev_seq holds the seq of the row before it in that invoice's
-- history (NULL on the row that created the invoice, and on an org's own
-- rows).  History, revert and the write guard start at the invoice's row
-- (found by its key) and follow prev_seq, each step a search of the
-- audit's own b-tree by its key, seq: the audit's INTEGER PRIMARY KEY is
-- the index they read by, one lookup a row, never a scan.  The feed and an
-- org's audit list still read audit_org (org_id, seq).
--
-- The chain is kept for every writer, as the audit is.  inved's claim
-- carries prev_seq (read from the invoice it changes) and its UPDATE sets
-- audit_tip to the claim's seq; the triggers take the claim only when the
-- newest audit row is that claim, chained to the invoice's old tip, and
-- the write points the invoice at it.  A writer that touches audit_tip
-- without such a claim is refused, so the chain cannot be forged; one that
-- names no one (the sqlite3 shell) gets its external audit row chained and
-- the invoice pointed at it by the triggers.  `inved check` walks every
-- invoice's audit rows in order and reports a link that is not the row
-- before (damage, which `inved check --repair` rebuilds from the audit).
ALTER TABLE invoices ADD COLUMN audit_tip INTEGER;
ALTER TABLE audit ADD COLUMN prev_seq INTEGER;

-- The chain of every existing row, in one pass (the guards that would
-- refuse these writes are replaced below anyway).
DROP TRIGGER audit_before_update;
DROP TRIGGER invoices_after_update;
DROP TRIGGER invoices_after_insert_audit;
DROP TRIGGER invoices_after_delete_audit;
UPDATE audit SET prev_seq = c.p
FROM (SELECT seq, CASE WHEN from_version = 0 THEN NULL
                       ELSE lag(seq) OVER (PARTITION BY subject_id
                                           ORDER BY seq) END AS p
      FROM audit WHERE NOT (subject_id = 0 AND (action = 'org.create'
                            OR substr(action, 1, 7) = 'member.'))) AS c
WHERE c.seq = audit.seq AND c.p IS NOT NULL;
UPDATE invoices SET audit_tip = t.m
FROM (SELECT subject_id, max(seq) AS m FROM audit
      WHERE NOT (subject_id = 0 AND (action = 'org.create'
                 OR substr(action, 1, 7) = 'member.'))
      GROUP BY subject_id) AS t
WHERE t.subject_id = invoices.id;
DROP INDEX audit_subject;

CREATE TRIGGER audit_before_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit is append-only');
END;

-- A new invoice: a claim is the newest audit row, starts a chain (no
-- prev_seq) and is the row the INSERT names as its audit_tip.  Else the
-- insert is external: its row is appended here and the invoice pointed at
-- it (an UPDATE of audit_tip alone, which invoices_after_update lets by as
-- the link of a new chain).  An INSERT that names an audit_tip but no
-- claim for it is refused.
CREATE TRIGGER invoices_after_insert_audit AFTER INSERT ON invoices
WHEN NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND seq = NEW.audit_tip AND prev_seq IS NULL
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = 0 AND to_version = NEW.version
	  AND detail = '{' ||
		'"number":{"old":null,"new":' || json_quote(NEW.number) || '}' || ',' ||
		'"customer":{"old":null,"new":' || json_quote(NEW.customer) || '}' || ',' ||
		'"status":{"old":null,"new":' || json_quote(NEW.status) || '}' || ',' ||
		'"total_minor":{"old":null,"new":' || json_quote(NEW.total_minor) || '}' || ',' ||
		'"currency":{"old":null,"new":' || json_quote(NEW.currency) || '}' || '}')
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit row claimed for this change does not describe it')
	WHERE NEW.audit_tip IS NOT NULL
	   OR EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = 0 AND to_version = NEW.version);
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail, prev_seq)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NULL,
	        'external', 'invoice.external_create', NEW.id, 0, NEW.version,
	        '{' ||
		'"number":{"old":null,"new":' || json_quote(NEW.number) || '}' || ',' ||
		'"customer":{"old":null,"new":' || json_quote(NEW.customer) || '}' || ',' ||
		'"status":{"old":null,"new":' || json_quote(NEW.status) || '}' || ',' ||
		'"total_minor":{"old":null,"new":' || json_quote(NEW.total_minor) || '}' || ',' ||
		'"currency":{"old":null,"new":' || json_quote(NEW.currency) || '}' || '}',
	        NULL);
	UPDATE invoices SET audit_tip = (SELECT max(seq) FROM audit)
	WHERE id = NEW.id;
END;

-- A change: a claim is the newest audit row, chained to the invoice's old
-- tip, and the UPDATE points the invoice at it.  The second clause lets by
-- the link the insert trigger above makes: an invoice with no chain yet
-- pointed at its creation row, nothing else changed.  Else the change is
-- external: refused if it moved audit_tip itself, otherwise its row is
-- appended, chained to the old tip, and the invoice pointed at it (with
-- the version moved, for a writer that forgot it: stale saves made against
-- the old version must conflict; not recursive, this nested UPDATE does
-- not fire this trigger again).
CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices
WHEN NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND seq = NEW.audit_tip AND prev_seq IS OLD.audit_tip
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = OLD.version AND to_version = NEW.version
	  AND NEW.version = OLD.version + 1
	  AND detail = '{' || substr(
		CASE WHEN OLD.number IS NOT NEW.number
		     THEN ',"number":{"old":' || json_quote(OLD.number) ||
		          ',"new":' || json_quote(NEW.number) || '}' ELSE '' END ||
		CASE WHEN OLD.customer IS NOT NEW.customer
		     THEN ',"customer":{"old":' || json_quote(OLD.customer) ||
		          ',"new":' || json_quote(NEW.customer) || '}' ELSE '' END ||
		CASE WHEN OLD.status IS NOT NEW.status
		     THEN ',"status":{"old":' || json_quote(OLD.status) ||
		          ',"new":' || json_quote(NEW.status) || '}' ELSE '' END ||
		CASE WHEN OLD.total_minor IS NOT NEW.total_minor
		     THEN ',"total_minor":{"old":' || json_quote(OLD.total_minor) ||
		          ',"new":' || json_quote(NEW.total_minor) || '}' ELSE '' END ||
		CASE WHEN OLD.currency IS NOT NEW.currency
		     THEN ',"currency":{"old":' || json_quote(OLD.currency) ||
		          ',"new":' || json_quote(NEW.currency) || '}' ELSE '' END ||
		CASE WHEN OLD.archived_at IS NOT NEW.archived_at
		     THEN ',"archived_at":{"old":' || json_quote(OLD.archived_at) ||
		          ',"new":' || json_quote(NEW.archived_at) || '}' ELSE '' END ||
		CASE WHEN OLD.deleted_at IS NOT NEW.deleted_at
		     THEN ',"deleted_at":{"old":' || json_quote(OLD.deleted_at) ||
		          ',"new":' || json_quote(NEW.deleted_at) || '}' ELSE '' END, 2) || '}')
 AND NOT (OLD.audit_tip IS NULL AND NEW.version IS OLD.version
	  AND NEW.number IS OLD.number AND NEW.customer IS OLD.customer
	  AND NEW.status IS OLD.status AND NEW.total_minor IS OLD.total_minor
	  AND NEW.currency IS OLD.currency
	  AND NEW.archived_at IS OLD.archived_at
	  AND NEW.deleted_at IS OLD.deleted_at
	  AND NEW.created_at IS OLD.created_at
	  AND NEW.updated_at IS OLD.updated_at
	  AND EXISTS (SELECT 1 FROM audit
		WHERE seq = (SELECT max(seq) FROM audit) AND seq = NEW.audit_tip
		  AND prev_seq IS NULL AND org_id = NEW.org_id
		  AND subject_id = NEW.id AND from_version = 0
		  AND to_version = NEW.version))
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit row claimed for this change does not describe it')
	WHERE NEW.audit_tip IS NOT OLD.audit_tip
	   OR EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = NEW.org_id AND subject_id = NEW.id
	  AND from_version = OLD.version AND to_version = NEW.version
	  AND NEW.version = OLD.version + 1);
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail, prev_seq)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NEW.org_id, NULL,
	        'external', 'invoice.external_edit', NEW.id, OLD.version,
	        CASE WHEN NEW.version <= OLD.version THEN OLD.version + 1
	             ELSE NEW.version END,
	        '{' || substr(
		CASE WHEN OLD.number IS NOT NEW.number
		     THEN ',"number":{"old":' || json_quote(OLD.number) ||
		          ',"new":' || json_quote(NEW.number) || '}' ELSE '' END ||
		CASE WHEN OLD.customer IS NOT NEW.customer
		     THEN ',"customer":{"old":' || json_quote(OLD.customer) ||
		          ',"new":' || json_quote(NEW.customer) || '}' ELSE '' END ||
		CASE WHEN OLD.status IS NOT NEW.status
		     THEN ',"status":{"old":' || json_quote(OLD.status) ||
		          ',"new":' || json_quote(NEW.status) || '}' ELSE '' END ||
		CASE WHEN OLD.total_minor IS NOT NEW.total_minor
		     THEN ',"total_minor":{"old":' || json_quote(OLD.total_minor) ||
		          ',"new":' || json_quote(NEW.total_minor) || '}' ELSE '' END ||
		CASE WHEN OLD.currency IS NOT NEW.currency
		     THEN ',"currency":{"old":' || json_quote(OLD.currency) ||
		          ',"new":' || json_quote(NEW.currency) || '}' ELSE '' END ||
		CASE WHEN OLD.archived_at IS NOT NEW.archived_at
		     THEN ',"archived_at":{"old":' || json_quote(OLD.archived_at) ||
		          ',"new":' || json_quote(NEW.archived_at) || '}' ELSE '' END ||
		CASE WHEN OLD.deleted_at IS NOT NEW.deleted_at
		     THEN ',"deleted_at":{"old":' || json_quote(OLD.deleted_at) ||
		          ',"new":' || json_quote(NEW.deleted_at) || '}' ELSE '' END, 2) || '}',
	        OLD.audit_tip);
	UPDATE invoices
	SET audit_tip = (SELECT max(seq) FROM audit),
	    version = CASE WHEN NEW.version <= OLD.version THEN OLD.version + 1
	                   ELSE version END,
	    updated_at = CASE WHEN NEW.version <= OLD.version
	                      THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
	                      ELSE updated_at END
	WHERE id = NEW.id;
END;

-- A removal (never inved's own): its row, claimed or external, is chained
-- to the invoice's tip, so the history of an invoice that is gone still
-- ends with its removal.
CREATE TRIGGER invoices_after_delete_audit AFTER DELETE ON invoices
WHEN NOT EXISTS (SELECT 1 FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND prev_seq IS OLD.audit_tip
	  AND org_id = OLD.org_id AND subject_id = OLD.id
	  AND action = 'invoice.purge' AND from_version = OLD.version
	  AND to_version = OLD.version + 1
	  AND detail = '{' ||
		'"number":{"old":' || json_quote(OLD.number) || ',"new":null}' || ',' ||
		'"customer":{"old":' || json_quote(OLD.customer) || ',"new":null}' || ',' ||
		'"status":{"old":' || json_quote(OLD.status) || ',"new":null}' || ',' ||
		'"total_minor":{"old":' || json_quote(OLD.total_minor) || ',"new":null}' || ',' ||
		'"currency":{"old":' || json_quote(OLD.currency) || ',"new":null}' || '}')
BEGIN
	SELECT RAISE(ABORT, 'inved: the audit row claimed for this change does not describe it')
	FROM audit WHERE seq = (SELECT max(seq) FROM audit)
	  AND org_id = OLD.org_id AND subject_id = OLD.id
	  AND action = 'invoice.purge' AND from_version = OLD.version
	  AND to_version = OLD.version + 1;
	INSERT INTO audit (at, org_id, actor_user_id, actor, action, subject_id,
	                   from_version, to_version, detail, prev_seq)
	VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.org_id, NULL,
	        'external', 'invoice.purge', OLD.id, OLD.version,
	        OLD.version + 1, '{' ||
		'"number":{"old":' || json_quote(OLD.number) || ',"new":null}' || ',' ||
		'"customer":{"old":' || json_quote(OLD.customer) || ',"new":null}' || ',' ||
		'"status":{"old":' || json_quote(OLD.status) || ',"new":null}' || ',' ||
		'"total_minor":{"old":' || json_quote(OLD.total_minor) || ',"new":null}' || ',' ||
		'"currency":{"old":' || json_quote(OLD.currency) || ',"new":null}' || '}',
	        OLD.audit_tip);
END;
