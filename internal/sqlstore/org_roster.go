package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/org"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

var _ org.Members = (*OrgService)(nil)

// purposeRoster keys the hash of an imported roster row. After the index
// key is rotated every stored hash differs from a fresh one, so the next
// import rewrites its rows once: harmless, and no second hash to rotate.
const purposeRoster = "member-roster-row"

// rosterChunk is how many ID hashes one lookup of an import asks for, and
// how many new members one INSERT writes: well inside both engines'
// limits on bound parameters.
const rosterChunk = 400

// rosterBranch is a branch a roster row may name: its name is looked up
// among the active member-holding organisations the actor manages.
type rosterBranch struct {
	id   int64
	home string
	n    int // how many organisations carry the name
}

// rosterPlaces loads what the rows of an import under region name: the
// branches by name and the units by name and credit code.
func (tx *Tx) rosterPlaces(ctx context.Context, a *access.Actor, scopes []string) (map[string]*rosterBranch, map[string]int64, error) {
	where, args := scopeWhere("home_code", scopes)
	rows, err := tx.query(ctx, `SELECT id, home_code, name, kind FROM org_orgs WHERE status = 'active' AND `+where, args...)
	if err != nil {
		return nil, nil, err
	}
	branches := map[string]*rosterBranch{}
	for rows.Next() {
		var b rosterBranch
		var name string
		var kind org.Kind
		if err := rows.Scan(&b.id, &b.home, &name, &kind); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if !kind.HoldsMembers() || !org.CanManage(a, b.home) {
			continue
		}
		if old := branches[name]; old != nil {
			old.n++
			continue
		}
		b.n = 1
		branches[name] = &b
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	where, args = scopeWhere("region_code", scopes)
	rows, err = tx.query(ctx, `SELECT id, name, credit_code FROM org_units WHERE `+where, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	units := map[string]int64{}
	for rows.Next() {
		var id int64
		var name, code string
		if err := rows.Scan(&id, &name, &code); err != nil {
			return nil, nil, err
		}
		// A name two units share is no name to find one by: the row must
		// give the credit code.
		if _, twice := units[name]; twice {
			units[name] = 0
		} else {
			units[name] = id
		}
		if code != "" {
			units[code] = id
		}
	}
	return branches, units, rows.Err()
}

// rosterHeld is a member an import matched by ID number.
type rosterHeld struct {
	id         int64
	branch     int64
	branchName string
	home       string
	rosterHash string
	open       bool // a transfer is on its way
}

// rosterMatches looks up, by keyed hash, the members the rows' ID numbers
// already name.
func (tx *Tx) rosterMatches(ctx context.Context, hashes []string) (map[string]rosterHeld, error) {
	return byHash(ctx, tx, hashes, func(h string) any { return h }, `SELECT m.id_hash, m.id, m.branch_id, o.name, o.home_code, m.roster_hash,
			EXISTS (SELECT 1 FROM org_transfers t WHERE t.member_id = m.id AND t.open IS NOT NULL)
			FROM org_members m JOIN org_orgs o ON o.id = m.branch_id WHERE m.id_hash IN `,
		func(s interface{ Scan(...any) error }, h *string, m *rosterHeld) error {
			return s.Scan(h, &m.id, &m.branch, &m.branchName, &m.home, &m.rosterHash, &m.open)
		})
}

// byHash runs a query whose last condition is "… IN " over the keyed
// hashes, rosterChunk at a time (a league's roster is 100,000 of them),
// each as stored turns it into what its table keeps, and keys what scan
// reads by the hash it reads first, in hex.
func byHash[T any](ctx context.Context, tx *Tx, hashes []string, stored func(string) any, query string,
	scan func(s interface{ Scan(...any) error }, h *string, v *T) error) (map[string]T, error) {
	type keyed struct {
		h string
		v T
	}
	out := make(map[string]T, len(hashes))
	for len(hashes) > 0 {
		n := min(len(hashes), rosterChunk)
		args := make([]any, n)
		for i, h := range hashes[:n] {
			args[i] = stored(h)
		}
		rows, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (keyed, error) {
			var k keyed
			err := scan(s, &k.h, &k.v)
			return k, err
		}, query+`(`+strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, k := range rows {
			out[k.h] = k.v
		}
		hashes = hashes[n:]
	}
	return out, nil
}

// rosterRowHash is the keyed hash of what a row says, so a row sent again
// unchanged is recognised without opening the sealed values on file.
func (tx *Tx) rosterRowHash(in org.MemberInput) string {
	return tx.box.Index(purposeRoster, strings.Join([]string{in.Name, in.Gender, in.IDNumber, in.Ethnicity, in.Birth, in.Education, in.Probation,
		in.Full, in.Job, in.Phone, in.Residence, fmt.Sprint(in.Branch), fmt.Sprint(in.WorkUnit), in.Applied}, "\x1f"))
}

// ImportRoster checks the rows of a national roster export and, when
// commit is set, writes the rows that pass in one transaction: a member
// new to the register is created, one whose row changed is updated (the
// branch only where the sheet agrees with the register: a member in
// another branch is refused, since only a transfer moves a membership),
// one sent again unchanged is left alone. The run is audited once, with
// its counts.
func (s *OrgService) ImportRoster(ctx context.Context, a *access.Actor, region string, rows []org.RosterRow, commit bool) ([]org.RosterRow, org.RosterSummary, error) {
	var sum org.RosterSummary
	if len(rows) > org.MaxRosterRows {
		return nil, sum, fault.E(fault.Invalid, "org.roster.too_many", org.MaxRosterRows)
	}
	scopes, err := orgScopes(a, access.OrgManage, region)
	if err != nil {
		return nil, sum, err
	}
	// The rows are worked on in place: a league's roster is 100,000 of
	// them, and a copy would double what an import holds.
	out := rows
	run := s.db.view
	if commit {
		run = s.db.update
	}
	err = run(ctx, func(tx *Tx) error {
		sum = org.RosterSummary{}
		branches, units, err := tx.rosterPlaces(ctx, a, scopes)
		if err != nil {
			return err
		}
		hashes := make([]string, len(out))
		for i := range out {
			r := &out[i]
			if r.Err != nil {
				continue // refused by the sheet's reader
			}
			r.Normalize()
			r.Err = rosterRowCheck(r, branches, units, tx)
			if r.Err == nil {
				hashes[i] = tx.box.Index(purposeID, r.Input.IDNumber)
			}
		}
		var wanted []string
		for _, h := range hashes {
			if h != "" {
				wanted = append(wanted, h)
			}
		}
		held, err := tx.rosterMatches(ctx, wanted)
		if err != nil {
			return err
		}
		residents, err := tx.rosterResidents(ctx, wanted)
		if err != nil {
			return err
		}
		seen := map[string]int{}
		var fresh []any
		var freshAt []int
		const width = 21
		// New members are written rosterChunk at a time as the rows are
		// gone through, so an import never holds a league's inserts at once.
		flush := func() error {
			if len(freshAt) == 0 {
				return nil
			}
			ids, err := tx.ids(ctx, `INSERT INTO org_members (branch_id, resident_id, name, gender, id_enc, id_hash, id_masked, phone_enc, phone_masked,
				applied, probation, full_date, ethnicity, birth_date, education, job, residence, work_unit_id, roster_hash, created_at, updated_at)
				VALUES `+placeholders(len(freshAt), width)+` RETURNING id`, fresh...)
			if isUniqueViolation(err) {
				return fault.E(fault.Conflict, "org.roster.raced")
			}
			if err != nil {
				return err
			}
			// Both engines return the ids of a multi-row INSERT in the
			// order of its VALUES, which is the sheet's.
			for k, id := range ids {
				out[freshAt[k]].Member = id
			}
			fresh, freshAt = fresh[:0], freshAt[:0]
			return nil
		}
		for i := range out {
			r := &out[i]
			if r.Err != nil {
				sum.Refused++
				continue
			}
			h := hashes[i]
			if line, ok := seen[h]; ok {
				r.Err = fault.OnField(fault.Conflict, "id_number", "org.roster.id_twice", line)
				sum.Refused++
				continue
			}
			seen[h] = r.Line
			rowHash := tx.rosterRowHash(r.Input)
			m, ok := held[h]
			res := residents[h]
			if res.member != 0 && (!ok || res.member != m.id) {
				// The resident is already another member's: the row goes
				// in unlinked rather than taking them over.
				res.id = 0
			}
			switch {
			case !ok:
				r.Outcome = org.RosterNew
				sum.New++
				if commit {
					fresh = append(fresh, r.Input.Branch, nullable64(res.id), r.Input.Name, r.Input.Gender, tx.box.Seal(purposeID, r.Input.IDNumber), h,
						maskedOrEmpty(r.Input.IDNumber, registry.MaskID), tx.box.Seal(purposePhone, r.Input.Phone), maskedOrEmpty(r.Input.Phone, registry.MaskPhone),
						r.Input.Applied, r.Input.Probation, r.Input.Full, r.Input.Ethnicity, r.Input.Birth, r.Input.Education, r.Input.Job, r.Input.Residence,
						nullable64(r.Input.WorkUnit), rowHash, tx.nowMS(), tx.nowMS())
					freshAt = append(freshAt, i)
					if len(freshAt) == rosterChunk {
						if err := flush(); err != nil {
							return err
						}
					}
				}
			case m.branch != r.Input.Branch:
				// The one branch at a time: the sheet names another
				// branch than the register, which only a transfer
				// changes. A branch the actor cannot read is not named.
				other := m.branchName
				if !org.CanRead(a, m.home) {
					other = ""
				}
				r.Err = fault.OnField(fault.Conflict, "branch", "org.roster.other_branch", r.Input.Name, other)
				if other == "" {
					r.Err = fault.OnField(fault.Conflict, "branch", "org.roster.other_branch_hidden", r.Input.Name)
				}
				sum.Refused++
			case m.rosterHash == rowHash:
				r.Outcome, r.Member = org.RosterSame, m.id
				sum.Same++
			default:
				r.Outcome, r.Member = org.RosterChanged, m.id
				sum.Changed++
				if commit {
					if err := tx.rosterUpdate(ctx, m.id, rowHash, r.Input); err != nil {
						return err
					}
				}
			}
			if r.Err == nil && res.id != 0 {
				sum.Residents++
			}
			// A member imported before their household was registered is
			// linked once the register holds them.
			if ok && commit && r.Err == nil && res.id != 0 && res.member == 0 {
				if _, err := tx.exec(ctx, `UPDATE org_members SET resident_id = ? WHERE id = ? AND resident_id IS NULL`, res.id, m.id); err != nil {
					return err
				}
			}
		}
		if !commit {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		target, home := "roster", region
		if home == "" {
			home = scopes[0]
		}
		return tx.orgAudit(ctx, a, "org.member.import", target, home,
			fmt.Sprintf("rows=%d new=%d changed=%d same=%d refused=%d", len(out), sum.New, sum.Changed, sum.Same, sum.Refused))
	})
	return out, sum, err
}

// rosterResident is the resident of the register an ID number belongs
// to, and the member already linked to them, if any.
type rosterResident struct{ id, member int64 }

// rosterResidents finds the residents in the register (在册) whose ID
// numbers the roster's rows carry, by the same keyed hash, so that a
// member who lives in a village is linked to their household: the grid
// net and the branch's pages reach them through it.
func (tx *Tx) rosterResidents(ctx context.Context, hashes []string) (map[string]rosterResident, error) {
	return byHash(ctx, tx, hashes, func(h string) any { return residentHash(h) }, `SELECT r.id_hash, r.id, COALESCE((SELECT m.id FROM org_members m WHERE m.resident_id = r.id), 0)
			FROM residents r WHERE r.status = '在册' AND r.id_hash IN `,
		func(s interface{ Scan(...any) error }, h *string, r *rosterResident) error {
			return s.Scan(hexOf{h}, &r.id, &r.member)
		})
}

// rosterRowCheck checks a row on its own and resolves the branch and the
// unit it names. A roster row needs an ID number: it is what matches it.
func rosterRowCheck(r *org.RosterRow, branches map[string]*rosterBranch, units map[string]int64, tx *Tx) error {
	var fs fault.Fields
	var e *fault.Error
	if err := r.Input.Validate(tx.now); errors.As(err, &e) {
		fs = append(fs, e.Fields...)
	}
	if r.Input.IDNumber == "" && !fs.Has("id_number") {
		fs.Add("id_number", "org.roster.id_required")
	}
	switch b := branches[r.Branch]; {
	case r.Branch == "":
		fs.Add("branch", "org.roster.branch_required")
	case b == nil:
		fs.Add("branch", "org.roster.branch_unknown", r.Branch)
	case b.n > 1:
		fs.Add("branch", "org.roster.branch_ambiguous", r.Branch)
	default:
		r.Input.Branch = b.id
	}
	if r.Unit != "" {
		key := r.Unit
		if c := creditcode.Normalize(key); creditcode.Valid(c) {
			key = c
		}
		if id := units[key]; id != 0 {
			r.Input.WorkUnit = id
		} else {
			fs.Add("work_unit", "org.roster.unit_unknown", r.Unit)
		}
	}
	return fs.Err()
}

// rosterUpdate writes a changed roster row over a member: every column
// the roster carries, the sealed ones re-sealed.
func (tx *Tx) rosterUpdate(ctx context.Context, id int64, rowHash string, in org.MemberInput) error {
	_, err := tx.exec(ctx, `UPDATE org_members SET name = ?, gender = ?, applied = ?, probation = ?, full_date = ?, ethnicity = ?, birth_date = ?,
		education = ?, job = ?, residence = ?, work_unit_id = ?, roster_hash = ?, phone_enc = ?, phone_masked = ?, updated_at = ? WHERE id = ?`,
		in.Name, in.Gender, in.Applied, in.Probation, in.Full, in.Ethnicity, in.Birth, in.Education, in.Job, in.Residence, nullable64(in.WorkUnit), rowHash,
		tx.box.Seal(purposePhone, in.Phone), maskedOrEmpty(in.Phone, registry.MaskPhone), tx.nowMS(), id)
	return err
}

// nullable64 is NULL for 0, the foreign key's "none".
func nullable64(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// MemberChanges lists, for the national system, the members under region
// added on or after since (新增), received from another branch (转入),
// sent to a branch outside region (转出) or otherwise changed (变更). A
// member appears once, under the latest kind that applies.
func (s *OrgService) MemberChanges(ctx context.Context, a *access.Actor, region, since, reason string) ([]org.Change, error) {
	if _, ok := org.Date(since); !ok || since == "" {
		return nil, fault.OnField(fault.Invalid, "since", "org.date_invalid")
	}
	reason = strings.TrimSpace(reason)
	full := reason != ""
	if n := utf8.RuneCountInString(reason); n > org.MaxText {
		return nil, fault.OnField(fault.Invalid, "reason", "org.too_long", org.MaxText)
	}
	perm := access.OrgRead
	if full {
		perm = access.OrgManage
	}
	scopes, err := orgScopes(a, perm, region)
	if err != nil {
		return nil, err
	}
	var out []org.Change
	// A full export is a write: its audit record commits with the numbers
	// it reads, so none leaves without a record.
	run := s.db.view
	if full {
		run = s.db.update
	}
	err = run(ctx, func(tx *Tx) error {
		if err := tx.memberChanges(ctx, scopes, since, &out); err != nil || !full {
			return err
		}
		for i := range out {
			var idEnc, phoneEnc []byte
			if err := tx.queryRow(ctx, `SELECT id_enc, phone_enc FROM org_members WHERE id = ?`, out[i].Member.ID).Scan(&idEnc, &phoneEnc); err != nil {
				return err
			}
			m := &out[i].Member
			if m.IDNumber, err = tx.box.Open(purposeID, idEnc); err != nil {
				return fmt.Errorf("open member %d id: %w", m.ID, err)
			}
			if m.Phone, err = tx.box.Open(purposePhone, phoneEnc); err != nil {
				return fmt.Errorf("open member %d phone: %w", m.ID, err)
			}
		}
		return tx.audit(ctx, a, auditEntry{action: "org.export_full", target: "members:" + strings.Join(scopes, ","), region: scopes[0],
			detail: fmt.Sprintf("党员信息变动表 since %s: %d rows; reason: %s", since, len(out), reason)})
	})
	return out, err
}

// memberChanges appends the changes under scopes since a day to out.
func (tx *Tx) memberChanges(ctx context.Context, scopes []string, since string, out *[]org.Change) error {
	day, _ := org.Date(since)
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, localtime.Zone()).UnixMilli()
	where, args := scopeWhere("o.home_code", scopes)
	members, err := queryAll(ctx, tx, scanMember, memberSelect+` WHERE `+where+` AND (m.updated_at >= ? OR m.created_at >= ?) ORDER BY m.id`, append(args, from, from)...)
	if err != nil {
		return err
	}
	// The transfers received since: into the scope they are 转入 (or
	// 转出 from the sending side, when it is in scope and the
	// receiving one is not).
	type moved struct {
		member             int64
		from, to           string
		fromHome, received string
	}
	var in []moved
	rows, err := tx.query(ctx, `SELECT t.member_id, f.name, o.name, f.home_code, t.received FROM org_transfers t JOIN org_orgs f ON f.id = t.from_id
			JOIN org_orgs o ON o.id = t.to_id WHERE t.received >= ? ORDER BY t.id`, since)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m moved
		if err := rows.Scan(&m.member, &m.from, &m.to, &m.fromHome, &m.received); err != nil {
			rows.Close()
			return err
		}
		in = append(in, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	last := map[int64]moved{}
	for _, m := range in {
		last[m.member] = m
	}
	inScope := func(code string) bool {
		for _, s := range scopes {
			if regioncode.Covers(s, code) {
				return true
			}
		}
		return false
	}
	for _, m := range members {
		c := org.Change{Kind: org.ChangeUpdated, Date: localtime.Day(m.Created), Member: m}
		if t, ok := last[m.ID]; ok && !inScope(t.fromHome) {
			c.Kind, c.Date, c.Other = org.ChangeIn, t.received, t.from
		} else if localtime.Day(m.Created) >= since {
			c.Kind = org.ChangeNew
		}
		*out = append(*out, c)
	}
	// 转出: members now outside the scope whose last transfer left it.
	outWhere, outArgs := scopeWhere("f.home_code", scopes)
	gone, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (org.Change, error) {
		var c org.Change
		err := s.Scan(&c.Member.ID, &c.Member.Name, &c.Member.IDMasked, &c.Member.Gender, &c.Other, &c.Date, &c.Member.BranchName)
		c.Kind = org.ChangeOut
		return c, err
	}, `SELECT m.id, m.name, m.id_masked, m.gender, o.name, t.received, f.name FROM org_transfers t JOIN org_members m ON m.id = t.member_id
			JOIN org_orgs f ON f.id = t.from_id JOIN org_orgs o ON o.id = t.to_id JOIN org_orgs cur ON cur.id = m.branch_id
			WHERE t.received >= ? AND `+outWhere+` AND NOT `+strings.ReplaceAll(outWhere, "f.home_code", "cur.home_code")+` ORDER BY t.id`,
		append(append([]any{since}, outArgs...), outArgs...)...)
	if err != nil {
		return err
	}
	*out = append(*out, gone...)
	return nil
}

// MemberPage pages through the members under a region by id: the API's
// cursor, which holds however many a league has.
func (s *OrgService) MemberPage(ctx context.Context, a *access.Actor, f org.MemberFilter) ([]org.Member, error) {
	scopes, err := orgScopes(a, access.OrgRead, f.Region)
	if err != nil && !(f.Region == "" && len(a.OrgGrantsFor(access.OrgRead)) > 0) {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	where, args := scopeWhere("o.home_code", scopes)
	var out []org.Member
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		if f.Region == "" && len(a.OrgGrantsFor(access.OrgRead)) > 0 {
			// A branch secretary pages through their own branch's members.
			ids, err := tx.orgSubtree(ctx, a, access.OrgRead)
			if err != nil {
				return err
			}
			w, more := idIn("m.branch_id", ids)
			where, args = "("+where+" OR "+w+")", append(args, more...)
		}
		out, err = queryAll(ctx, tx, scanMember, memberSelect+` WHERE `+where+` AND m.id > ? ORDER BY m.id LIMIT ?`, append(args, f.After, f.Limit)...)
		return err
	})
	return out, err
}
