package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/procmem"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/totp"
)

// rotVillage is 平安村, where the rotation tests register their people.
const rotVillage = "152221100210"

// rotActor keeps the registers of the whole region.
var rotActor = &access.Actor{UserID: 1, Username: "rot-admin", Grants: []access.Grant{{Role: access.Operator, Region: "150000000000"}}}

// rotPerson builds the n-th person of a rotation test, with an ID number
// and a phone that no other n shares, so each can be looked for in the
// database file.
func rotPerson(n int, relation string) registry.ResidentInput {
	first := fmt.Sprintf("152221197%d%02d%02d%03d", n%10, 1+n%12, 1+n%28, 2*n+1)
	return registry.ResidentInput{Name: "测试" + string(rune('甲'+n)), Ethnicity: "蒙古族", IDNumber: first + string(registry.CheckChar(first)),
		Phone: fmt.Sprintf("1391234%04d", n), Relation: relation, Political: "群众"}
}

// rotResident is a resident the fixture registered, with what it was given.
type rotResident struct {
	id        int64
	household int64
	in        registry.ResidentInput
	found     int // households a search by its full ID number finds
}

// rotFixture is a store whose people were registered under key k1 alone,
// as every rotation test starts.
type rotFixture struct {
	db       *sqlstore.DB
	k1       secret.Key
	people   []rotResident
	batch    int64
	csvPlain []string // personal data inside the staged upload
	token    string   // a session of the account with a second factor
	totp     string   // that account's TOTP secret
}

// rotOpen opens base's database again with a keyring, as a restart with a
// new key file would.
func rotOpen(t testing.TB, base *sqlstore.DB, keys ...secret.Key) *sqlstore.DB {
	t.Helper()
	box, err := secret.NewRing(keys...)
	if err != nil {
		t.Fatal(err)
	}
	db, err := base.Reopen(context.Background(), box)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rotSetup(t *testing.T, base *sqlstore.DB) *rotFixture {
	t.Helper()
	ctx := context.Background()
	f := &rotFixture{k1: secret.NewKey(secret.AES)}
	f.db = rotOpen(t, base, f.k1)
	if f.db.IndexKeyID() != secret.KeyID(f.k1) {
		t.Fatalf("a new database indexes with %s, want its first key %s", f.db.IndexKeyID(), secret.KeyID(f.k1))
	}
	reg := f.db.Registry()
	for i := range 5 {
		in := rotPerson(i, registry.Head)
		h, err := reg.CreateHousehold(ctx, rotActor, registry.HouseholdInput{Number: fmt.Sprintf("R%02d", i), VillageCode: rotVillage}, in)
		if err != nil {
			t.Fatalf("household %d: %v", i, err)
		}
		f.people = append(f.people, rotResident{id: h.HeadID, household: h.ID, in: in, found: 1})
	}
	spouse := rotPerson(5, "配偶")
	noPhone := rotPerson(6, "子")
	noPhone.Phone = ""
	for _, in := range []registry.ResidentInput{spouse, noPhone} {
		r, err := reg.AddResident(ctx, rotActor, f.people[0].household, in, "登记")
		if err != nil {
			t.Fatal(err)
		}
		f.people = append(f.people, rotResident{id: r.ID, household: f.people[0].household, in: in, found: 1})
	}
	// One ID number held twice, once by a resident who moved away and once
	// by the household they started: the unique index leaves the moved-out
	// row alone, and a rotation must too.
	moved := rotPerson(7, "兄弟")
	r, err := reg.AddResident(ctx, rotActor, f.people[1].household, moved, "登记")
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.SetResidentStatus(ctx, rotActor, r.ID, registry.MovedOut, "分户迁出"); err != nil {
		t.Fatal(err)
	}
	again := moved
	again.Relation = registry.Head
	h, err := reg.CreateHousehold(ctx, rotActor, registry.HouseholdInput{Number: "R07", VillageCode: rotVillage}, again)
	if err != nil {
		t.Fatalf("re-register a moved-out ID number: %v", err)
	}
	f.people = append(f.people, rotResident{id: h.HeadID, household: h.ID, in: again, found: 2})

	// A staged upload, sealed, that holds more personal data in clear.
	up := rotPerson(20, registry.Head)
	f.csvPlain = []string{up.IDNumber, up.Phone}
	csv := "户号,姓名,性别,民族,出生日期,身份证号,手机号码,与户主关系,政治面貌\n" +
		fmt.Sprintf("R20,%s,男,蒙古族,,%s,%s,户主,群众\n", up.Name, up.IDNumber, up.Phone)
	if f.batch, err = reg.StageImport(ctx, rotActor, rotVillage, "台账.csv", []byte(csv)); err != nil {
		t.Fatalf("stage import: %v", err)
	}

	// An administrator with a second factor, whose secret is sealed too.
	const pw = "Rotate-Key-2026-测试"
	if _, err := f.db.CreateUser(ctx, nil, "rot-mfa", "测试管理员", pw, nil); err != nil {
		t.Fatal(err)
	}
	auth := f.db.Auth(access.DefaultPolicy())
	if f.token, err = auth.Login(ctx, "rot-mfa", pw); err != nil {
		t.Fatal(err)
	}
	if f.totp, err = auth.EnrolSecondFactor(ctx, f.token); err != nil {
		t.Fatal(err)
	}
	return f
}

// checkSecondFactor proves db opens the administrator's TOTP secret: a
// code made from it is accepted. Each call must use a later minute, as a
// code is good once.
func (f *rotFixture) checkSecondFactor(t *testing.T, db *sqlstore.DB, minute int) {
	t.Helper()
	at := time.Date(2026, 6, 1, 0, minute, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }
	code, err := totp.Code(f.totp, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Auth(access.DefaultPolicy()).VerifySecondFactor(context.Background(), f.token, code); err != nil {
		t.Fatalf("second factor at minute %d: %v", minute, err)
	}
}

// add registers one more household head through f.db.
func (f *rotFixture) add(t *testing.T, n int) {
	t.Helper()
	in := rotPerson(n, registry.Head)
	h, err := f.db.Registry().CreateHousehold(context.Background(), rotActor, registry.HouseholdInput{Number: fmt.Sprintf("R%02d", n), VillageCode: rotVillage}, in)
	if err != nil {
		t.Fatalf("household %d: %v", n, err)
	}
	f.people = append(f.people, rotResident{id: h.HeadID, household: h.ID, in: in, found: 1})
}

// plain lists every ID number and phone the fixture holds.
func (f *rotFixture) plain() []string {
	out := append([]string{f.totp}, f.csvPlain...)
	for _, p := range f.people {
		out = append(out, p.in.IDNumber)
		if p.in.Phone != "" {
			out = append(out, p.in.Phone)
		}
	}
	return out
}

// checkReadable proves that db searches, refuses duplicates, opens every
// sealed value and the staged upload: what a clerk notices first when keys
// and hashes disagree.
func (f *rotFixture) checkReadable(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	reg := db.Registry()
	for _, p := range f.people {
		if _, n, err := reg.Households(ctx, rotActor, registry.ListFilter{Query: p.in.IDNumber}); err != nil || n != p.found {
			t.Fatalf("search by the full ID number of %s: %d households (%v), want %d", p.in.Name, n, err, p.found)
		}
		// Saving the same details changes nothing, which the store can
		// only tell by opening the stored ID number and phone.
		before, err := reg.History(ctx, rotActor, p.household)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.UpdateResident(ctx, rotActor, p.id, p.in, "核对"); err != nil {
			t.Fatalf("update %s with the same details: %v", p.in.Name, err)
		}
		if after, _ := reg.History(ctx, rotActor, p.household); len(after) != len(before) {
			t.Fatalf("%s: stored ID number or phone reads back different: %+v", p.in.Name, after[len(after)-1])
		}
	}
	_, err := reg.CreateHousehold(ctx, rotActor, registry.HouseholdInput{Number: "DUP", VillageCode: rotVillage}, f.people[0].in)
	if !fault.Is(err, fault.Conflict) {
		t.Fatalf("a registered ID number registered again: %v", err)
	}
	moved := f.people[len(f.people)-1].in
	for _, p := range f.people {
		if p.found == 2 {
			moved = p.in
		}
	}
	_, err = reg.CreateHousehold(ctx, rotActor, registry.HouseholdInput{Number: "DUP", VillageCode: rotVillage}, moved)
	if !fault.Is(err, fault.Conflict) {
		t.Fatalf("the re-registered ID number registered a third time: %v", err)
	}
	rep, err := reg.RunImport(ctx, rotActor, f.batch, registry.Preview)
	if err != nil || rep.Rows != 1 || rep.Rejected != 0 {
		t.Fatalf("preview of the staged upload: %+v, %v", rep, err)
	}
}

func TestRotateKey(t *testing.T) {
	storetest.EachUnkeyed(t, func(t *testing.T, base *sqlstore.DB) {
		ctx := context.Background()
		f := rotSetup(t, base)
		k2 := secret.NewKey(secret.AES)
		id1, id2 := secret.KeyID(f.k1), secret.KeyID(k2)

		// The key file now lists k2 first, as rotate-key writes it before
		// it touches the database: new values are sealed with k2, but the
		// recorded index key keeps the hashes searchable.
		db := rotOpen(t, f.db, k2, f.k1)
		if db.IndexKeyID() != id1 {
			t.Fatalf("after the key file changed the store indexes with %s, want the recorded %s", db.IndexKeyID(), id1)
		}
		f.db = db
		f.add(t, 8)
		f.checkReadable(t, db)
		// Two consent scans: one sealed as scans are now, one stored in
		// clear as before migration 0052; rotation seals both.
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		var scans []int64
		for i := range 2 {
			c, err := db.Credit().Consent(ctx, rotActor, f.people[0].household, honour.ConsentInput{Purpose: "申请道德积分贷", Recipient: "信用社", RetentionDays: 365,
				Method: honour.OnPaper, Reference: fmt.Sprint("信-", i), Scan: pdf})
			if err != nil {
				t.Fatal(err)
			}
			scans = append(scans, c.Scans[0].ID)
		}
		if err := db.RawExec(ctx, `UPDATE consent_scans SET data = ?, sealed = 0 WHERE id = ?`, pdf, scans[1]); err != nil {
			t.Fatal(err)
		}

		var calls []int
		total := len(f.people) + 1 // and the moved-out resident
		rep, err := db.RotateKey(ctx, rotActor, sqlstore.RotateOptions{BatchSize: 3, Progress: func(done, n int) error {
			if n != total {
				t.Errorf("progress total %d, want %d", n, total)
			}
			calls = append(calls, done)
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		// Chain key versions: storetest's own key, k1 (which replaced it
		// before any resident was sealed), then k2.
		want := sqlstore.RotateReport{From: id1, To: id2, Residents: total, Values: 2*total - 1, Imports: 1, Scans: 2, TOTP: 1, ChainKey: 3}
		if rep != want {
			t.Fatalf("report %+v, want %+v", rep, want)
		}
		if fmt.Sprint(calls) != "[3 6 9 10]" {
			t.Fatalf("progress calls %v, want one per batch of 3", calls)
		}
		if db.IndexKeyID() != id2 {
			t.Fatalf("after the rotation the store indexes with %s, want %s", db.IndexKeyID(), id2)
		}
		f.checkReadable(t, db)

		// A restart finds the new index key recorded.
		if again := rotOpen(t, db, k2, f.k1); again.IndexKeyID() != id2 {
			t.Fatalf("restart indexes with %s, want %s", again.IndexKeyID(), id2)
		}
		// The old key alone no longer opens the store, and says which key
		// is missing.
		box1, _ := secret.New(f.k1)
		if _, err := db.Reopen(ctx, box1); err == nil || !strings.Contains(err.Error(), id2) {
			t.Fatalf("open with the old key alone: %v, want an error naming %s", err, id2)
		}
		// The new key alone reads everything: nothing was left under k1.
		only := rotOpen(t, db, k2)
		f.checkReadable(t, only)
		f.checkSecondFactor(t, only, 1)
		for _, scan := range scans {
			var sealed int
			if err := only.RawRow(ctx, `SELECT sealed FROM consent_scans WHERE id = ?`, scan).Scan(&sealed); err != nil || sealed != 1 {
				t.Fatalf("scan %d sealed %d after the rotation (%v)", scan, sealed, err)
			}
			if _, data, err := only.Credit().Scan(ctx, rotActor, f.people[0].household, scan); err != nil || !bytes.Equal(data, pdf) {
				t.Fatalf("scan %d under the new key alone: %v", scan, err)
			}
		}

		// A second rotation moves on again.
		k3 := secret.NewKey(secret.AES)
		db3 := rotOpen(t, db, k3, k2, f.k1)
		if rep, err := db3.RotateKey(ctx, nil, sqlstore.RotateOptions{}); err != nil || rep.From != id2 || rep.To != secret.KeyID(k3) {
			t.Fatalf("second rotation: %+v, %v", rep, err)
		}
		only = rotOpen(t, db, k3)
		f.checkReadable(t, only)
		f.checkSecondFactor(t, only, 2)
	})
}

// TestRotateKeyKeepsLoginPhones checks that an account's sign-in phone,
// sealed beside its keyed hash, survives a rotation: the hash is
// recomputed with the new index key and signing in by phone still works.
func TestRotateKeyKeepsLoginPhones(t *testing.T) {
	storetest.EachUnkeyed(t, func(t *testing.T, base *sqlstore.DB) {
		ctx := context.Background()
		f := rotSetup(t, base)
		sys := &access.Actor{UserID: 1, Username: "rot-sys", Grants: []access.Grant{{Role: access.SysAdmin, Region: "150000000000"}}}
		_, pw, err := f.db.Users(access.DefaultPolicy()).CreateUser(ctx, sys, access.NewUser{Username: "rot-phone", DisplayName: "测试", Phone: "13912340099"})
		if err != nil {
			t.Fatal(err)
		}
		db := rotOpen(t, f.db, secret.NewKey(secret.AES), f.k1)
		if err := db.CanRotateKey(ctx); err != nil {
			t.Fatalf("CanRotateKey with a sealed sign-in phone: %v", err)
		}
		if _, err := db.RotateKey(ctx, rotActor, sqlstore.RotateOptions{}); err != nil {
			t.Fatal(err)
		}
		if db.IndexKeyID() == secret.KeyID(f.k1) {
			t.Fatal("the rotation left the index key where it was")
		}
		if _, err := db.Auth(access.DefaultPolicy()).Login(ctx, "139 1234 0099", pw); err != nil {
			t.Fatalf("sign-in by phone after rotation: %v", err)
		}
	})
}

func TestRotateKeyCrash(t *testing.T) {
	storetest.EachUnkeyed(t, func(t *testing.T, base *sqlstore.DB) {
		ctx := context.Background()
		f := rotSetup(t, base)
		k2 := secret.NewKey(secret.AES)
		id1, id2 := secret.KeyID(f.k1), secret.KeyID(k2)
		db := rotOpen(t, f.db, k2, f.k1)
		f.db = db

		// The machine dies after two batches: the transaction never commits.
		boom := errors.New("power cut")
		_, err := db.RotateKey(ctx, rotActor, sqlstore.RotateOptions{BatchSize: 2, Progress: func(done, _ int) error {
			if done >= 4 {
				return boom
			}
			return nil
		}})
		if !errors.Is(err, boom) {
			t.Fatalf("rotation with a failure half-way: %v", err)
		}
		if db.IndexKeyID() != id1 {
			t.Fatalf("a failed rotation moved the index key to %s", db.IndexKeyID())
		}
		f.checkReadable(t, db)
		// Nothing was written under k2 by the failed run: the old key
		// alone still reads the register (the upload and residents added
		// before the key file changed).
		f.checkReadable(t, rotOpen(t, db, f.k1))

		// The operator presses Ctrl-C half-way.
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		_, err = db.RotateKey(cctx, rotActor, sqlstore.RotateOptions{BatchSize: 2, Progress: func(done, _ int) error {
			if done >= 2 {
				cancel()
			}
			return nil
		}})
		if err == nil {
			t.Fatal("a cancelled rotation reported success")
		}
		f.checkReadable(t, rotOpen(t, db, k2, f.k1))
		f.checkReadable(t, rotOpen(t, db, f.k1))

		// Running again finishes the job.
		restarted := rotOpen(t, db, k2, f.k1)
		rep, err := restarted.RotateKey(ctx, rotActor, sqlstore.RotateOptions{BatchSize: 2})
		if err != nil || rep.From != id1 || rep.To != id2 || rep.TOTP != 1 {
			t.Fatalf("second attempt: %+v, %v", rep, err)
		}
		only := rotOpen(t, db, k2)
		f.checkReadable(t, only)
		f.checkSecondFactor(t, only, 1)
	})
}

// rotSQLite opens a migrated SQLite store of its own, so a test can read
// the file and its rows directly.
func rotSQLite(t *testing.T) (base *sqlstore.DB, path string) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "shanzhi.db")
	db, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{Box: storetest.Box(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedRegions(ctx); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// rotFileHolds reports which of plain appear in clear in the database
// file, its write-ahead log or its shared-memory index.
func rotFileHolds(t *testing.T, path string, plain []string) []string {
	t.Helper()
	var found []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range plain {
			if bytes.Contains(b, []byte(s)) {
				found = append(found, filepath.Base(p)+": "+s)
			}
		}
	}
	return found
}

func TestRotateKeySQLiteFile(t *testing.T) {
	ctx := context.Background()
	base, path := rotSQLite(t)
	f := rotSetup(t, base)
	k2 := secret.NewKey(secret.AES)
	db := rotOpen(t, f.db, k2, f.k1)
	f.db = db
	if _, err := db.RotateKey(ctx, rotActor, sqlstore.RotateOptions{BatchSize: 4}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	// Every sealed value names k2 and opens with it alone; the old key
	// alone opens none of them.
	box1, _ := secret.New(f.k1)
	box2, _ := secret.New(k2)
	rows, err := raw.Query(`SELECT id_enc, phone_enc FROM residents UNION ALL SELECT data_enc, NULL FROM import_batches
		UNION ALL SELECT totp_secret_enc, NULL FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]bool{}
	for rows.Next() {
		var a, b []byte
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		for _, v := range [][]byte{a, b} {
			if len(v) == 0 {
				continue
			}
			if secret.SealedKeyID(v) != secret.KeyID(k2) {
				t.Fatalf("a value is sealed under %q, want %s", secret.SealedKeyID(v), secret.KeyID(k2))
			}
			if _, err := box1.Open("resident.id_number", v); !errors.Is(err, secret.ErrUnknownKey) {
				t.Fatalf("the old key alone: %v, want ErrUnknownKey", err)
			}
			for _, purpose := range []string{"resident.id_number", "resident.phone", "import.file", "user.totp"} {
				if p, err := box2.Open(purpose, v); err == nil {
					opened[p] = true
				}
			}
		}
	}
	rows.Close()
	for _, p := range f.plain() {
		found := opened[p]
		for o := range opened {
			found = found || strings.Contains(o, p) // the upload holds its ID number in a line of CSV
		}
		if !found {
			t.Fatalf("%s does not read back from the database", p)
		}
	}
	var audits int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = (SELECT id FROM audit_names WHERE name = 'secret.rotate') AND target = ?`, "key:"+secret.KeyID(k2)).Scan(&audits); err != nil || audits != 1 {
		t.Fatalf("%d secret.rotate audit entries (%v), want 1", audits, err)
	}

	// Neither the file nor its log holds an ID number or a phone in clear,
	// before or after the log is checkpointed into the file; names, which
	// are not sealed, show that the scan reads the right bytes.
	if found := rotFileHolds(t, path, []string{f.people[0].in.Name}); len(found) == 0 {
		t.Fatal("the scan does not find a name stored in clear")
	}
	if found := rotFileHolds(t, path, f.plain()); len(found) > 0 {
		t.Fatalf("personal data in clear: %v", found)
	}
	for _, d := range []*sqlstore.DB{base, f.db} {
		d.Close()
	}
	raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	if found := rotFileHolds(t, path, f.plain()); len(found) > 0 {
		t.Fatalf("personal data in clear after checkpoint: %v", found)
	}
}

// TestIndexKeyProven covers a database from before the keyring, which
// records no index key: Open finds the key its hashes were made with even
// when the key file no longer lists it first, and refuses a key file that
// lacks it.
func TestIndexKeyProven(t *testing.T) {
	ctx := context.Background()
	base, path := rotSQLite(t)
	f := rotSetup(t, base)
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM settings`); err != nil {
		t.Fatal(err)
	}
	k2 := secret.NewKey(secret.AES)
	db := rotOpen(t, f.db, k2, f.k1)
	if db.IndexKeyID() != secret.KeyID(f.k1) {
		t.Fatalf("indexes with %s, want %s, the key the stored hashes prove", db.IndexKeyID(), secret.KeyID(f.k1))
	}
	var recorded string
	if err := raw.QueryRow(`SELECT value FROM settings WHERE name = 'index_key_id'`).Scan(&recorded); err != nil || recorded != secret.KeyID(f.k1) {
		t.Fatalf("recorded %q (%v), want %s", recorded, err, secret.KeyID(f.k1))
	}
	f.db = db
	f.checkReadable(t, db)

	box, _ := secret.New(k2)
	if _, err := db.Reopen(ctx, box); err == nil || !strings.Contains(err.Error(), secret.KeyID(f.k1)) {
		t.Fatalf("open without the index key: %v, want an error naming %s", err, secret.KeyID(f.k1))
	}
}

// BenchmarkRotateKey rotates a register of SHANZHI_BENCH_RESIDENTS
// synthetic residents (100,000 by default) to a fresh key, each iteration
// to another: every value re-sealed, every hash recomputed, in one
// transaction. The peak resident set shows whether the batches keep memory
// flat.
func BenchmarkRotateKey(b *testing.B) {
	n := storetest.BenchSize(b)
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			keys := []secret.Key{secret.NewKey(secret.AES)}
			db := rotOpen(b, storetest.MustOpenUnkeyed(b, engine), keys...)
			var villages []string
			kids, err := db.Regions().Children(ctx, rotActor, "152221000000")
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range kids {
				vs, _ := db.Regions().Children(ctx, rotActor, t.Code)
				for _, v := range vs {
					if regioncode.LevelOf(v.Code) == regioncode.Village {
						villages = append(villages, v.Code)
					}
				}
			}
			batch, err := db.Registry().StageImport(ctx, rotActor, "152221000000", "register.xlsx", registerSheet(b, villages, n))
			if err != nil {
				b.Fatal(err)
			}
			if rep, err := db.Registry().RunImport(ctx, rotActor, batch, registry.All); err != nil || rep.NewResidents < n {
				b.Fatalf("import: %d residents, %v", rep.NewResidents, err)
			}
			rows := 0
			base := procmem.ResetPeak()
			for b.Loop() {
				b.StopTimer()
				keys = append([]secret.Key{secret.NewKey(secret.AES)}, keys...)
				next := rotOpen(b, db, keys...)
				b.StartTimer()
				rep, err := next.RotateKey(ctx, rotActor, sqlstore.RotateOptions{})
				if err != nil {
					b.Fatal(err)
				}
				rows = rep.Residents
				b.StopTimer()
				next.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "residents/s")
			if peak := procmem.PeakKB(); peak > 0 && base > 0 {
				b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
				b.ReportMetric(float64(peak-base)/1024, "growth-MB")
			}
		})
	}
}

// TestRotateKeyToSM moves a database sealed and indexed under an AES key
// onto an SM key (SM4-GCM, HMAC-SM3) and back, as rotate-key -crypto-suite
// does: afterwards the new key alone opens every ID number, phone, staged
// upload and second-factor secret, and search by ID number still finds
// each resident under the new suite's hashes.
func TestRotateKeyToSM(t *testing.T) {
	storetest.EachUnkeyed(t, func(t *testing.T, base *sqlstore.DB) {
		ctx := context.Background()
		f := rotSetup(t, base)
		sm := secret.NewKey(secret.SM)
		db := rotOpen(t, f.db, sm, f.k1)
		rep, err := db.RotateKey(ctx, rotActor, sqlstore.RotateOptions{})
		if err != nil || rep.From != secret.KeyID(f.k1) || rep.To != secret.KeyID(sm) {
			t.Fatalf("rotation to SM: %+v, %v", rep, err)
		}
		only := rotOpen(t, db, sm)
		if only.IndexKeyID() != secret.KeyID(sm) {
			t.Fatalf("indexes with %s, want the SM key %s", only.IndexKeyID(), secret.KeyID(sm))
		}
		// A leader's unmasked export opens every stored ID number.
		leader := &access.Actor{UserID: 1, Username: "rot-leader", Grants: []access.Grant{{Role: access.Leader, Region: rotVillage}}}
		got := map[int64]string{}
		err = only.Registry().ExportResidents(ctx, leader, registry.ResidentFilter{Region: rotVillage}, true, "核对", func(r registry.ResidentRow) error {
			got[r.ID] = r.IDNumber
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.people {
			if got[p.id] != p.in.IDNumber {
				t.Fatalf("%s reads back ID number %q under the SM key, want %q", p.in.Name, got[p.id], p.in.IDNumber)
			}
		}
		f.checkReadable(t, only)
		f.checkSecondFactor(t, only, 1)

		// And back to AES, the same way.
		aes := secret.NewKey(secret.AES)
		back := rotOpen(t, only, aes, sm)
		if _, err := back.RotateKey(ctx, rotActor, sqlstore.RotateOptions{}); err != nil {
			t.Fatal(err)
		}
		again := rotOpen(t, back, aes)
		f.checkReadable(t, again)
		f.checkSecondFactor(t, again, 2)
	})
}
