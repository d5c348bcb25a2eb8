package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/mongol"
	"shanzhi/internal/pinyin"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// RegistryService implements registry.Service.
type RegistryService struct{ db *DB }

// Registry returns the store's household register.
func (db *DB) Registry() *RegistryService { return &RegistryService{db: db} }

var _ registry.Service = (*RegistryService)(nil)

// Personal data purposes, bound into each sealed value.
const (
	purposeID    = "resident.id_number"
	purposePhone = "resident.phone"
)

// residentHash is a keyed hash, in the hex Box.Index returns, as
// residents keep it since migration 0048: its 20 raw bytes (1.85 million
// residents in a league); the tables with fewer rows keep the hex. No
// value ("") is nil, stored as NULL.
func residentHash(h string) []byte {
	b, _ := hex.DecodeString(h) // Index's hex always decodes
	if len(b) == 0 {
		return nil
	}
	return b
}

func (tx *Tx) householdEvent(ctx context.Context, a *access.Actor, household, resident int64, residentName, kind string, other int64, detail, reason string) error {
	uid, uname := actorRef(a)
	_, err := tx.exec(ctx, `INSERT INTO household_events (household_id, resident_id, resident_name, kind, other_id, detail, reason, actor_id, actor_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, household, resident, residentName, kind, other, detail, strings.TrimSpace(reason), uid, uname, tx.nowMS())
	if err != nil {
		return fmt.Errorf("household event: %w", err)
	}
	if tx.quiet {
		return nil
	}
	var village string
	if err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, household).Scan(&village); err != nil {
		return err
	}
	target := fmt.Sprintf("household:%d", household)
	if resident != 0 {
		target += fmt.Sprintf(" resident:%d", resident)
	}
	return tx.audit(ctx, a, auditEntry{action: "household." + kind, target: target, region: village, detail: detail})
}

// householdFor loads a household and checks that a holds p over its village.
func (tx *Tx) householdFor(ctx context.Context, a *access.Actor, id int64, p access.Permission) (*registry.Household, error) {
	h, err := scanHousehold(tx.queryRow(ctx, householdSelect+` WHERE h.id = ?`, id))
	if err := reachable(err, a, h.VillageCode, p); err != nil {
		return nil, err
	}
	return &h, nil
}

// reachable turns the outcome of loading an object of village into the
// answer the actor gets. An object outside the actor's read scope is
// reported as not found, so a forged id reveals nothing about whether it
// exists; one the actor may read but not change is forbidden.
func reachable(loadErr error, a *access.Actor, village string, p access.Permission) error {
	switch {
	case errors.Is(loadErr, sql.ErrNoRows):
		return fault.E(fault.NotFound, "error.not_found")
	case loadErr != nil:
		return loadErr
	case !a.Can(access.RegistryRead, village):
		return fault.E(fault.NotFound, "error.not_found")
	case !a.Can(p, village):
		return fault.E(fault.Forbidden, "error.forbidden")
	}
	return nil
}

const householdSelect = `SELECT h.id, h.number, h.village_code, v.name, h.address, COALESCE(h.head_id, 0), COALESCE(hr.name, ''), h.status,
	(SELECT count(*) FROM residents m WHERE m.household_id = h.id AND m.status = '在册'), h.created_at, h.updated_at
	FROM households h JOIN regions v ON v.code = h.village_code LEFT JOIN residents hr ON hr.id = h.head_id`

func scanHousehold(s interface{ Scan(...any) error }) (registry.Household, error) {
	var h registry.Household
	var c, u int64
	err := s.Scan(&h.ID, &h.Number, &h.VillageCode, &h.VillageName, &h.Address, &h.HeadID, &h.HeadName, &h.Status, &h.Members, &c, &u)
	h.CreatedAt, h.UpdatedAt = time.UnixMilli(c), time.UnixMilli(u)
	return h, err
}

// checkVillage verifies that code is an active village-level unit the actor
// may write in.
func (tx *Tx) checkVillage(ctx context.Context, a *access.Actor, code string) error {
	if regioncode.LevelOf(code) != regioncode.Village {
		return fault.OnField(fault.Invalid, "village", "registry.village.not_village")
	}
	if !a.Can(access.RegistryWrite, code) {
		return fault.OnField(fault.Forbidden, "village", "error.forbidden")
	}
	if tx.activeVillages[code] {
		return nil
	}
	r, err := tx.region(ctx, code)
	if err != nil {
		return fault.OnField(fault.Invalid, "village", "registry.village.required")
	}
	if r.Status != region.Active {
		return fault.OnField(fault.Invalid, "village", "registry.village.inactive")
	}
	if tx.activeVillages == nil {
		tx.activeVillages = map[string]bool{}
	}
	tx.activeVillages[code] = true
	return nil
}

// CreateHousehold registers a household with its head.
func (s *RegistryService) CreateHousehold(ctx context.Context, a *access.Actor, in registry.HouseholdInput, head registry.ResidentInput) (*registry.Household, error) {
	in.Normalize()
	now := s.db.Now()
	head.Relation = registry.Head
	head.Normalize(now)
	if err := validateBoth(in, head, now); err != nil {
		return nil, err
	}
	var out registry.Household
	err := s.db.update(ctx, func(tx *Tx) error {
		id, _, err := tx.createHousehold(ctx, a, in, head, "")
		if err != nil {
			return err
		}
		out, err = scanHousehold(tx.queryRow(ctx, householdSelect+` WHERE h.id = ?`, id))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func validateBoth(in registry.HouseholdInput, head registry.ResidentInput, now time.Time) error {
	var all []fault.Field
	for _, err := range []error{in.Validate(), head.Validate(now)} {
		var fe *fault.Error
		if errors.As(err, &fe) {
			all = append(all, fe.Fields...)
		}
	}
	return fault.Fields(all).Err()
}

// createHousehold registers a household with its head and returns the ids
// of both.
func (tx *Tx) createHousehold(ctx context.Context, a *access.Actor, in registry.HouseholdInput, head registry.ResidentInput, reason string) (id, headID int64, err error) {
	if err := tx.checkVillage(ctx, a, in.VillageCode); err != nil {
		return 0, 0, err
	}
	if err := tx.numberFree(ctx, in.VillageCode, in.Number, 0); err != nil {
		return 0, 0, err
	}
	id, err = tx.insertID(ctx, `INSERT INTO households (village_code, number, address, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		in.VillageCode, in.Number, in.Address, registry.HouseholdActive, tx.nowMS(), tx.nowMS())
	if err != nil {
		return 0, 0, err
	}
	if err := tx.householdEvent(ctx, a, id, 0, "", "created", 0, in.Number, reason); err != nil {
		return 0, 0, err
	}
	headID, err = tx.insertResident(ctx, a, id, in.VillageCode, head, reason)
	if err != nil {
		return 0, 0, err
	}
	_, err = tx.exec(ctx, `UPDATE households SET head_id = ? WHERE id = ?`, headID, id)
	return id, headID, err
}

func (tx *Tx) numberFree(ctx context.Context, village, number string, except int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM households WHERE village_code = ? AND number = ? AND id <> ?`, village, number, except).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fault.OnField(fault.Conflict, "number", "registry.number.taken", number)
	}
	return nil
}

// insertResident seals the personal data, checks that the ID number is not
// registered elsewhere, and records the member_added event.
func (tx *Tx) insertResident(ctx context.Context, a *access.Actor, household int64, village string, r registry.ResidentInput, reason string) (int64, error) {
	idHash, err := tx.idFree(ctx, r.IDNumber, 0)
	if err != nil {
		return 0, err
	}
	phoneHash := residentHash(tx.box.Index(purposePhone, r.Phone))
	id, err := tx.insertID(ctx, `INSERT INTO residents (household_id, village_code, name, name_mongol, name_mongol_key, name_mongol_sort, name_sort, name_initials, name_pinyin,
		gender, ethnicity, birth_date, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, relation, political, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		household, village, r.Name, r.NameMongol, mongol.Key(r.NameMongol), mongol.SortKey(r.NameMongol), pinyin.SortKey(r.Name), pinyin.Initials(r.Name), pinyin.Full(r.Name),
		r.Gender, r.Ethnicity, r.BirthDate, tx.box.Seal(purposeID, r.IDNumber), idHash, maskedOrEmpty(r.IDNumber, registry.MaskID),
		tx.box.Seal(purposePhone, r.Phone), phoneHash, maskedOrEmpty(r.Phone, registry.MaskPhone), r.Relation, r.Political,
		registry.Registered, tx.nowMS(), tx.nowMS())
	if err != nil {
		return 0, err
	}
	return id, tx.householdEvent(ctx, a, household, id, r.Name, "member_added", 0, r.Relation, reason)
}

// idFree returns the keyed hash of id and a Conflict if another registered
// resident (other than except) already holds it.
func (tx *Tx) idFree(ctx context.Context, idNumber string, except int64) ([]byte, error) {
	if idNumber == "" {
		return nil, nil
	}
	h := residentHash(tx.box.Index(purposeID, idNumber))
	var number string
	err := tx.queryRow(ctx, `SELECT h.number FROM residents r JOIN households h ON h.id = r.household_id
		WHERE r.id_hash = ? AND r.status = '在册' AND r.id <> ?`, h, except).Scan(&number)
	if err == nil {
		return nil, fault.OnField(fault.Conflict, "id_number", "registry.id.taken", number)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return h, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func maskedOrEmpty(v string, mask func(string) string) string {
	if v == "" {
		return ""
	}
	return mask(v)
}

// UpdateHousehold changes a household's number or address, or moves it to
// another village the actor also writes in; the old values go into its
// history.
func (s *RegistryService) UpdateHousehold(ctx context.Context, a *access.Actor, id int64, in registry.HouseholdInput, reason string) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, id, access.RegistryWrite)
		if err != nil {
			return err
		}
		if h.Status != registry.HouseholdActive {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		var changes []string
		if in.VillageCode != h.VillageCode {
			if err := tx.checkVillage(ctx, a, in.VillageCode); err != nil {
				return err
			}
			changes = append(changes, "村 "+h.VillageName+" → "+in.VillageCode)
		}
		if in.Number != h.Number || in.VillageCode != h.VillageCode {
			if err := tx.numberFree(ctx, in.VillageCode, in.Number, id); err != nil {
				return err
			}
			if in.Number != h.Number {
				changes = append(changes, "户号 "+h.Number+" → "+in.Number)
			}
		}
		if in.Address != h.Address {
			changes = append(changes, "地址 "+h.Address+" → "+in.Address)
		}
		if len(changes) == 0 {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE households SET number = ?, village_code = ?, address = ?, updated_at = ? WHERE id = ?`,
			in.Number, in.VillageCode, in.Address, tx.nowMS(), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE residents SET village_code = ? WHERE household_id = ?`, in.VillageCode, id); err != nil {
			return err
		}
		if in.VillageCode != h.VillageCode {
			if err := tx.gridRelease(ctx, a, id, "moved to "+in.VillageCode); err != nil {
				return err
			}
			if err := tx.moveTotals(ctx, id, h.VillageCode, in.VillageCode); err != nil {
				return err
			}
		}
		return tx.householdEvent(ctx, a, id, 0, "", "updated", 0, strings.Join(changes, "；"), reason)
	})
}

// Household returns a household with its members, registered ones first.
func (s *RegistryService) Household(ctx context.Context, a *access.Actor, id int64) (*registry.Household, []registry.Resident, error) {
	var h *registry.Household
	var members []registry.Resident
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		if h, err = tx.householdFor(ctx, a, id, access.RegistryRead); err != nil {
			return err
		}
		members, err = tx.members(ctx, h)
		return err
	})
	return h, members, err
}

// residentSelect reads residents with their household and village; the
// column list and the joins are kept apart so the full export can add the
// sealed columns.
const (
	residentCols = `r.id, r.household_id, r.name, r.name_mongol, r.gender, r.ethnicity, r.birth_date, r.id_masked, r.phone_masked,
	r.relation, r.political, r.status, r.updated_at, h.number, h.village_code, v.name, h.address`
	residentFrom   = ` FROM residents r JOIN households h ON h.id = r.household_id JOIN regions v ON v.code = h.village_code`
	residentSelect = `SELECT ` + residentCols + residentFrom
)

// scanResident scans residentSelect's columns, then any extra ones.
func scanResident(s interface{ Scan(...any) error }, extra ...any) (registry.ResidentRow, error) {
	var r registry.ResidentRow
	var u int64
	dest := []any{&r.ID, &r.HouseholdID, &r.Name, &r.NameMongol, &r.Gender, &r.Ethnicity, &r.BirthDate, &r.IDMasked, &r.PhoneMasked,
		&r.Relation, &r.Political, &r.Status, &u, &r.HouseholdNumber, &r.VillageCode, &r.VillageName, &r.Address}
	err := s.Scan(append(dest, extra...)...)
	r.UpdatedAt = time.UnixMilli(u)
	return r, err
}

// searchWhere turns a search box entry into a condition on residents r: a
// full ID number by its keyed hash, up to four trailing ID characters by
// the masked column (which keeps the last four), letters by pinyin
// initials or full pinyin, traditional Mongolian by the Mongolian name's
// key (so a name typed with other selectors or look-alike letters is
// found), anything else by name.
func (tx *Tx) searchWhere(q string) (string, []any) {
	q = strings.TrimSpace(q)
	upper := registry.NormalizeID(q)
	switch {
	case q == "":
		return "", nil
	case len(upper) == 18 && registry.IDProblem(upper, tx.now) == "":
		return "r.id_hash = ?", []any{residentHash(tx.box.Index(purposeID, upper))}
	case isAll(q, func(r rune) bool { return unicode.IsDigit(r) || r == 'x' || r == 'X' }) && len(q) <= 4:
		return "r.id_masked LIKE ?", []any{"%" + upper}
	case isAll(q, func(r rune) bool { return r < 128 && unicode.IsLetter(r) }):
		l := strings.ToLower(q)
		return "(r.name_initials LIKE ? OR r.name_pinyin LIKE ?)", []any{l + "%", l + "%"}
	case mongol.Has(q):
		return "r.name_mongol_key LIKE ?", []any{"%" + mongol.Key(q) + "%"}
	default:
		return "r.name LIKE ? ESCAPE '\\'", []any{"%" + likeEscape(q) + "%"}
	}
}

func isAll(s string, f func(rune) bool) bool {
	for _, r := range s {
		if !f(r) {
			return false
		}
	}
	return s != ""
}

// listScope restricts a list to the actor's read scopes and, optionally,
// to one region inside them.
func listScope(a *access.Actor, col, regionCode string) (string, []any, error) {
	scopes := a.Scopes(access.RegistryRead)
	if len(scopes) == 0 {
		// Someone who may read no register at all is refused outright,
		// rather than shown an empty list that hides the refusal.
		return "", nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	where, args := scopeWhere(col, scopes)
	if regionCode != "" {
		if err := readable(a, regionCode); err != nil {
			return "", nil, err
		}
		lo, hi := regioncode.Range(regionCode)
		where += " AND " + col + " >= ? AND " + col + " < ?"
		args = append(args, lo, hi)
	}
	return where, args, nil
}

func clampPage(offset, limit int) (int, int) {
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	return max(offset, 0), limit
}

// Households lists households in the actor's scope, ordered by the head's
// name in pinyin order, with the total for the pager.
func (s *RegistryService) Households(ctx context.Context, a *access.Actor, f registry.ListFilter) ([]registry.Household, int, error) {
	offset, limit := clampPage(f.Offset, f.Limit)
	var out []registry.Household
	total := 0
	err := s.db.view(ctx, func(tx *Tx) error {
		where, args, err := listScope(a, "h.village_code", f.Region)
		if err != nil {
			return err
		}
		if f.Status != "" {
			where += " AND h.status = ?"
			args = append(args, f.Status)
		}
		// A 户号 is found whole or by its beginning (HH finds HH0012), and
		// an exact 户号 ranks first, then 户号 beginning with the entry,
		// then matches on the members.
		var rank string
		var rankArgs []any
		if cond, cargs := tx.searchWhere(f.Query); cond != "" {
			q := strings.TrimSpace(f.Query)
			prefix := likeEscape(q) + "%"
			where += " AND (h.number LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND " + cond + "))"
			args = append(append(args, prefix), cargs...)
			rank, rankArgs = `CASE WHEN h.number = ? THEN 0 WHEN h.number LIKE ? ESCAPE '\' THEN 1 ELSE 2 END, `, []any{q, prefix}
		}
		if err := tx.queryRow(ctx, `SELECT count(*) FROM households h WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		order := `h.village_code, COALESCE(hr.name_sort, ''), h.number`
		if f.ByNumber {
			order = `h.village_code, length(h.number), h.number`
		}
		found, err := queryAll(ctx, tx, scanHousehold, householdSelect+` WHERE `+where+fmt.Sprintf(` ORDER BY %s%s LIMIT %d OFFSET %d`, rank, order, limit, offset), append(args, rankArgs...)...)
		out = found
		return err
	})
	return out, total, err
}

// History lists a household's events, newest first.
func (s *RegistryService) History(ctx context.Context, a *access.Actor, id int64) ([]registry.Event, error) {
	var out []registry.Event
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.householdFor(ctx, a, id, access.RegistryRead); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT e.id, e.household_id, e.resident_id, e.resident_name, e.kind, e.other_id, COALESCE(o.number, ''), e.detail, e.reason, e.actor_name, e.at
			FROM household_events e LEFT JOIN households o ON o.id = e.other_id WHERE e.household_id = ? ORDER BY e.id DESC`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e registry.Event
			var at int64
			if err := rows.Scan(&e.ID, &e.HouseholdID, &e.ResidentID, &e.Resident, &e.Kind, &e.OtherID, &e.OtherNumber, &e.Detail, &e.Reason, &e.Actor, &at); err != nil {
				return err
			}
			e.At = time.UnixMilli(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// members lists a household's members, registered ones first, the head
// first among them.
func (tx *Tx) members(ctx context.Context, h *registry.Household) ([]registry.Resident, error) {
	rows, err := tx.query(ctx, residentSelect+` WHERE r.household_id = ? ORDER BY CASE WHEN r.status = '在册' THEN 0 ELSE 1 END, CASE WHEN r.id = ? THEN 0 ELSE 1 END, r.birth_date, r.id`, h.ID, h.HeadID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.Resident
	for rows.Next() {
		r, err := scanResident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r.Resident)
	}
	return out, rows.Err()
}

// OwnHousehold returns a villager's own household, read-only.
func (s *RegistryService) OwnHousehold(ctx context.Context, a *access.Actor) (*registry.Household, []registry.Resident, error) {
	return s.householdWhere(ctx, `h.id = ?`, a.Household(), func(h *registry.Household) bool { return a.Can(access.OwnHousehold, h.VillageCode) })
}

// householdWhere loads the one household cond selects, with its members,
// if allowed says the caller may see it.
func (s *RegistryService) householdWhere(ctx context.Context, cond string, arg any, allowed func(*registry.Household) bool) (*registry.Household, []registry.Resident, error) {
	var h registry.Household
	var ms []registry.Resident
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		h, err = scanHousehold(tx.queryRow(ctx, householdSelect+` WHERE `+cond, arg))
		if errors.Is(err, sql.ErrNoRows) || err == nil && !allowed(&h) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		ms, err = tx.members(ctx, &h)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &h, ms, nil
}

// CardToken returns the household card's token, making it on first use.
func (s *RegistryService) CardToken(ctx context.Context, a *access.Actor, id int64) (string, error) {
	var token string
	err := s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.householdFor(ctx, a, id, access.RegistryWrite); err != nil {
			return err
		}
		var cur sql.NullString
		if err := tx.queryRow(ctx, `SELECT card_token FROM households WHERE id = ?`, id).Scan(&cur); err != nil {
			return err
		}
		if cur.Valid {
			token = cur.String
			return nil
		}
		// 128 random bits: the card carries no personal data, and the
		// token cannot be guessed from anything printed beside it.
		token = newToken()[:22]
		if _, err := tx.exec(ctx, `UPDATE households SET card_token = ? WHERE id = ?`, token, id); err != nil {
			return err
		}
		return tx.householdEvent(ctx, a, id, 0, "", "card", 0, "", "")
	})
	return token, err
}

// CardHousehold opens a household by its card token; whoever holds the
// card may see it.
func (s *RegistryService) CardHousehold(ctx context.Context, token string) (*registry.Household, []registry.Resident, error) {
	return s.householdWhere(ctx, `h.card_token = ? AND h.status = '在册'`, token, func(*registry.Household) bool { return true })
}
