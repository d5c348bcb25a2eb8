package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/mongol"
	"shanzhi/internal/pinyin"
	"shanzhi/internal/registry"
)

// residentFor loads a resident's row and checks p over its village, with
// the same not-found-for-foreign rule as householdFor.
func (tx *Tx) residentFor(ctx context.Context, a *access.Actor, id int64, p access.Permission) (*registry.ResidentRow, error) {
	r, err := scanResident(tx.queryRow(ctx, residentSelect+` WHERE r.id = ?`, id))
	if err := reachable(err, a, r.VillageCode, p); err != nil {
		return nil, err
	}
	return &r, nil
}

// relationFields checks a reason and a relation to a head, the two inputs
// every membership change takes.
func relationFields(relation, reason string) error {
	var fs fault.Fields
	checkReason(&fs, reason)
	if relation == registry.Head || !registry.ValidRelation(relation) {
		fs.Add("relation", "registry.relation.invalid")
	}
	return fs.Err()
}

func requireReason(reason string) error {
	var fs fault.Fields
	checkReason(&fs, reason)
	return fs.Err()
}

// AddResident adds a member to an active household. A second head is
// refused: the head changes only through ChangeHead.
func (s *RegistryService) AddResident(ctx context.Context, a *access.Actor, household int64, in registry.ResidentInput, reason string) (*registry.Resident, error) {
	in.Normalize(s.db.Now())
	if err := in.Validate(s.db.Now()); err != nil {
		return nil, err
	}
	if in.Relation == registry.Head {
		return nil, fault.OnField(fault.Invalid, "relation", "registry.relation.head_taken")
	}
	var out *registry.Resident
	err := s.db.update(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, household, access.RegistryWrite)
		if err != nil {
			return err
		}
		if h.Status != registry.HouseholdActive {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		id, err := tx.insertResident(ctx, a, household, h.VillageCode, in, reason)
		if err != nil {
			return err
		}
		r, err := tx.residentFor(ctx, a, id, access.RegistryRead)
		if err == nil {
			out = &r.Resident
		}
		return err
	})
	return out, err
}

// UpdateResident corrects a resident's details. The history names the
// fields that changed but not their values, so an ID number never lands in
// a history line in clear.
func (s *RegistryService) UpdateResident(ctx context.Context, a *access.Actor, id int64, in registry.ResidentInput, reason string) error {
	now := s.db.Now()
	in.Normalize(now)
	if err := in.Validate(now); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.residentFor(ctx, a, id, access.RegistryWrite)
		if err != nil {
			return err
		}
		_, err = tx.updateResident(ctx, a, cur, in, reason)
		return err
	})
}

// updateResident writes corrected details of a registered resident and
// reports whether anything changed; in must be normalised and valid.
func (tx *Tx) updateResident(ctx context.Context, a *access.Actor, cur *registry.ResidentRow, in registry.ResidentInput, reason string) (bool, error) {
	id := cur.ID
	if cur.Status != registry.Registered {
		return false, fault.E(fault.Conflict, "registry.resident.not_registered")
	}
	var headID int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(head_id, 0) FROM households WHERE id = ?`, cur.HouseholdID).Scan(&headID); err != nil {
		return false, err
	}
	if (headID == id) != (in.Relation == registry.Head) {
		return false, fault.OnField(fault.Invalid, "relation", "registry.relation.head_taken")
	}
	plainID, plainPhone, err := tx.openPersonal(ctx, id)
	if err != nil {
		return false, err
	}
	if in.KeepIDNumber {
		in.IDNumber = plainID
	}
	if in.KeepPhone {
		in.Phone = plainPhone
	}
	if in.KeepIDNumber || in.KeepPhone {
		// The kept ID number must still agree with the edited birth date
		// and gender.
		if err := in.Validate(tx.now); err != nil {
			return false, err
		}
	}
	var changed []string
	for _, c := range []struct {
		label    string
		old, new string
	}{
		{"姓名", cur.Name, in.Name}, {"蒙古文姓名", cur.NameMongol, in.NameMongol}, {"性别", string(cur.Gender), string(in.Gender)},
		{"民族", cur.Ethnicity, in.Ethnicity}, {"出生日期", cur.BirthDate, in.BirthDate}, {"身份证号", plainID, in.IDNumber},
		{"手机号", plainPhone, in.Phone}, {"与户主关系", cur.Relation, in.Relation}, {"政治面貌", cur.Political, in.Political},
	} {
		if c.old != c.new {
			changed = append(changed, c.label)
		}
	}
	if len(changed) == 0 {
		return false, nil
	}
	idHash, err := tx.idFree(ctx, in.IDNumber, id)
	if err != nil {
		return false, err
	}
	if _, err := tx.exec(ctx, `UPDATE residents SET name = ?, name_mongol = ?, name_mongol_key = ?, name_mongol_sort = ?, name_sort = ?, name_initials = ?, name_pinyin = ?, gender = ?, ethnicity = ?,
		birth_date = ?, id_enc = ?, id_hash = ?, id_masked = ?, phone_enc = ?, phone_hash = ?, phone_masked = ?, relation = ?, political = ?, updated_at = ? WHERE id = ?`,
		in.Name, in.NameMongol, mongol.Key(in.NameMongol), mongol.SortKey(in.NameMongol), pinyin.SortKey(in.Name), pinyin.Initials(in.Name), pinyin.Full(in.Name), in.Gender, in.Ethnicity, in.BirthDate,
		tx.box.Seal(purposeID, in.IDNumber), idHash, maskedOrEmpty(in.IDNumber, registry.MaskID),
		tx.box.Seal(purposePhone, in.Phone), residentHash(tx.box.Index(purposePhone, in.Phone)), maskedOrEmpty(in.Phone, registry.MaskPhone),
		in.Relation, in.Political, tx.nowMS(), id); err != nil {
		return false, err
	}
	return true, tx.householdEvent(ctx, a, cur.HouseholdID, id, in.Name, "member_updated", 0, strings.Join(changed, "、"), reason)
}

// openPersonal decrypts a resident's ID number and phone inside the store,
// for comparisons that must not leave it.
func (tx *Tx) openPersonal(ctx context.Context, id int64) (idNumber, phone string, err error) {
	var idEnc, phoneEnc []byte
	if err := tx.queryRow(ctx, `SELECT id_enc, phone_enc FROM residents WHERE id = ?`, id).Scan(&idEnc, &phoneEnc); err != nil {
		return "", "", err
	}
	return tx.openSealed(idEnc, phoneEnc)
}

// Resident returns one resident with masked personal data.
func (s *RegistryService) Resident(ctx context.Context, a *access.Actor, id int64) (*registry.Resident, error) {
	var out *registry.Resident
	err := s.db.view(ctx, func(tx *Tx) error {
		r, err := tx.residentFor(ctx, a, id, access.RegistryRead)
		if err == nil {
			out = &r.Resident
		}
		return err
	})
	return out, err
}

func (tx *Tx) residentWhere(a *access.Actor, f registry.ResidentFilter) (string, []any, error) {
	where, args, err := listScope(a, "r.village_code", f.Region)
	if err != nil {
		return "", nil, err
	}
	if f.Status != "" {
		where += " AND r.status = ?"
		args = append(args, f.Status)
	}
	if cond, cargs := tx.searchWhere(f.Query); cond != "" {
		where += " AND " + cond
		args = append(args, cargs...)
	}
	return where, args, nil
}

// Residents lists residents in pinyin order of their names, per village.
func (s *RegistryService) Residents(ctx context.Context, a *access.Actor, f registry.ResidentFilter) ([]registry.ResidentRow, int, error) {
	offset, limit := clampPage(f.Offset, f.Limit)
	var out []registry.ResidentRow
	total := 0
	err := s.db.view(ctx, func(tx *Tx) error {
		where, args, err := tx.residentWhere(a, f)
		if err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT count(*) FROM residents r WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		// A list in Mongolian order puts the names recorded in Mongolian
		// first, in the alphabet's order (mongol.SortKey), and the rest by
		// their pinyin as usual.
		order := `r.village_code, r.name_sort, r.id`
		if f.MongolOrder {
			order = `r.village_code, r.name_mongol_sort = '', r.name_mongol_sort, r.name_sort, r.id`
		}
		rows, err := tx.query(ctx, residentSelect+` WHERE `+where+fmt.Sprintf(` ORDER BY %s LIMIT %d OFFSET %d`, order, limit, offset), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanResident(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, total, err
}

// ExportResidents streams residents in register order: village, household
// number, head first, then by birth date. The audit entry is written
// first, so an export that fails half-way is still on record.
func (s *RegistryService) ExportResidents(ctx context.Context, a *access.Actor, f registry.ResidentFilter, full bool, reason string, fn func(registry.ResidentRow) error) error {
	if f.Region != "" {
		if err := readable(a, f.Region); err != nil {
			return err
		}
	}
	action, detail := "registry.export", "q="+f.Query+" masked"
	if full {
		if f.Region == "" || !a.Can(access.ExportFull, f.Region) {
			return fault.E(fault.Forbidden, "error.forbidden")
		}
		if err := requireReason(reason); err != nil {
			return err
		}
		action, detail = "registry.export_full", "q="+f.Query+" reason="+strings.TrimSpace(reason)
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, a, auditEntry{action: action, target: "residents", region: f.Region, detail: detail})
	})
	if err != nil {
		return err
	}
	return s.db.view(ctx, func(tx *Tx) error {
		where, args, err := tx.residentWhere(a, f)
		if err != nil {
			return err
		}
		rows, err := tx.query(ctx, residentSelectSealed+` WHERE `+where+` ORDER BY h.village_code, h.number, CASE WHEN r.id = h.head_id THEN 0 ELSE 1 END, r.birth_date, r.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanSealed(rows)
			if err != nil {
				return err
			}
			if full {
				// Decrypting through a second query would need a second
				// connection inside the snapshot; the sealed columns come
				// with the row instead.
				if r.IDNumber, r.Phone, err = tx.openSealed(r.idEnc, r.phoneEnc); err != nil {
					return err
				}
			}
			if err := fn(r.ResidentRow); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// SetResidentStatus records that a resident moved away or died. The head
// must be replaced first so a household is never without one.
func (s *RegistryService) SetResidentStatus(ctx context.Context, a *access.Actor, id int64, st registry.ResidentStatus, reason string) error {
	if st != registry.MovedOut && st != registry.Deceased {
		return fault.OnField(fault.Invalid, "status", "registry.status.invalid")
	}
	if err := requireReason(reason); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.residentFor(ctx, a, id, access.RegistryWrite)
		if err != nil {
			return err
		}
		if r.Status != registry.Registered {
			return fault.E(fault.Conflict, "registry.resident.not_registered")
		}
		if err := tx.notHead(ctx, r.HouseholdID, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE residents SET status = ?, updated_at = ? WHERE id = ?`, st, tx.nowMS(), id); err != nil {
			return err
		}
		return tx.householdEvent(ctx, a, r.HouseholdID, id, r.Name, "status", 0, string(st), reason)
	})
}

func (tx *Tx) notHead(ctx context.Context, household, resident int64) error {
	var head int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(head_id, 0) FROM households WHERE id = ?`, household).Scan(&head); err != nil {
		return err
	}
	if head == resident {
		return fault.E(fault.Conflict, "registry.resident.is_head")
	}
	return nil
}

// moveMember moves one registered resident into another household, with
// an event on both sides.
func (tx *Tx) moveMember(ctx context.Context, a *access.Actor, r *registry.ResidentRow, to *registry.Household, relation, kindOut, kindIn, reason string) error {
	if _, err := tx.exec(ctx, `UPDATE residents SET household_id = ?, village_code = ?, relation = ?, updated_at = ? WHERE id = ?`,
		to.ID, to.VillageCode, relation, tx.nowMS(), r.ID); err != nil {
		return err
	}
	if err := tx.householdEvent(ctx, a, r.HouseholdID, r.ID, r.Name, kindOut, to.ID, r.Relation, reason); err != nil {
		return err
	}
	if err := tx.householdEvent(ctx, a, to.ID, r.ID, r.Name, kindIn, r.HouseholdID, relation, reason); err != nil {
		return err
	}
	// A party member who moves out of their grid leaves its net.
	return tx.netFollow(ctx, a, `r.id = ?`, r.ID, fmt.Sprintf("%s → household:%d", kindOut, to.ID))
}

// MoveResident moves a registered member (not the head) into another
// active household with a new relation to its head.
func (s *RegistryService) MoveResident(ctx context.Context, a *access.Actor, id, to int64, relation, reason string) error {
	if err := relationFields(relation, reason); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.residentFor(ctx, a, id, access.RegistryWrite)
		if err != nil {
			return err
		}
		if r.Status != registry.Registered {
			return fault.E(fault.Conflict, "registry.resident.not_registered")
		}
		if r.HouseholdID == to {
			return fault.E(fault.Invalid, "registry.resident.same_household")
		}
		if err := tx.notHead(ctx, r.HouseholdID, id); err != nil {
			return err
		}
		dest, err := tx.householdFor(ctx, a, to, access.RegistryWrite)
		if err != nil {
			return err
		}
		if dest.Status != registry.HouseholdActive {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		return tx.moveMember(ctx, a, r, dest, relation, "moved_out", "moved_in", reason)
	})
}

// ChangeHead makes a registered member the head; the former head stays a
// member with the relation given.
func (s *RegistryService) ChangeHead(ctx context.Context, a *access.Actor, household, resident int64, oldHeadRelation, reason string) error {
	if err := relationFields(oldHeadRelation, reason); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, household, access.RegistryWrite)
		if err != nil {
			return err
		}
		if h.Status != registry.HouseholdActive {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		r, err := tx.residentFor(ctx, a, resident, access.RegistryWrite)
		if err != nil {
			return err
		}
		if r.HouseholdID != household || r.Status != registry.Registered {
			return fault.E(fault.Conflict, "registry.resident.not_registered")
		}
		if h.HeadID == resident {
			return nil
		}
		if h.HeadID != 0 {
			if _, err := tx.exec(ctx, `UPDATE residents SET relation = ?, updated_at = ? WHERE id = ?`, oldHeadRelation, tx.nowMS(), h.HeadID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE residents SET relation = ?, updated_at = ? WHERE id = ?`, registry.Head, tx.nowMS(), resident); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE households SET head_id = ?, updated_at = ? WHERE id = ?`, resident, tx.nowMS(), household); err != nil {
			return err
		}
		return tx.householdEvent(ctx, a, household, resident, r.Name, "head_changed", 0, h.HeadName+" → "+r.Name, reason)
	})
}

// SplitHousehold moves the chosen members out into a new household in the
// same village, headed by one of them.
func (s *RegistryService) SplitHousehold(ctx context.Context, a *access.Actor, sp registry.Split) (*registry.Household, error) {
	in := registry.HouseholdInput{Number: sp.Number, Address: sp.Address}
	in.Normalize()
	var fs fault.Fields
	checkReason(&fs, sp.Reason)
	if len(sp.Members) == 0 {
		fs.Add("members", "registry.split.members")
	}
	if !slices.Contains(sp.Members, sp.NewHead) {
		fs.Add("head", "registry.split.head")
	}
	for _, m := range sp.Members {
		if rel := sp.Relations[m]; m != sp.NewHead && (rel == registry.Head || !registry.ValidRelation(rel)) {
			fs.Add(fmt.Sprintf("relation_%d", m), "registry.relation.invalid")
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	var out *registry.Household
	err := s.db.update(ctx, func(tx *Tx) error {
		from, err := tx.householdFor(ctx, a, sp.From, access.RegistryWrite)
		if err != nil {
			return err
		}
		if from.Status != registry.HouseholdActive {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		if len(sp.Members) >= from.Members || slices.Contains(sp.Members, from.HeadID) {
			return fault.OnField(fault.Invalid, "members", "registry.split.members")
		}
		in.VillageCode = from.VillageCode
		if in.Address == "" {
			in.Address = from.Address
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if err := tx.numberFree(ctx, in.VillageCode, in.Number, 0); err != nil {
			return err
		}
		id, err := tx.insertID(ctx, `INSERT INTO households (village_code, number, address, head_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.VillageCode, in.Number, in.Address, sp.NewHead, registry.HouseholdActive, tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		dest := &registry.Household{ID: id, VillageCode: in.VillageCode}
		if err := tx.householdEvent(ctx, a, id, 0, "", "split_into", from.ID, in.Number, sp.Reason); err != nil {
			return err
		}
		if err := tx.gridFollowSplit(ctx, a, from.ID, id); err != nil {
			return err
		}
		for _, m := range sp.Members {
			r, err := tx.residentFor(ctx, a, m, access.RegistryWrite)
			if err != nil {
				return err
			}
			if r.HouseholdID != from.ID || r.Status != registry.Registered {
				return fault.OnField(fault.Invalid, "members", "registry.resident.not_registered")
			}
			rel := sp.Relations[m]
			if m == sp.NewHead {
				rel = registry.Head
			}
			if err := tx.moveMember(ctx, a, r, dest, rel, "split_from", "moved_in", sp.Reason); err != nil {
				return err
			}
		}
		// The points stay with the old household unless the split records
		// a share for the new one.
		if sp.Points > 0 {
			if err := tx.transferPoints(ctx, a, from.ID, id, sp.Points, fmt.Sprintf("split:%d>%d", from.ID, id)); err != nil {
				return err
			}
		}
		h, err := scanHousehold(tx.queryRow(ctx, householdSelect+` WHERE h.id = ?`, id))
		out = &h
		return err
	})
	return out, err
}

// MergeHouseholds moves every registered member of from into into (the
// head of from joins as 其他 unless later corrected) and closes from as
// merged. Both must be in one village: a move between villages is a
// migration, recorded member by member.
func (s *RegistryService) MergeHouseholds(ctx context.Context, a *access.Actor, from, into int64, reason string) error {
	if err := requireReason(reason); err != nil {
		return err
	}
	if from == into {
		return fault.E(fault.Invalid, "registry.household.same")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		f, err := tx.householdFor(ctx, a, from, access.RegistryWrite)
		if err != nil {
			return err
		}
		t, err := tx.householdFor(ctx, a, into, access.RegistryWrite)
		if err != nil {
			return err
		}
		if f.Status != registry.HouseholdActive || t.Status != registry.HouseholdActive {
			return fault.E(fault.Conflict, "registry.household.inactive")
		}
		if f.VillageCode != t.VillageCode {
			return fault.E(fault.Invalid, "registry.household.other_village")
		}
		ids, err := tx.ids(ctx, `SELECT id FROM residents WHERE household_id = ? AND status = '在册' ORDER BY id`, from)
		if err != nil {
			return err
		}
		for _, id := range ids {
			r, err := tx.residentFor(ctx, a, id, access.RegistryWrite)
			if err != nil {
				return err
			}
			rel := r.Relation
			if rel == registry.Head {
				rel = "其他"
			}
			if err := tx.moveMember(ctx, a, r, t, rel, "merged_into", "merged_from", reason); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE households SET status = ?, head_id = NULL, updated_at = ? WHERE id = ?`, registry.HouseholdMerged, tx.nowMS(), from); err != nil {
			return err
		}
		if err := tx.gridRelease(ctx, a, from, "merged"); err != nil {
			return err
		}
		// The rule for points: they stay with the household, so a merged
		// household's balance goes with it into the receiving one.
		bal, err := tx.balanceOf(ctx, from)
		if err != nil {
			return err
		}
		if err := tx.transferPoints(ctx, a, from, into, bal, fmt.Sprintf("merge:%d>%d", from, into)); err != nil {
			return err
		}
		return tx.householdEvent(ctx, a, from, 0, "", "merged_into", into, t.Number, reason)
	})
}

// CountResidents counts every resident row, whatever the status; the
// command line uses it to refuse a fresh key over existing sealed data.
func (db *DB) CountResidents(ctx context.Context) (int, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT count(*) FROM residents`).Scan(&n)
	})
	return n, err
}

// residentSelectSealed is residentSelect with the sealed columns, for the
// full export, which opens them row by row inside its snapshot.
const residentSelectSealed = `SELECT ` + residentCols + `, r.id_enc, r.phone_enc` + residentFrom

type sealedRow struct {
	registry.ResidentRow
	idEnc, phoneEnc []byte
}

func scanSealed(s interface{ Scan(...any) error }) (sealedRow, error) {
	var r sealedRow
	var err error
	r.ResidentRow, err = scanResident(s, &r.idEnc, &r.phoneEnc)
	return r, err
}

// openSealed decrypts a resident's sealed ID number and phone.
func (tx *Tx) openSealed(idEnc, phoneEnc []byte) (string, string, error) {
	id, err := tx.box.Open(purposeID, idEnc)
	if err != nil {
		return "", "", fmt.Errorf("open id: %w", err)
	}
	phone, err := tx.box.Open(purposePhone, phoneEnc)
	if err != nil {
		return "", "", fmt.Errorf("open phone: %w", err)
	}
	return id, phone, nil
}

// Reveal returns a resident's full ID number and phone to an actor with
// the permission, for the stated reason, and records both in the audit
// trail within the same transaction: no reveal goes unrecorded.
func (s *RegistryService) Reveal(ctx context.Context, a *access.Actor, id int64, reason string) (string, string, error) {
	if err := requireReason(reason); err != nil {
		return "", "", err
	}
	var idNumber, phone string
	err := s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.residentFor(ctx, a, id, access.PersonalReveal)
		if err != nil {
			return err
		}
		if idNumber, phone, err = tx.openPersonal(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "personal.reveal", target: fmt.Sprintf("resident:%d", id), region: r.VillageCode, detail: strings.TrimSpace(reason)})
	})
	return idNumber, phone, err
}
