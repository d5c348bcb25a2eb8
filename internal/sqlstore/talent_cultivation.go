package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/talent"
)

// cultivation fills a leader's judgements, plan, support and showcase.
func (tx *Tx) cultivation(ctx context.Context, l *talent.Leader) error {
	var err error
	if l.Recognitions, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (talent.RecognitionRecord, error) {
		var r talent.RecognitionRecord
		var at int64
		err := sc.Scan(&r.Decision, &r.Day, &r.Reason, &r.Actor, &at)
		r.At = msTime(at)
		return r, err
	}, `SELECT decision, day, reason, actor_name, created_at FROM talent_recognitions WHERE leader_id = ? ORDER BY id`, l.ID); err != nil {
		return err
	}
	if l.Plan, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (talent.PlanEntry, error) {
		var p talent.PlanEntry
		var at int64
		err := sc.Scan(&p.ID, &p.Kind, &p.Title, &p.Provider, &p.Day, &p.Hours, &p.Note, &p.Actor, &at)
		p.At = msTime(at)
		return p, err
	}, `SELECT id, kind, title, provider, day, hours, note, actor_name, created_at FROM talent_cultivation WHERE leader_id = ? ORDER BY day, id`, l.ID); err != nil {
		return err
	}
	if l.Support, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (talent.SupportEntry, error) {
		var e talent.SupportEntry
		var at int64
		err := sc.Scan(&e.ID, &e.Kind, &e.Amount, &e.Source, &e.Day, &e.Note, &e.Tier, &e.Actor, &at)
		e.At = msTime(at)
		return e, err
	}, `SELECT id, kind, amount, source, day, note, tier, actor_name, created_at FROM talent_support WHERE leader_id = ? ORDER BY day, id`, l.ID); err != nil {
		return err
	}
	if l.Showcase, err = tx.showcase(ctx, l.ID); err != nil {
		return err
	}
	l.Photos, err = queryAll(ctx, tx, scanInt64, `SELECT id FROM talent_showcase_photos WHERE leader_id = ? ORDER BY id`, l.ID)
	return err
}

func scanInt64(sc interface{ Scan(...any) error }) (int64, error) {
	var n int64
	return n, sc.Scan(&n)
}

func (tx *Tx) showcase(ctx context.Context, leader int64) (talent.Showcase, error) {
	out := talent.Showcase{Leader: leader}
	var pub int
	err := tx.queryRow(ctx, `SELECT published, consent_day, live_channels, cities, fairs, people FROM talent_showcase WHERE leader_id = ?`, leader).
		Scan(&pub, &out.ConsentDay, &out.LiveChannels, &out.Cities, &out.Fairs, &out.People)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	out.Published = pub == 1
	return out, err
}

// writableLeader loads a leader the actor may keep the records of: write
// access over the leader's village, as for the three lists.
func (tx *Tx) writableLeader(ctx context.Context, a *access.Actor, id int64) (*talent.Leader, error) {
	l, err := tx.talentLeader(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.Can(access.TalentWrite, l.Village) {
		return nil, talentDeny(a, l.Village, "talent.leader.forbidden")
	}
	return l, nil
}

// Recognise records a judgement on a target's cultivation, by a manager
// over the leader's village: the judgement is kept, and the leader's
// stage moves with it.
func (s *TalentService) Recognise(ctx context.Context, a *access.Actor, id int64, in talent.RecognitionInput) error {
	in.Reason = strings.TrimSpace(in.Reason)
	return s.db.update(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		l, err := tx.talentLeader(ctx, a, id)
		if err != nil {
			return err
		}
		if !a.Can(access.TalentManage, l.Village) {
			return talentDeny(a, l.Village, "talent.leader.forbidden")
		}
		if l.Stage == talent.StageRecognised && in.Decision == talent.Recognise {
			return fault.E(fault.Conflict, "talent.recognition.already")
		}
		uid, uname := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO talent_recognitions (leader_id, decision, day, reason, actor_id, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, string(in.Decision), in.Day, in.Reason, uid, uname, tx.nowMS()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE talent_leaders SET stage = ?, stage_day = ?, updated_at = ? WHERE id = ?`, string(in.Decision.Stage()), in.Day, tx.nowMS(), id); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.recognise", target: fmt.Sprintf("talent_leader:%d", id), region: l.Village,
			detail: fmt.Sprintf("%s %s", in.Decision, in.Day)})
	})
}

// AddPlan adds an entry to a target's cultivation plan.
func (s *TalentService) AddPlan(ctx context.Context, a *access.Actor, id int64, in talent.PlanInput) error {
	in.Title, in.Provider, in.Note = strings.TrimSpace(in.Title), strings.TrimSpace(in.Provider), strings.TrimSpace(in.Note)
	return s.db.update(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		l, err := tx.writableLeader(ctx, a, id)
		if err != nil {
			return err
		}
		uid, uname := actorRef(a)
		pid, err := tx.insertID(ctx, `INSERT INTO talent_cultivation (leader_id, village_code, kind, title, provider, day, hours, note, actor_id, actor_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, l.Village, string(in.Kind), in.Title, in.Provider, in.Day, in.Hours, in.Note, uid, uname, tx.nowMS())
		if err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.plan", target: fmt.Sprintf("talent_leader:%d plan:%d", id, pid), region: l.Village,
			detail: fmt.Sprintf("%s %s %s", in.Kind, in.Day, in.Title)})
	})
}

// AddSupport appends an entry to a target's policy-support ledger, with
// the tier the person holds, so the sums per tier keep what was given to
// whom at the time.
func (s *TalentService) AddSupport(ctx context.Context, a *access.Actor, id int64, in talent.SupportInput) error {
	in.Source, in.Note = strings.TrimSpace(in.Source), strings.TrimSpace(in.Note)
	return s.db.update(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		l, err := tx.writableLeader(ctx, a, id)
		if err != nil {
			return err
		}
		uid, uname := actorRef(a)
		sid, err := tx.insertID(ctx, `INSERT INTO talent_support (leader_id, village_code, tier, kind, amount, source, day, note, actor_id, actor_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, l.Village, string(l.Tier), string(in.Kind), in.Amount, in.Source, in.Day, in.Note, uid, uname, tx.nowMS())
		if err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.support", target: fmt.Sprintf("talent_leader:%d support:%d", id, sid), region: l.Village,
			detail: fmt.Sprintf("%s %d %s %s", in.Kind, in.Amount, in.Source, in.Day)})
	})
}

// SupportSums sums the support ledger below code per area one level down
// and tier, with the people supported: the figures a banner reports up.
func (s *TalentService) SupportSums(ctx context.Context, a *access.Actor, code string) ([]talent.SupportSum, error) {
	if !regioncode.ValidCode(code) || !talentSees(a, code) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	level := regioncode.LevelOf(code)
	n := regioncode.PrefixLen(min(level+1, regioncode.Village))
	var out []talent.SupportSum
	err := s.db.view(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(code)
		// The area is named once in a CTE: PostgreSQL does not match two
		// substr(…, $1) and substr(…, $4) as the same grouping expression.
		rows, err := tx.query(ctx, `WITH x AS (SELECT substr(village_code, 1, ?) AS area, tier, kind, amount FROM talent_support
			WHERE village_code >= ? AND village_code < ?)
			SELECT area, tier, kind, sum(amount), count(*) FROM x GROUP BY area, tier, kind ORDER BY area, tier, kind`, n, lo, hi)
		if err != nil {
			return err
		}
		at := map[string]int{}
		for rows.Next() {
			var prefix string
			var tier talent.Tier
			var kind talent.SupportKind
			var sum int64
			var entries int
			if err := rows.Scan(&prefix, &tier, &kind, &sum, &entries); err != nil {
				rows.Close()
				return err
			}
			key := prefix + "|" + string(tier)
			i, ok := at[key]
			if !ok {
				i = len(out)
				at[key] = i
				out = append(out, talent.SupportSum{Code: prefix + strings.Repeat("0", 12-len(prefix)), Tier: tier, ByKind: map[talent.SupportKind]int64{}})
			}
			out[i].ByKind[kind] += sum
			out[i].Total += sum
			out[i].Entries += entries
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// People supported per area and tier, whatever the kind.
		rows, err = tx.query(ctx, `WITH x AS (SELECT substr(village_code, 1, ?) AS area, tier, leader_id FROM talent_support
			WHERE village_code >= ? AND village_code < ?)
			SELECT area, tier, count(DISTINCT leader_id) FROM x GROUP BY area, tier`, n, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var prefix string
			var tier talent.Tier
			var people int
			if err := rows.Scan(&prefix, &tier, &people); err != nil {
				return err
			}
			if i, ok := at[prefix+"|"+string(tier)]; ok {
				out[i].People = people
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if r, err := tx.region(ctx, out[i].Code); err == nil {
				out[i].Name = r.Name
			}
		}
		return nil
	})
	return out, err
}

// SetShowcase records what a leader agreed to show the public. Only a
// recognised leader is shown: the showcase is of 带头人, not targets.
func (s *TalentService) SetShowcase(ctx context.Context, a *access.Actor, id int64, in talent.Showcase) error {
	for _, p := range []*string{&in.ConsentDay, &in.LiveChannels, &in.Cities, &in.Fairs} {
		*p = strings.TrimSpace(*p)
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		l, err := tx.writableLeader(ctx, a, id)
		if err != nil {
			return err
		}
		if in.Published && l.Stage != talent.StageRecognised {
			return fault.OnField(fault.Conflict, "published", "talent.showcase.not_recognised")
		}
		_, uname := actorRef(a)
		if _, err := tx.exec(ctx, `INSERT INTO talent_showcase (leader_id, published, consent_day, live_channels, cities, fairs, people, actor_name, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (leader_id) DO UPDATE SET published = excluded.published, consent_day = excluded.consent_day,
			live_channels = excluded.live_channels, cities = excluded.cities, fairs = excluded.fairs, people = excluded.people,
			actor_name = excluded.actor_name, updated_at = excluded.updated_at`,
			id, boolInt(in.Published), in.ConsentDay, in.LiveChannels, in.Cities, in.Fairs, in.People, uname, tx.nowMS()); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.showcase", target: fmt.Sprintf("talent_leader:%d", id), region: l.Village,
			detail: fmt.Sprintf("published %v consent %s people %d", in.Published, in.ConsentDay, in.People)})
	})
}

// AddShowcasePhoto stores a product photo the leader agreed to publish,
// re-encoded without its EXIF (place, phone, time), within the count.
func (s *TalentService) AddShowcasePhoto(ctx context.Context, a *access.Actor, id int64, caption string, data []byte) (int64, error) {
	if len(data) > talent.MaxAttachmentBytes {
		return 0, fault.OnField(fault.TooLarge, "file", "talent.attachment.size", talent.MaxAttachmentBytes>>20)
	}
	ctype, ok := photo.Sniff(data, talent.AttachmentTypes(talent.PhotoAttachment)...)
	if !ok {
		return 0, fault.OnField(fault.Invalid, "file", "talent.attachment.type_photo")
	}
	clean, err := photo.Clean(data, ctype)
	if err != nil {
		return 0, fault.OnField(fault.Invalid, "file", photo.Problem(err))
	}
	var pid int64
	err = s.db.update(ctx, func(tx *Tx) error {
		l, err := tx.writableLeader(ctx, a, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM talent_showcase_photos WHERE leader_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n >= talent.MaxShowcasePhotos {
			return fault.OnField(fault.Invalid, "file", "talent.attachment.count", talent.MaxShowcasePhotos)
		}
		sum := sha256.Sum256(clean)
		_, uname := actorRef(a)
		if pid, err = tx.insertID(ctx, `INSERT INTO talent_showcase_photos (leader_id, caption, content_type, size, sha256, data, actor_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, strings.TrimSpace(caption), ctype, len(clean), hex.EncodeToString(sum[:]), clean, uname, tx.nowMS()); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "talent.showcase_photo", target: fmt.Sprintf("talent_leader:%d photo:%d", id, pid), region: l.Village,
			detail: fmt.Sprintf("%s %d bytes", ctype, len(clean))})
	})
	return pid, err
}

// Showcase lists the published leaders, by banner and industry when
// given: public, so it carries nothing but what each leader agreed to.
func (s *TalentService) Showcase(ctx context.Context, banner, industry string) ([]talent.ShowcaseEntry, error) {
	where, args := []string{"c.published = 1", "l.stage = ?"}, []any{string(talent.StageRecognised)}
	if banner != "" {
		if regioncode.LevelOf(banner) != regioncode.Banner {
			return nil, fault.OnField(fault.Invalid, "banner", "region.not_found")
		}
		lo, hi := regioncode.Range(banner)
		where, args = append(where, "l.village_code >= ? AND l.village_code < ?"), append(args, lo, hi)
	}
	if industry = strings.TrimSpace(industry); industry != "" {
		where, args = append(where, `l.industry LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(industry)+"%")
	}
	var out []talent.ShowcaseEntry
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(sc interface{ Scan(...any) error }) (talent.ShowcaseEntry, error) {
			var e talent.ShowcaseEntry
			var reg region.Region
			err := sc.Scan(&e.Leader, &e.Name, &e.VillageName, &e.Banner, &e.BannerName, &e.Tier, &e.EntityType, &e.EntityName, &e.Industry, &e.Products,
				&e.ConsentDay, &e.LiveChannels, &e.Cities, &e.Fairs, &e.People, &e.Households, &e.NameMongol, &e.VillageMongol, &reg.Kind, &reg.Script)
			e.Published, e.Bilingual = true, reg.Bilingual()
			return e, err
		}, `SELECT l.id, l.name, COALESCE(v.name, ''), substr(l.village_code, 1, 6) || '000000', COALESCE(b.name, ''), l.tier, l.entity_type, l.entity_name,
			l.industry, l.products, c.consent_day, c.live_channels, c.cities, c.fairs, c.people, l.households,
			COALESCE(r.name_mongol, ''), COALESCE(v.name_mongol, ''), COALESCE(v.kind, ''), COALESCE(v.public_script, '')
			FROM talent_leaders l JOIN talent_showcase c ON c.leader_id = l.id LEFT JOIN regions v ON v.code = l.village_code
			LEFT JOIN regions b ON b.code = substr(l.village_code, 1, 6) || '000000'
			LEFT JOIN talent_candidates tc ON tc.id = l.candidate_id LEFT JOIN residents r ON r.id = tc.resident_id AND tc.resident_id <> 0
			WHERE `+strings.Join(where, " AND ")+` ORDER BY l.village_code, l.id LIMIT 2000`, args...)
		if err != nil {
			return err
		}
		for i := range out {
			if out[i].Photos, err = queryAll(ctx, tx, scanInt64, `SELECT id FROM talent_showcase_photos WHERE leader_id = ? ORDER BY id`, out[i].Leader); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ShowcasePhoto returns a showcase photo while its leader is published;
// otherwise it does not exist.
func (s *TalentService) ShowcasePhoto(ctx context.Context, id int64) (string, []byte, error) {
	var ctype string
	var data []byte
	err := s.db.view(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT p.content_type, p.data FROM talent_showcase_photos p JOIN talent_showcase c ON c.leader_id = p.leader_id
			JOIN talent_leaders l ON l.id = p.leader_id WHERE p.id = ? AND c.published = 1 AND l.stage = ?`, id, string(talent.StageRecognised)).Scan(&ctype, &data)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		return err
	})
	return ctype, data, err
}
