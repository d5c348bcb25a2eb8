package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/registry"
	"shanzhi/internal/secret"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestResidentHashesMigration builds a database at the schema before
// migration 0048, residents written as the previous version stored them
// (keyed hashes as hex text) under key k1: a head with a phone, a member
// without one, one moved out whose ID number a resident of another
// household holds now, and one with neither. Its index key is not
// recorded, as before the keyring, and the key file lists a newer key
// first: Open proves k1 from the hex hashes. Migrating converts them to
// raw bytes: a search by ID number and a look-up by phone find each, the
// unique ID check still refuses a registered ID number, verify's hash
// check passes, and a key rotation rehashes them, after which the same
// holds under the new key.
func TestResidentHashesMigration(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { residentHashesMigration(t, engine) })
	}
}

func residentHashesMigration(t *testing.T, engine string) {
	ctx := context.Background()
	k1, k2 := secret.NewKey(secret.AES), secret.NewKey(secret.AES)
	box1, err := secret.New(k1)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := keyedBeforeBy(t, engine, "0048", box1)
	if _, err := old.SeedRegions(ctx); err != nil {
		t.Fatal(err)
	}
	head, member, moved, again, nobody := rotPerson(0, registry.Head), rotPerson(1, "配偶"), rotPerson(2, registry.Head), rotPerson(3, registry.Head), rotPerson(4, "子")
	member.Phone = ""
	again.IDNumber = moved.IDNumber
	nobody.IDNumber, nobody.Phone = "", ""
	oldHousehold(t, old, box1, "H1", head, member, nobody)
	h0 := oldHousehold(t, old, box1, "H0", moved)
	rawExec(t, old, `UPDATE residents SET status = ? WHERE household_id = ?`, string(registry.MovedOut), h0)
	h2 := oldHousehold(t, old, box1, "H2", again)

	db := rotOpen(t, old, k2, k1)
	if db.IndexKeyID() != secret.KeyID(k1) {
		t.Fatalf("before the migration the store indexes with %s, want %s, the key the hex hashes prove", db.IndexKeyID(), secret.KeyID(k1))
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var ids, phones, none int
	if err := db.RawRow(ctx, `SELECT count(*) FILTER (WHERE length(id_hash) = 20), count(*) FILTER (WHERE length(phone_hash) = 20),
		count(*) FILTER (WHERE id_hash IS NULL AND phone_hash IS NULL) FROM residents`).Scan(&ids, &phones, &none); err != nil || ids != 4 || phones != 3 || none != 1 {
		t.Fatalf("%d raw ID hashes, %d raw phone hashes, %d residents without either (%v), want 4, 3 and 1", ids, phones, none, err)
	}

	check := func(db *sqlstore.DB, box *secret.Box) {
		t.Helper()
		reg := db.Registry()
		for _, c := range []struct {
			id    string
			found int
		}{{head.IDNumber, 1}, {member.IDNumber, 1}, {moved.IDNumber, 2}} {
			if _, n, err := reg.Households(ctx, rotActor, registry.ListFilter{Query: c.id}); err != nil || n != c.found {
				t.Fatalf("search by ID number %s: %d households (%v), want %d", c.id, n, err, c.found)
			}
		}
		for _, p := range []registry.ResidentInput{head, moved, again} {
			var n int
			if err := db.RawRow(ctx, `SELECT count(*) FROM residents WHERE phone_hash = ?`, rawIndex(box, "resident.phone", p.Phone)).Scan(&n); err != nil || n != 1 {
				t.Fatalf("look-up by the phone of %s: %d residents (%v), want 1", p.Name, n, err)
			}
		}
		for _, p := range []registry.ResidentInput{head, again} {
			p.Relation = registry.Head
			if _, err := reg.CreateHousehold(ctx, rotActor, registry.HouseholdInput{Number: "DUP", VillageCode: rotVillage}, p); !fault.Is(err, fault.Conflict) {
				t.Fatalf("the registered ID number of %s registered again: %v", p.Name, err)
			}
		}
		if f, err := db.KeyedHashCheck(ctx); err != nil || f.Count != 0 {
			t.Fatalf("verify's hash check: %+v, %v", f.Problems, err)
		}
	}
	check(db, box1)
	// A resident registered after the migration is hashed as the others
	// were converted.
	late := rotPerson(5, "子")
	if _, err := db.Registry().AddResident(ctx, rotActor, h2, late, "登记"); err != nil {
		t.Fatal(err)
	}
	if _, n, err := db.Registry().Households(ctx, rotActor, registry.ListFilter{Query: late.IDNumber}); err != nil || n != 1 {
		t.Fatalf("search by the ID number of a resident added after the migration: %d households (%v)", n, err)
	}

	rep, err := db.RotateKey(ctx, rotActor, sqlstore.RotateOptions{})
	if err != nil || rep.Residents != 6 || rep.Values != 9 {
		t.Fatalf("rotation: %+v, %v, want 6 residents and 9 values", rep, err)
	}
	box2, err := secret.New(k2)
	if err != nil {
		t.Fatal(err)
	}
	check(rotOpen(t, db, k2), box2)
	residentHashPlans(t, db, engine, rawIndex(box2, "resident.id_number", head.IDNumber))
}

// residentHashPlans checks that the registered holder of an ID number is
// looked up through the rebuilt residents_id_hash, the raw hash compared
// with raw bytes; residents_phone_hash, which no query read, is gone.
func residentHashPlans(t *testing.T, db *sqlstore.DB, engine string, id []byte) {
	t.Helper()
	ctx := context.Background()
	tx, rebind, err := db.RawBegin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	gone := `SELECT count(*) FROM sqlite_master WHERE name = 'residents_phone_hash'`
	q := `EXPLAIN QUERY PLAN SELECT id FROM residents WHERE id_hash = ? AND status = '在册'`
	if engine == "postgres" {
		// Six rows: without this PostgreSQL reads the table.
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		gone = `SELECT count(*) FROM pg_indexes WHERE indexname = 'residents_phone_hash' AND schemaname = current_schema()`
		q = `EXPLAIN SELECT id FROM residents WHERE id_hash = ? AND status = '在册'`
	}
	var n int
	if err := tx.QueryRowContext(ctx, gone).Scan(&n); err != nil || n != 0 {
		t.Fatalf("residents_phone_hash still there: %d (%v)", n, err)
	}
	rows, err := tx.QueryContext(ctx, rebind(q), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		cells := make([]any, len(cols))
		for i := range cells {
			cells[i] = new(any)
		}
		if err := rows.Scan(cells...); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, fmt.Sprint(*cells[len(cells)-1].(*any)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "residents_id_hash") {
		t.Fatalf("a look-up by ID number does not read residents_id_hash:\n%s", strings.Join(plan, "\n"))
	}
}

// rawIndex is box's keyed hash of value as residents keep it.
func rawIndex(box *secret.Box, purpose, value string) []byte {
	return sqlstore.ResidentHash(box.Index(purpose, value))
}

// oldHousehold registers a household of people in rotVillage as the
// version before migration 0048 wrote it: the keyed hashes of ID numbers
// and phones in hex, NULL where there is no value. The first is the head.
func oldHousehold(t *testing.T, db *sqlstore.DB, box *secret.Box, number string, people ...registry.ResidentInput) int64 {
	t.Helper()
	ctx := context.Background()
	var h int64
	if err := db.RawRow(ctx, `INSERT INTO households (village_code, number, status, created_at, updated_at) VALUES (?, ?, ?, 0, 0) RETURNING id`,
		rotVillage, number, string(registry.HouseholdActive)).Scan(&h); err != nil {
		t.Fatal(err)
	}
	hexOrNull := func(purpose, v string) any {
		if v == "" {
			return nil
		}
		return box.Index(purpose, v)
	}
	for i, p := range people {
		gender, birth := p.Gender, p.BirthDate
		if p.IDNumber != "" {
			b, _ := registry.BirthFromID(p.IDNumber)
			gender, birth = registry.GenderFromID(p.IDNumber), b.Format("2006-01-02")
		}
		if gender == "" {
			gender, birth = registry.Male, "2010-01-01"
		}
		masked := func(v string, mask func(string) string) string {
			if v == "" {
				return ""
			}
			return mask(v)
		}
		var id int64
		if err := db.RawRow(ctx, `INSERT INTO residents (household_id, village_code, name, name_sort, name_initials, name_pinyin, gender, ethnicity, birth_date,
			id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, relation, political, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0) RETURNING id`,
			h, rotVillage, p.Name, p.Name, string(gender), p.Ethnicity, birth,
			box.Seal("resident.id_number", p.IDNumber), hexOrNull("resident.id_number", p.IDNumber), masked(p.IDNumber, registry.MaskID),
			box.Seal("resident.phone", p.Phone), hexOrNull("resident.phone", p.Phone), masked(p.Phone, registry.MaskPhone),
			p.Relation, p.Political, string(registry.Registered)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			rawExec(t, db, `UPDATE households SET head_id = ? WHERE id = ?`, id, h)
		}
	}
	return h
}

// withoutID is p without an ID number, with the gender and birth date it
// gave stated instead, for a test that registers people through the
// store at a schema before migration 0048: the store writes residents'
// keyed hashes raw, which PostgreSQL's text columns of then refuse.
func withoutID(p registry.ResidentInput) registry.ResidentInput {
	b, _ := registry.BirthFromID(p.IDNumber)
	p.Gender, p.BirthDate, p.IDNumber = registry.GenderFromID(p.IDNumber), b.Format("2006-01-02"), ""
	return p
}
