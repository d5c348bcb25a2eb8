package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/scheme"
)

// SchemeService implements scheme.Service.
type SchemeService struct{ db *DB }

// Schemes returns the store's scoring-scheme service.
func (db *DB) Schemes() *SchemeService { return &SchemeService{db: db} }

var _ scheme.Service = (*SchemeService)(nil)

// schemeReadable checks that a may read the schemes of code: officials
// who keep the registers or award points there, and the village's own
// villagers, since what earns points is no secret and they declare good
// deeds against it. Unknown and foreign codes look the same.
func schemeReadable(a *access.Actor, code string) error {
	if !regioncode.ValidCode(code) || !a.Can(access.RegistryRead, code) && !a.Can(access.PointsWrite, code) && !a.Can(access.OwnHousehold, code) {
		return fault.E(fault.NotFound, "region.not_found")
	}
	return nil
}

// schemeManageable checks that a may draft and publish the schemes of
// code; readers who may not are told so, others learn nothing.
func schemeManageable(a *access.Actor, code string) error {
	if !regioncode.ValidCode(code) {
		return fault.E(fault.NotFound, "region.not_found")
	}
	if !a.Can(access.SchemeManage, code) {
		if schemeReadable(a, code) == nil {
			return fault.E(fault.Forbidden, "scheme.manage.forbidden")
		}
		return fault.E(fault.NotFound, "region.not_found")
	}
	return nil
}

// Create writes version 1 of a region's scheme.
func (s *SchemeService) Create(ctx context.Context, a *access.Actor, src scheme.Source, in scheme.Scheme) (*scheme.Scheme, error) {
	if err := schemeManageable(a, in.Region); err != nil {
		return nil, err
	}
	if src != scheme.FromTemplate && src != scheme.CopyParent && src != scheme.Inherit {
		return nil, fault.OnField(fault.Invalid, "source", "scheme.source")
	}
	var out *scheme.Scheme
	err := s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.activeRegion(ctx, in.Region)
		if err != nil {
			return err
		}
		sc := in
		if sc.EffectiveFrom.IsZero() {
			sc.EffectiveFrom = scheme.Today(tx.now)
		}
		base, err := tx.schemeSource(ctx, r, src, "", sc.EffectiveFrom)
		if err != nil {
			return err
		}
		sc.Source, sc.Inherits = base.Source, base.Inherits
		if strings.TrimSpace(sc.Name) == "" {
			sc.Name = base.Name
		}
		sc.Aspects = mergeAspects(base.Aspects, in.Aspects)
		sc.Items = mergeItems(base.Items, in.Items)
		out = &sc
		return tx.createScheme(ctx, a, &sc)
	})
	if isUniqueViolation(err) {
		return nil, fault.Wrap(fault.Conflict, err, "scheme.exists")
	}
	return out, err
}

// activeRegion reads a region that may take a new scheme version.
func (tx *Tx) activeRegion(ctx context.Context, code string) (*region.Region, error) {
	r, err := tx.region(ctx, code)
	if err != nil {
		return nil, err
	}
	if r.Status != region.Active {
		return nil, fault.E(fault.Conflict, "region.inactive")
	}
	return r, nil
}

// createScheme writes sc as version 1 of its region's scheme, checked.
func (tx *Tx) createScheme(ctx context.Context, a *access.Actor, sc *scheme.Scheme) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM schemes WHERE region_code = ?`, sc.Region).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fault.E(fault.Conflict, "scheme.exists")
	}
	sc.ID, sc.Version, sc.EffectiveTo = 0, 1, time.Time{}
	if err := tx.checkSchemeVersion(ctx, sc); err != nil {
		return err
	}
	if err := tx.insertScheme(ctx, a, sc); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: "scheme.create", target: fmt.Sprintf("scheme:%d", sc.ID), region: sc.Region,
		detail: fmt.Sprintf("v1 %s from %s, %d aspects, %d items", sc.Source, scheme.Day(sc.EffectiveFrom), len(sc.Aspects), len(sc.Items))})
}

// schemeSource is the content a new scheme of region r starts from on day
// on: the template, the scheme in force above (copied whole, or an empty
// layer over it), or the scheme in force in region from, copied whole.
func (tx *Tx) schemeSource(ctx context.Context, r *region.Region, src scheme.Source, from string, on time.Time) (scheme.Scheme, error) {
	out := scheme.Scheme{Region: r.Code, Source: src, Inherits: src == scheme.Inherit}
	switch src {
	case scheme.FromTemplate:
		t := scheme.DefaultTemplate()
		t.Region = r.Code
		return t, nil
	case scheme.CopyParent, scheme.Inherit:
		if r.ParentCode == "" {
			return out, fault.E(fault.Conflict, "scheme.no_parent")
		}
		from = r.ParentCode
	case scheme.CopyVillage:
		// A model village's rules are no secret (推广王家地村模式): any
		// region with a scheme may be copied, in sight of a or not.
		if from == r.Code || !regioncode.ValidCode(from) {
			return out, fault.OnField(fault.Invalid, "from", "scheme.copy_from")
		}
		if _, err := tx.region(ctx, from); err != nil {
			return out, fault.OnField(fault.Invalid, "from", "scheme.copy_from")
		}
	default:
		return out, fault.OnField(fault.Invalid, "source", "scheme.source")
	}
	chain, err := tx.schemeChain(ctx, from, on)
	if err != nil {
		return out, err
	}
	p, err := scheme.Effective(chain, from, on)
	if fault.Is(err, fault.NotFound) && src == scheme.CopyVillage {
		return out, fault.OnField(fault.Conflict, "from", "scheme.copy_none")
	}
	if fault.Is(err, fault.NotFound) {
		return out, fault.E(fault.Conflict, "scheme.no_parent")
	}
	if err != nil {
		return out, err
	}
	out.Name, out.BaseScore, out.BasePeriod, out.CarryOver, out.NoticeDays = p.Name, p.BaseScore, p.BasePeriod, p.CarryOver, p.NoticeDays
	out.AllowLocalItems, out.AllowOverride = true, true
	if src != scheme.Inherit {
		out.Aspects = p.Aspects
		for _, it := range p.Items {
			out.Items = append(out.Items, it.Item)
		}
	}
	return out, nil
}

// Publish writes the next version of a region's scheme and ends the
// current one on the day the new one starts. That end date is the only
// change ever made to a written version.
func (s *SchemeService) Publish(ctx context.Context, a *access.Actor, in scheme.Scheme) (*scheme.Scheme, error) {
	if err := schemeManageable(a, in.Region); err != nil {
		return nil, err
	}
	var out *scheme.Scheme
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.schemeHeader(ctx, `region_code = ? ORDER BY version DESC LIMIT 1`, in.Region)
		if err != nil {
			return err
		}
		sc := in
		sc.Source, sc.Inherits = cur.Source, cur.Inherits
		out = &sc
		return tx.publishScheme(ctx, a, cur, &sc)
	})
	if isUniqueViolation(err) {
		return nil, fault.Wrap(fault.Conflict, err, "scheme.version_race")
	}
	return out, err
}

// publishScheme writes sc as the version after cur, in force from its
// EffectiveFrom (today when zero), and ends cur that day.
func (tx *Tx) publishScheme(ctx context.Context, a *access.Actor, cur, sc *scheme.Scheme) error {
	sc.ID, sc.Version, sc.EffectiveTo = 0, cur.Version+1, time.Time{}
	if sc.EffectiveFrom.IsZero() {
		sc.EffectiveFrom = scheme.Today(tx.now)
	}
	if scheme.Day(sc.EffectiveFrom) <= scheme.Day(cur.EffectiveFrom) {
		return fault.OnField(fault.Invalid, "effective_from", "scheme.effective_order", scheme.Day(cur.EffectiveFrom))
	}
	if err := tx.checkSchemeVersion(ctx, sc); err != nil {
		return err
	}
	if err := tx.insertScheme(ctx, a, sc); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE schemes SET effective_to = ? WHERE id = ?`, scheme.Day(sc.EffectiveFrom), cur.ID); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: "scheme.publish", target: fmt.Sprintf("scheme:%d", sc.ID), region: sc.Region,
		detail: fmt.Sprintf("v%d from %s replaces v%d (scheme:%d), %d items", sc.Version, scheme.Day(sc.EffectiveFrom), cur.Version, cur.ID, len(sc.Items))})
}

// checkSchemeVersion validates a version about to be written: its own
// fields, a start no earlier than today (so no award already written
// changes meaning), and, resolved with the chain above it on its first
// day, the owners' rules on additions and overrides.
func (tx *Tx) checkSchemeVersion(ctx context.Context, sc *scheme.Scheme) error {
	sc.Normalize()
	if err := sc.Validate(); err != nil {
		return err
	}
	if today := scheme.Day(scheme.Today(tx.now)); scheme.Day(sc.EffectiveFrom) < today {
		return fault.OnField(fault.Invalid, "effective_from", "scheme.effective_past", today)
	}
	chain, err := tx.schemeChain(ctx, sc.Region, sc.EffectiveFrom)
	if err != nil {
		return err
	}
	_, err = scheme.Effective(withVersion(chain, sc), sc.Region, sc.EffectiveFrom)
	if fault.Is(err, fault.NotFound) {
		return fault.E(fault.Conflict, "scheme.no_parent")
	}
	if err != nil {
		return err
	}
	return tx.checkBelow(ctx, sc)
}

// checkBelow resolves every layer below sc's region that is in force on or
// after sc's first day with sc in its region's place, and refuses sc with
// the first layer it would break: a version that locks an item a village
// overrides, or stops the local items one added, would otherwise leave
// every award there failing from that day until the village noticed.
func (tx *Tx) checkBelow(ctx context.Context, sc *scheme.Scheme) error {
	if regioncode.LevelOf(sc.Region) >= regioncode.Village {
		return nil
	}
	_, hi := regioncode.Range(sc.Region)
	below, err := queryAll(ctx, tx, scanScheme, `SELECT `+schemeCols+` FROM schemes WHERE region_code > ? AND region_code < ?
		AND (effective_to = '' OR effective_to > ?) ORDER BY region_code, version`, sc.Region, hi, scheme.Day(sc.EffectiveFrom))
	if err != nil {
		return err
	}
	for _, b := range below {
		on := sc.EffectiveFrom
		if b.EffectiveFrom.After(on) {
			on = b.EffectiveFrom
		}
		chain, err := tx.schemeChain(ctx, b.Region, on)
		if err != nil {
			return err
		}
		_, err = scheme.Effective(withVersion(chain, sc), b.Region, on)
		var fe *fault.Error
		if errors.As(err, &fe) && fe.Code == fault.Conflict && len(fe.Msg.Args) > 0 {
			name := b.Region
			if r, err := tx.region(ctx, b.Region); err == nil {
				name = r.Name
			}
			return fault.E(fault.Conflict, "scheme.breaks_below", name, fe.Msg.Args[0], scheme.Day(on))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// withVersion is chain with sc in place of its region's version, in the
// chain's order: region codes of one line sort from the top level down.
func withVersion(chain []scheme.Scheme, sc *scheme.Scheme) []scheme.Scheme {
	out := []scheme.Scheme{*sc}
	for _, c := range chain {
		if c.Region != sc.Region {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}

// mergeAspects lays over onto base: same codes replace, new ones append.
func mergeAspects(base, over []scheme.Aspect) []scheme.Aspect {
	out := append([]scheme.Aspect(nil), base...)
	for _, a := range over {
		i := 0
		for i < len(out) && out[i].Code != a.Code {
			i++
		}
		if i < len(out) {
			out[i] = a
		} else {
			out = append(out, a)
		}
	}
	return out
}

// mergeItems lays over onto base: same codes replace, new ones append.
func mergeItems(base, over []scheme.Item) []scheme.Item {
	out := append([]scheme.Item(nil), base...)
	for _, it := range over {
		i := 0
		for i < len(out) && out[i].Code != it.Code {
			i++
		}
		if i < len(out) {
			out[i] = it
		} else {
			out = append(out, it)
		}
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// insertScheme writes a version's rows and sets sc.ID.
func (tx *Tx) insertScheme(ctx context.Context, a *access.Actor, sc *scheme.Scheme) error {
	if tx.db != nil {
		tx.db.inForce.written()
	}
	tx.schemeWritten = true
	uid, uname := actorRef(a)
	id, err := tx.insertID(ctx, `INSERT INTO schemes (region_code, version, name, inherits, source, effective_from, effective_to, base_score, base_period,
		carry_over, allow_local_items, allow_override, actor_id, actor_name, created_at, notice_days)
		VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		sc.Region, sc.Version, sc.Name, b2i(sc.Inherits), string(sc.Source), scheme.Day(sc.EffectiveFrom), sc.BaseScore, string(sc.BasePeriod),
		string(sc.CarryOver), b2i(sc.AllowLocalItems), b2i(sc.AllowOverride), uid, uname, tx.nowMS(), sc.NoticeDays)
	if err != nil {
		return err
	}
	sc.ID, sc.Actor, sc.CreatedAt = id, uname, tx.now
	for i, as := range sc.Aspects {
		if _, err := tx.exec(ctx, `INSERT INTO scheme_aspects (scheme_id, code, name, ord) VALUES (?, ?, ?, ?)`, id, as.Code, as.Name, as.Order); err != nil {
			return fmt.Errorf("scheme aspect %d: %w", i, err)
		}
	}
	for i, it := range sc.Items {
		roles := make([]string, len(it.Roles))
		for j, r := range it.Roles {
			roles[j] = string(r)
		}
		if _, err := tx.exec(ctx, `INSERT INTO scheme_items (scheme_id, code, ord, aspect_code, name, description, points, unit, cap, cap_period, roles,
			evidence_photo, evidence_text, evidence_witness, effective_from, effective_to, overridable)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, it.Code, i+1, it.Aspect, it.Name, it.Description, it.Points, string(it.Unit), it.Cap, string(it.CapPeriod), strings.Join(roles, ","),
			b2i(it.Evidence.Photo), b2i(it.Evidence.Text), b2i(it.Evidence.Witness), scheme.Day(it.EffectiveFrom), scheme.Day(it.EffectiveTo),
			b2i(it.Overridable)); err != nil {
			return fmt.Errorf("scheme item %d: %w", i, err)
		}
	}
	return nil
}

const schemeCols = `id, region_code, version, name, inherits, source, effective_from, effective_to, base_score, base_period, carry_over,
	allow_local_items, allow_override, actor_name, created_at, notice_days`

func scanScheme(s interface{ Scan(...any) error }) (scheme.Scheme, error) {
	var sc scheme.Scheme
	var from, to string
	var at int64
	err := s.Scan(&sc.ID, &sc.Region, &sc.Version, &sc.Name, &sc.Inherits, &sc.Source, &from, &to, &sc.BaseScore, &sc.BasePeriod, &sc.CarryOver,
		&sc.AllowLocalItems, &sc.AllowOverride, &sc.Actor, &at, &sc.NoticeDays)
	sc.EffectiveFrom, sc.EffectiveTo, sc.CreatedAt = scheme.ParseDay(from), scheme.ParseDay(to), time.UnixMilli(at)
	return sc, err
}

// schemeHeader reads the one version where selects, without its content.
func (tx *Tx) schemeHeader(ctx context.Context, where string, args ...any) (*scheme.Scheme, error) {
	sc, err := scanScheme(tx.queryRow(ctx, `SELECT `+schemeCols+` FROM schemes WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "scheme.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// schemeBody is a stored version's content.
type schemeBody struct {
	aspects []scheme.Aspect
	items   []scheme.Item
}

// schemeContent loads a version's aspects and items, from the cache when
// an earlier committed transaction read them.
func (tx *Tx) schemeContent(ctx context.Context, sc *scheme.Scheme) error {
	body, ok := tx.bodies[sc.ID]
	if !ok {
		if b, found := tx.db.schemeBodies.Load(sc.ID); found {
			body, ok = b.(schemeBody), true
		}
	}
	if ok {
		// Copies, so a caller that edits its scheme cannot edit the cache.
		sc.Aspects = append([]scheme.Aspect(nil), body.aspects...)
		sc.Items = append([]scheme.Item(nil), body.items...)
		return nil
	}
	if err := tx.loadSchemeContent(ctx, sc); err != nil {
		return err
	}
	id, body := sc.ID, schemeBody{aspects: append([]scheme.Aspect(nil), sc.Aspects...), items: append([]scheme.Item(nil), sc.Items...)}
	if tx.bodies == nil {
		tx.bodies = map[int64]schemeBody{}
	}
	tx.bodies[id] = body
	tx.afterCommit(func() { tx.db.schemeBodies.Store(id, body) })
	return nil
}

// effectiveScheme is the scheme in force in village on date, resolved once
// per transaction: only award transactions use it, and they never change a
// scheme, so the answer cannot move under them. SQLite's write
// transactions also share what they resolved through db.inForce: they all
// run one after another on the writer goroutine, which is also where every
// scheme is written, so the cache sees every change in order. Reads and
// PostgreSQL (where other servers may write) resolve for themselves.
func (tx *Tx) effectiveScheme(ctx context.Context, village string, date time.Time) (scheme.Resolved, error) {
	k := village + "|" + scheme.Day(date)
	if r, ok := tx.resolved[k]; ok {
		return r, nil
	}
	shared := tx.db != nil && tx.db.group != nil && tx.pool == tx.db.write
	r, ok := scheme.Resolved{}, false
	if shared {
		r, ok = tx.db.inForce.get(k)
	}
	// On PostgreSQL, where other servers may publish, the scheme is kept
	// under the scheme epoch the transaction read (with an award's
	// household): any scheme write moves the epoch, so an entry of an
	// older epoch is never found again.
	epochKey := ""
	if tx.dialect == Postgres && tx.db != nil && tx.epochKnown && !tx.schemeWritten {
		epochKey = k + "|" + strconv.FormatInt(tx.schemeEpoch, 10)
		r, ok = tx.db.epochInForce.get(epochKey)
	}
	if !ok {
		chain, err := tx.schemeChain(ctx, village, date)
		if err != nil {
			return scheme.Resolved{}, err
		}
		if r, err = scheme.Effective(chain, village, date); err != nil {
			return scheme.Resolved{}, err
		}
		if shared {
			tx.db.inForce.keep(k, r)
		}
		if epochKey != "" {
			tx.db.epochInForce.keep(epochKey, r)
		}
	}
	if tx.resolved == nil {
		tx.resolved = map[string]scheme.Resolved{}
	}
	tx.resolved[k] = r
	return r, nil
}

// schemeCache holds resolved schemes by village and day. A scheme write
// empties it and keeps it from filling until the write's commit group has
// ended (settle), committed or not: until then a neighbour in the group
// could resolve from rows that a rollback takes away.
type schemeCache struct {
	mu      sync.Mutex
	m       map[string]scheme.Resolved
	writing bool
}

// schemeCacheSize bounds the cache; a league has under a thousand villages
// and awards mostly fall on a few days.
const schemeCacheSize = 8192

func (c *schemeCache) get(k string) (scheme.Resolved, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok
}

func (c *schemeCache) keep(k string, r scheme.Resolved) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing {
		return
	}
	if c.m == nil || len(c.m) >= schemeCacheSize {
		c.m = map[string]scheme.Resolved{}
	}
	c.m[k] = r
}

// written forgets everything when a transaction writes a scheme.
func (c *schemeCache) written() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.writing = nil, true
}

// settle ends a commit group: whatever a scheme write changed is now
// committed or gone, and the cache may fill again from what is stored.
func (c *schemeCache) settle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing {
		c.m, c.writing = nil, false
	}
}

func (tx *Tx) loadSchemeContent(ctx context.Context, sc *scheme.Scheme) error {
	rows, err := tx.query(ctx, `SELECT code, name, ord FROM scheme_aspects WHERE scheme_id = ? ORDER BY ord, code`, sc.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var as scheme.Aspect
		if err := rows.Scan(&as.Code, &as.Name, &as.Order); err != nil {
			rows.Close()
			return err
		}
		sc.Aspects = append(sc.Aspects, as)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.query(ctx, `SELECT code, aspect_code, name, description, points, unit, cap, cap_period, roles, evidence_photo, evidence_text,
		evidence_witness, effective_from, effective_to, overridable FROM scheme_items WHERE scheme_id = ? ORDER BY ord`, sc.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var it scheme.Item
		var roles, from, to string
		if err := rows.Scan(&it.Code, &it.Aspect, &it.Name, &it.Description, &it.Points, &it.Unit, &it.Cap, &it.CapPeriod, &roles,
			&it.Evidence.Photo, &it.Evidence.Text, &it.Evidence.Witness, &from, &to, &it.Overridable); err != nil {
			return err
		}
		for _, r := range strings.Split(roles, ",") {
			if r != "" {
				it.Roles = append(it.Roles, access.Role(r))
			}
		}
		it.EffectiveFrom, it.EffectiveTo = scheme.ParseDay(from), scheme.ParseDay(to)
		sc.Items = append(sc.Items, it)
	}
	return rows.Err()
}

// schemeChain loads, in full, the versions in force on date at code and
// at every region above it.
func (tx *Tx) schemeChain(ctx context.Context, code string, date time.Time) ([]scheme.Scheme, error) {
	var codes []any
	p := regioncode.Prefix(code)
	for _, n := range []int{2, 4, 6, 9, 12} {
		if n <= len(p) {
			codes = append(codes, p[:n]+strings.Repeat("0", 12-n))
		}
	}
	d := scheme.Day(date)
	out, err := queryAll(ctx, tx, scanScheme, `SELECT `+schemeCols+` FROM schemes WHERE region_code IN `+placeholders(1, len(codes))+`
		AND effective_from <= ? AND (effective_to = '' OR effective_to > ?) ORDER BY region_code, version`, append(codes, d, d)...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := tx.schemeContent(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Get returns one version of a region's scheme in full; version 0 is the
// latest.
func (s *SchemeService) Get(ctx context.Context, a *access.Actor, code string, version int) (*scheme.Scheme, error) {
	if err := schemeReadable(a, code); err != nil {
		return nil, err
	}
	var out *scheme.Scheme
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		if version == 0 {
			out, err = tx.schemeHeader(ctx, `region_code = ? ORDER BY version DESC LIMIT 1`, code)
		} else {
			out, err = tx.schemeHeader(ctx, `region_code = ? AND version = ?`, code, version)
		}
		if err != nil {
			return err
		}
		return tx.schemeContent(ctx, out)
	})
	return out, err
}

// Versions lists a region's versions, newest first, without content.
func (s *SchemeService) Versions(ctx context.Context, a *access.Actor, code string) ([]scheme.Scheme, error) {
	if err := schemeReadable(a, code); err != nil {
		return nil, err
	}
	var out []scheme.Scheme
	err := s.db.view(ctx, func(tx *Tx) error {
		found, err := queryAll(ctx, tx, scanScheme, `SELECT `+schemeCols+` FROM schemes WHERE region_code = ? ORDER BY version DESC`, code)
		out = found
		return err
	})
	return out, err
}

// Resolve returns the scheme in force for a region on a day, after
// inheritance, naming the versions it used.
func (s *SchemeService) Resolve(ctx context.Context, a *access.Actor, code string, date time.Time) (*scheme.Resolved, error) {
	if err := schemeReadable(a, code); err != nil {
		return nil, err
	}
	var out *scheme.Resolved
	err := s.db.view(ctx, func(tx *Tx) error {
		chain, err := tx.schemeChain(ctx, code, date)
		if err != nil {
			return err
		}
		r, err := scheme.Effective(chain, code, date)
		if err != nil {
			return err
		}
		out = &r
		return nil
	})
	return out, err
}
