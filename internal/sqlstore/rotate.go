package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/secret"
)

// indexKeySetting names the settings row that records which key the keyed
// hashes in residents were computed with.
const indexKeySetting = "index_key_id"

// tableExists asks the catalogue, so Open can look for a table that only
// a later migration creates without aborting a PostgreSQL transaction.
func (tx *Tx) tableExists(ctx context.Context, name string) (bool, error) {
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if tx.dialect == Postgres {
		q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	err := tx.queryRow(ctx, q, name).Scan(&n)
	return n > 0, err
}

// setting returns the value of a settings row, or "" when there is none.
func (tx *Tx) setting(ctx context.Context, name string) (string, error) {
	var v string
	err := tx.queryRow(ctx, `SELECT value FROM settings WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (tx *Tx) setSetting(ctx context.Context, name, value string) error {
	_, err := tx.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}

// selectIndexKey points the box's keyed hashes at the key the database's
// hashes were made with, which after a crashed rotation is no longer the
// first key of the file. Open calls it, so no process can search or check
// uniqueness with the wrong key. A database that records no key yet (new,
// or upgraded from before the keyring) gets the key its stored hashes
// prove they were made with, or the first key when it holds none.
func (db *DB) selectIndexKey(ctx context.Context) error {
	if db.box == nil {
		return nil
	}
	var recorded string
	var hasSettings bool
	err := db.view(ctx, func(tx *Tx) (err error) {
		if hasSettings, err = tx.tableExists(ctx, "settings"); err != nil || !hasSettings {
			return err
		}
		recorded, err = tx.setting(ctx, indexKeySetting)
		return err
	})
	if err != nil {
		return fmt.Errorf("index key: %w", err)
	}
	if recorded == "" {
		recorded, err = db.recordIndexKey(ctx, hasSettings)
		if err != nil {
			return fmt.Errorf("index key: %w", err)
		}
	}
	if db.box.UseIndexKey(recorded) != nil {
		return fmt.Errorf("this database's ID numbers and phones are indexed with key %s, but the key file holds only %s: "+
			"restore the key file that holds %s from its backup (%w)", recorded, strings.Join(db.box.KeyIDs(), ", "), recorded, secret.ErrUnknownKey)
	}
	return nil
}

// recordIndexKey works out the index key of a database that records none
// and records it when the settings table exists yet; before migration
// 0003 the next Open records it, and nothing is written.
func (db *DB) recordIndexKey(ctx context.Context, hasSettings bool) (string, error) {
	run := db.view
	if hasSettings {
		run = db.update
	}
	var id string
	err := run(ctx, func(tx *Tx) (err error) {
		if hasSettings {
			// Another process may have recorded it meanwhile.
			if id, err = tx.setting(ctx, indexKeySetting); err != nil || id != "" {
				return err
			}
		}
		if id, err = tx.provenIndexKey(ctx); err != nil || !hasSettings {
			return err
		}
		// The first process to record wins; the others adopt its choice.
		if _, err := tx.exec(ctx, `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, indexKeySetting, id); err != nil {
			return err
		}
		id, err = tx.setting(ctx, indexKeySetting)
		return err
	})
	return id, err
}

// provenIndexKey finds the key whose hash of a stored ID number or phone
// matches the stored hash, rather than trusting the order of the key
// file: an operator may have put a new key first by hand before this
// database recorded its index key.
func (tx *Tx) provenIndexKey(ctx context.Context) (string, error) {
	if ok, err := tx.tableExists(ctx, "residents"); err != nil || !ok {
		return tx.box.KeyID(), err
	}
	var idEnc, idHash, phoneEnc, phoneHash []byte
	err := tx.queryRow(ctx, `SELECT id_enc, id_hash, phone_enc, phone_hash FROM residents
		WHERE id_hash IS NOT NULL OR phone_hash IS NOT NULL ORDER BY id LIMIT 1`).Scan(&idEnc, &idHash, &phoneEnc, &phoneHash)
	if errors.Is(err, sql.ErrNoRows) {
		return tx.box.KeyID(), nil
	}
	if err != nil {
		return "", err
	}
	purpose, enc, hash := purposeID, idEnc, idHash
	if idHash == nil {
		purpose, enc, hash = purposePhone, phoneEnc, phoneHash
	}
	plain, err := tx.box.Open(purpose, enc)
	if err != nil {
		return "", fmt.Errorf("cannot tell which key indexes this database: a stored %s does not open with the key file: %w", purpose, err)
	}
	for _, id := range tx.box.KeyIDs() {
		b, err := tx.box.WithIndexKey(id)
		if err != nil {
			return "", err
		}
		// Open asks before it migrates: a database from before migration
		// 0048 keeps the hash in hex.
		if h := b.Index(purpose, plain); bytes.Equal(hash, residentHash(h)) || string(hash) == h {
			return id, nil
		}
	}
	return "", fmt.Errorf("cannot tell which key indexes this database: no key of the key file (%v) reproduces its stored hashes", tx.box.KeyIDs())
}

// IndexKeyID names the key the store searches with; when it differs from
// the first key of the key file, a rotation has yet to finish.
func (db *DB) IndexKeyID() string {
	if db.box == nil {
		return ""
	}
	return db.box.IndexKeyID()
}

// RotateOptions tunes RotateKey.
type RotateOptions struct {
	// BatchSize is how many residents are read and rewritten at a time;
	// 0 means 1000. It bounds memory, not the transaction.
	BatchSize int
	// Progress, when set, is called after each batch with the residents
	// rewritten so far and the total. An error it returns aborts the
	// rotation, which then rolls back as a whole.
	Progress func(done, total int) error
}

// RotateReport says what a rotation did.
type RotateReport struct {
	From      string // the index key before
	To        string // the key everything is now sealed and indexed with
	Residents int    // resident rows rewritten
	Values    int    // ID numbers and phones re-sealed
	Imports   int    // staged import files re-sealed
	Scans     int    // consent scans sealed under the new key
	TOTP      int    // second-factor secrets re-sealed
	// ChainKey is the chain key version new audit and ledger rows are
	// chained with from now on; rows already written keep theirs.
	ChainKey int
}

// CanRotateKey reports why RotateKey would refuse to run, so rotate-key
// can stop before it touches the key file.
func (db *DB) CanRotateKey(ctx context.Context) error {
	return db.view(ctx, func(tx *Tx) error { return tx.rotationBlocked(ctx) })
}

// rotationBlocked refuses a rotation while an account signs in with a
// phone kept only as a keyed hash (accounts made before the phone was also
// sealed): no rotation can recompute that hash, so moving the index key
// would quietly end phone sign-in for them.
func (tx *Tx) rotationBlocked(ctx context.Context) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM users WHERE phone_hash IS NOT NULL AND phone_enc IS NULL`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d account(s) sign in with a phone that is kept only as a keyed hash, which a rotation cannot recompute; "+
			"the key cannot be rotated until the store also keeps those phones sealed", n)
	}
	return nil
}

// RotateKey moves every sealed value (ID numbers, phones, staged uploads,
// second-factor secrets) and every keyed hash onto the first key of the
// box, in one transaction, so that a crash or an error at any point leaves
// the database exactly as it was: readable with the key file, since the
// old keys stay in it, and searchable, since the recorded index key
// changes in the same commit as the hashes. Residents are read in batches
// by id because PostgreSQL cannot run an update while a result is still
// being read on the same connection, and a batch keeps memory flat on
// half a million rows. Every server must be stopped first: one still
// running keeps hashing with the old index key. Running it again repairs
// that, as it recomputes every hash from the decrypted values.
//
// There is no web or API route to it: the authority to rotate is holding
// the key file, so a is recorded in the audit trail and not checked.
func (db *DB) RotateKey(ctx context.Context, a *access.Actor, opt RotateOptions) (RotateReport, error) {
	if db.box == nil {
		return RotateReport{}, errors.New("rotate key: the store was opened without a key")
	}
	size := opt.BatchSize
	if size <= 0 {
		size = 1000
	}
	to := db.box.KeyID()
	nb, err := db.box.WithIndexKey(to)
	if err != nil {
		return RotateReport{}, err
	}
	var rep RotateReport
	err = db.update(ctx, func(tx *Tx) error {
		rep = RotateReport{To: to, From: db.box.IndexKeyID()}
		if from, err := tx.setting(ctx, indexKeySetting); err != nil {
			return err
		} else if from != "" {
			rep.From = from
		}
		if err := tx.rotationBlocked(ctx); err != nil {
			return err
		}
		if err := tx.rotateResidents(ctx, nb, size, opt.Progress, &rep); err != nil {
			return err
		}
		if err := tx.rotateScans(ctx, nb, &rep); err != nil {
			return err
		}
		if err := tx.rotateImports(ctx, nb, &rep); err != nil {
			return err
		}
		if err := tx.rotateTOTP(ctx, nb, &rep); err != nil {
			return err
		}
		if err := tx.rotateTalent(ctx, nb, &rep); err != nil {
			return err
		}
		if err := tx.rotateSealed(ctx, nb, &rep, "org_members"); err != nil {
			return err
		}
		if err := tx.rotateSealed(ctx, nb, &rep, "cadres"); err != nil {
			return err
		}
		if err := tx.rotateNominators(ctx, nb, &rep); err != nil {
			return err
		}
		if err := tx.setSetting(ctx, indexKeySetting, to); err != nil {
			return err
		}
		kv, err := tx.addChainKey(ctx, to)
		if err != nil {
			return err
		}
		rep.ChainKey = kv
		return tx.audit(ctx, a, auditEntry{action: "secret.rotate", target: "key:" + to,
			detail: fmt.Sprintf("from key %s: %d residents, %d values, %d staged imports, %d consent scans, %d second-factor secrets re-sealed; new rows chained under chain key version %d",
				rep.From, rep.Residents, rep.Values, rep.Imports, rep.Scans, rep.TOTP, rep.ChainKey)})
	})
	if err != nil {
		return RotateReport{}, fmt.Errorf("rotate key: %w", err)
	}
	// The hashes now follow the new key, and new rows the new chain key;
	// so must this process.
	if err := db.loadChainKeys(ctx); err != nil {
		return rep, err
	}
	return rep, db.box.UseIndexKey(to)
}

// sealedResident is one row of a rotation batch.
type sealedResident struct {
	id              int64
	idEnc, phoneEnc []byte
}

// rotateResidents re-seals every resident's ID number and phone with nb
// and recomputes both hashes with nb's index key. Updating row by row
// cannot trip the unique index on id_hash: the new hashes are as distinct
// as the ID numbers, and a new hash equals an old one of another row only
// by an HMAC collision.
func (tx *Tx) rotateResidents(ctx context.Context, nb *secret.Box, size int, progress func(done, total int) error, rep *RotateReport) error {
	var total int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM residents`).Scan(&total); err != nil {
		return err
	}
	batch := make([]sealedResident, 0, size)
	var last int64
	for {
		batch = batch[:0]
		rows, err := tx.query(ctx, `SELECT id, id_enc, phone_enc FROM residents WHERE id > ? ORDER BY id LIMIT ?`, last, size)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r sealedResident
			if err := rows.Scan(&r.id, &r.idEnc, &r.phoneEnc); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			idNumber, err := nb.Open(purposeID, r.idEnc)
			if err != nil {
				return fmt.Errorf("resident %d id: %w", r.id, err)
			}
			phone, err := nb.Open(purposePhone, r.phoneEnc)
			if err != nil {
				return fmt.Errorf("resident %d phone: %w", r.id, err)
			}
			if _, err := tx.exec(ctx, `UPDATE residents SET id_enc = ?, id_hash = ?, phone_enc = ?, phone_hash = ? WHERE id = ?`,
				nb.Seal(purposeID, idNumber), residentHash(nb.Index(purposeID, idNumber)),
				nb.Seal(purposePhone, phone), residentHash(nb.Index(purposePhone, phone)), r.id); err != nil {
				return fmt.Errorf("resident %d: %w", r.id, err)
			}
			if idNumber != "" {
				rep.Values++
			}
			if phone != "" {
				rep.Values++
			}
		}
		rep.Residents += len(batch)
		last = batch[len(batch)-1].id
		if progress != nil {
			if err := progress(rep.Residents, total); err != nil {
				return err
			}
		}
	}
}

// rotateImports re-seals the uploaded files still waiting for
// confirmation, one at a time since each may be 20 MB. Any batch that
// still holds data is included, whatever its status: a committed one
// holds none.
func (tx *Tx) rotateImports(ctx context.Context, nb *secret.Box, rep *RotateReport) error {
	var last int64
	for {
		var id int64
		var enc []byte
		err := tx.queryRow(ctx, `SELECT id, data_enc FROM import_batches WHERE id > ? AND length(data_enc) > 0 ORDER BY id LIMIT 1`, last).Scan(&id, &enc)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		plain, err := nb.Open(purposeImport, enc)
		if err != nil {
			return fmt.Errorf("import %d: %w", id, err)
		}
		if _, err := tx.exec(ctx, `UPDATE import_batches SET data_enc = ? WHERE id = ?`, nb.Seal(purposeImport, plain), id); err != nil {
			return fmt.Errorf("import %d: %w", id, err)
		}
		rep.Imports++
		last = id
	}
}

// rotateScans seals every consent scan under the new key: those sealed
// under an older one, and those stored before scans were sealed
// (migration 0052), one at a time, since a scan may be 8 MB.
func (tx *Tx) rotateScans(ctx context.Context, nb *secret.Box, rep *RotateReport) error {
	var last int64
	for {
		var id, sealed int64
		var data []byte
		err := tx.queryRow(ctx, `SELECT id, data, sealed FROM consent_scans WHERE id > ? ORDER BY id LIMIT 1`, last).Scan(&id, &data, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		plain := string(data)
		if sealed != 0 {
			if plain, err = nb.Open(purposeScan, data); err != nil {
				return fmt.Errorf("consent scan %d: %w", id, err)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE consent_scans SET data = ?, sealed = 1 WHERE id = ?`, nb.Seal(purposeScan, plain), id); err != nil {
			return fmt.Errorf("consent scan %d: %w", id, err)
		}
		rep.Scans++
		last = id
	}
}

// Reopen opens the same database again with another keyring, as the
// process would after a restart with a rewritten key file: rotate-key
// continues with the keys it has just written, and tests play a restart.
// The receiver stays open.
func (db *DB) Reopen(ctx context.Context, box *secret.Box) (*DB, error) {
	n, err := Open(ctx, db.dsn, Options{Box: box})
	if err != nil {
		return nil, err
	}
	n.Now = db.Now
	return n, nil
}

// rotateTOTP re-seals the second-factor secrets, which would otherwise
// lock every administrator out once the old key is dropped, and the
// sign-in phones, whose keyed hashes it recomputes. Accounts are few, but
// they are read in batches all the same.
func (tx *Tx) rotateTOTP(ctx context.Context, nb *secret.Box, rep *RotateReport) error {
	type sealedSecret struct {
		id         int64
		enc, phone []byte
	}
	var last int64
	for {
		rows, err := tx.query(ctx, `SELECT id, totp_secret_enc, phone_enc FROM users WHERE id > ? AND (totp_secret_enc IS NOT NULL OR phone_enc IS NOT NULL) ORDER BY id LIMIT 500`, last)
		if err != nil {
			return err
		}
		var batch []sealedSecret
		for rows.Next() {
			var r sealedSecret
			if err := rows.Scan(&r.id, &r.enc, &r.phone); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, r := range batch {
			phone, err := nb.Open(purposeLogin, r.phone)
			if err != nil {
				return fmt.Errorf("user %d phone: %w", r.id, err)
			}
			if phone != "" {
				if _, err := tx.exec(ctx, `UPDATE users SET phone_enc = ?, phone_hash = ? WHERE id = ?`, nb.Seal(purposeLogin, phone), nb.Index(purposeLogin, phone), r.id); err != nil {
					return fmt.Errorf("user %d: %w", r.id, err)
				}
			}
			plain, err := nb.Open(purposeTOTP, r.enc)
			if err != nil {
				return fmt.Errorf("user %d second factor: %w", r.id, err)
			}
			if plain == "" {
				continue
			}
			if _, err := tx.exec(ctx, `UPDATE users SET totp_secret_enc = ? WHERE id = ?`, nb.Seal(purposeTOTP, plain), r.id); err != nil {
				return fmt.Errorf("user %d: %w", r.id, err)
			}
			rep.TOTP++
		}
		last = batch[len(batch)-1].id
	}
}
