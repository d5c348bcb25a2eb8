package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/points"
	"shanzhi/internal/training"
)

var _ training.Attending = (*TrainingService)(nil)

// traineeName is the audit trail's name for a trainee acting through
// their personal link.
const traineeName = "学员链接"

// codeAlphabet leaves out the characters a trainee would misread (0/O,
// 1/I/L).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newShortCode is 8 characters of codeAlphabet, about 40 bits: too few to
// stand alone, so look-ups by code are rate-limited per address.
func newShortCode() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// normCode is a typed short code in its one form.
func normCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
}

// IssueLinks gives each trainee of the class without a personal link one,
// and returns the new links: shown once, since only hashes are kept.
func (s *TrainingService) IssueLinks(ctx context.Context, a *access.Actor, class int64) ([]training.Link, error) {
	var out []training.Link
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.classFor(ctx, a, class, true)
		if err != nil {
			return err
		}
		type row struct {
			id   int64
			name string
		}
		rows, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (row, error) {
			var r row
			err := s.Scan(&r.id, &r.name)
			return r, err
		}, `SELECT e.id, c.name FROM training_enrolments e JOIN cadres c ON c.id = e.cadre_id
			WHERE e.class_id = ? AND NOT EXISTS (SELECT 1 FROM training_links l WHERE l.enrolment_id = e.id)
			ORDER BY COALESCE(c.unit_id, 0), c.region_code, c.name, e.id`, class)
		if err != nil {
			return err
		}
		for _, r := range rows {
			l := training.Link{Enrolment: r.id, Name: r.name, Token: newToken(), Code: newShortCode()}
			if _, err := tx.exec(ctx, `INSERT INTO training_links (enrolment_id, token_hash, code_hash, created_at) VALUES (?, ?, ?, ?)`,
				r.id, tokenHash(l.Token), tokenHash(l.Code), tx.nowMS()); err != nil {
				return err
			}
			out = append(out, l)
		}
		return tx.audit(ctx, a, auditEntry{action: "training.links", target: fmt.Sprintf("training_class:%d", class), region: c.Region,
			detail: fmt.Sprintf("个人链接 %d 个", len(out))})
	})
	return out, err
}

// enrolled is a trainee found by their link's credential.
type enrolled struct {
	id    int64
	name  string
	class *training.Class
}

// byCredential loads the trainee a personal link's token or short code
// names; anything else is not found.
func (tx *Tx) byCredential(ctx context.Context, cred string) (*enrolled, error) {
	var e enrolled
	var class int64
	err := tx.queryRow(ctx, `SELECT e.id, e.class_id, c.name FROM training_links l JOIN training_enrolments e ON e.id = l.enrolment_id
		JOIN cadres c ON c.id = e.cadre_id WHERE l.token_hash = ? OR l.code_hash = ?`, tokenHash(cred), tokenHash(normCode(cred))).Scan(&e.id, &class, &e.name)
	if errors.Is(err, sql.ErrNoRows) || strings.TrimSpace(cred) == "" {
		return nil, fault.E(fault.NotFound, "training.link.unknown")
	}
	if err != nil {
		return nil, err
	}
	c, err := scanClass(tx.queryRow(ctx, classSelect+` WHERE c.id = ?`, class))
	if err != nil {
		return nil, err
	}
	e.class, err = tx.classDetail(ctx, &c)
	return &e, err
}

// traineeActor is who a trainee acts as in the audit trail: nobody's
// account, at the class's region.
func traineeActor(region string) *access.Actor {
	return &access.Actor{Username: traineeName, Grants: []access.Grant{{Role: access.Trainer, Region: region}}}
}

// Trainee opens a personal link's page.
func (s *TrainingService) Trainee(ctx context.Context, cred string) (*training.Trainee, error) {
	var out *training.Trainee
	err := s.db.view(ctx, func(tx *Tx) error {
		e, err := tx.byCredential(ctx, cred)
		if err != nil {
			return err
		}
		out = &training.Trainee{Enrolment: e.id, Name: e.name, Class: e.class, Present: map[int64]training.Attendance{}, Leaves: map[int64]training.Leave{},
			Rated: map[int64]training.Rating{}}
		hours := map[int64]int{}
		for _, x := range e.class.Sessions {
			hours[x.ID] = x.Hours
		}
		as, err := queryAll(ctx, tx, scanAttendance, attendanceSelect+` WHERE enrolment_id = ?`, e.id)
		if err != nil {
			return err
		}
		for _, x := range as {
			out.Present[x.Session] = x
			out.Hours += hours[x.Session]
		}
		ls, err := queryAll(ctx, tx, scanLeave, leaveSelect+` WHERE l.enrolment_id = ?`, e.id)
		if err != nil {
			return err
		}
		for _, l := range ls {
			out.Leaves[l.Session] = l
		}
		rs, err := queryAll(ctx, tx, scanRating, ratingSelect+` WHERE enrolment_id = ?`, e.id)
		if err != nil {
			return err
		}
		for _, x := range rs {
			out.Rated[x.Session] = x
		}
		if err != nil {
			return err
		}
		return tx.traineeOutcome(ctx, out)
	})
	return out, err
}

const attendanceSelect = `SELECT enrolment_id, session_id, how, late, at FROM training_attendance`

func scanAttendance(s interface{ Scan(...any) error }) (training.Attendance, error) {
	var x training.Attendance
	var late int
	var at int64
	err := s.Scan(&x.Enrolment, &x.Session, &x.How, &late, &at)
	x.Late, x.At = late != 0, time.UnixMilli(at)
	return x, err
}

const leaveSelect = `SELECT l.id, l.enrolment_id, c.name, l.session_id, l.reason, l.status FROM training_leaves l
	JOIN training_enrolments e ON e.id = l.enrolment_id JOIN cadres c ON c.id = e.cadre_id`

func scanLeave(s interface{ Scan(...any) error }) (training.Leave, error) {
	var l training.Leave
	err := s.Scan(&l.ID, &l.Enrolment, &l.Name, &l.Session, &l.Reason, &l.Status)
	return l, err
}

// checkinKey is the key the screens' codes are made with: derived from
// the chain key under a label of its own, so a code is no MAC the audit
// trail or a ledger could ever hold, and never stored.
func checkinKey(key points.ChainKey) points.ChainKey {
	return points.ChainKey{Key: []byte(chainMAC(key, "training.checkin")), Hash: key.Hash}
}

// checkinCode is the 6-digit code of a session in a 30-second window.
func checkinCode(key points.ChainKey, session, window int64) string {
	m := hmac.New(key.Hash, key.Key)
	m.Write([]byte(strconv.FormatInt(session, 10) + "\x1f" + strconv.FormatInt(window, 10)))
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(m.Sum(nil))%1000000)
}

// window is the check-in window t falls in.
func window(t time.Time) int64 { return t.Unix() / int64(training.CheckinWindow/time.Second) }

// expiredWindows is how far back a code is recognised as expired rather
// than wrong: the 20 minutes a session's screen plausibly ran.
const expiredWindows = 40

// CheckIn records the trainee at the session of today whose screen shows
// code in this window or the previous one.
func (s *TrainingService) CheckIn(ctx context.Context, cred, code, how string) (*training.Attendance, error) {
	code = strings.TrimSpace(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return nil, fault.E(fault.Invalid, "training.checkin.format")
	}
	if how != training.ByQR {
		how = training.ByCode
	}
	var out *training.Attendance
	err := s.db.update(ctx, func(tx *Tx) error {
		e, err := tx.byCredential(ctx, cred)
		if err != nil {
			return err
		}
		_, ck, err := tx.chainKey()
		if err != nil {
			return err
		}
		key := checkinKey(ck)
		type sess struct {
			id, class   int64
			day, starts string
		}
		today, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (sess, error) {
			var x sess
			err := s.Scan(&x.id, &x.class, &x.day, &x.starts)
			return x, err
		}, `SELECT id, class_id, day, starts FROM training_sessions WHERE day = ? ORDER BY id`, localtime.Day(tx.now))
		if err != nil {
			return err
		}
		w := window(tx.now)
		var found *sess
		expired := false
	search:
		for back := int64(0); back <= expiredWindows; back++ {
			for i := range today {
				if hmac.Equal([]byte(checkinCode(key, today[i].id, w-back)), []byte(code)) {
					found, expired = &today[i], back > 1
					break search
				}
			}
		}
		switch {
		case found == nil:
			return fault.E(fault.Invalid, "training.checkin.wrong")
		case expired:
			return fault.E(fault.Invalid, "training.checkin.expired")
		case found.class != e.class.ID:
			return fault.E(fault.Invalid, "training.checkin.not_enrolled", e.name)
		}
		late := 0
		if start, err := time.ParseInLocation("2006-01-02 15:04", found.day+" "+found.starts, localtime.Zone()); err == nil && tx.now.After(start.Add(training.LateGrace)) {
			late = 1
		}
		res, err := tx.exec(ctx, `INSERT INTO training_attendance (enrolment_id, session_id, how, late, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (enrolment_id, session_id) DO NOTHING`, e.id, found.id, how, late, tx.nowMS())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			if err := tx.audit(ctx, traineeActor(e.class.Region), auditEntry{action: "training.checkin", target: fmt.Sprintf("training_session:%d", found.id),
				region: e.class.Region, detail: fmt.Sprintf("%s 签到 (%s)", e.name, how)}); err != nil {
				return err
			}
		}
		a, err := scanAttendance(tx.queryRow(ctx, attendanceSelect+` WHERE enrolment_id = ? AND session_id = ?`, e.id, found.id))
		out = &a
		return err
	})
	return out, err
}

// MaxLeaveReason bounds a leave request's reason, in characters.
const MaxLeaveReason = 200

// RequestLeave asks the 班主任 for leave from a session of the trainee's
// class that has not passed; once per session.
func (s *TrainingService) RequestLeave(ctx context.Context, cred string, session int64, reason string) (*training.Leave, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxLeaveReason {
		return nil, fault.E(fault.Invalid, "training.leave.reason", MaxLeaveReason)
	}
	var out *training.Leave
	err := s.db.update(ctx, func(tx *Tx) error {
		e, err := tx.byCredential(ctx, cred)
		if err != nil {
			return err
		}
		x, ok := sessionOf(e.class, session)
		switch {
		case !ok:
			return fault.E(fault.Invalid, "training.leave.session")
		case x.Day < localtime.Day(tx.now):
			return fault.E(fault.Invalid, "training.leave.past")
		}
		res, err := tx.exec(ctx, `INSERT INTO training_leaves (enrolment_id, session_id, reason, status, requested_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (enrolment_id, session_id) DO NOTHING`, e.id, session, reason, training.LeavePending, tx.nowMS())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = fault.E(fault.Invalid, "training.leave.twice")
			}
			return err
		}
		if err := tx.audit(ctx, traineeActor(e.class.Region), auditEntry{action: "training.leave", target: fmt.Sprintf("training_session:%d", session),
			region: e.class.Region, detail: e.name + " 请假: " + reason}); err != nil {
			return err
		}
		l, err := scanLeave(tx.queryRow(ctx, leaveSelect+` WHERE l.enrolment_id = ? AND l.session_id = ?`, e.id, session))
		out = &l
		return err
	})
	return out, err
}

// actorUser is the account a record names as who made it; NULL for a
// process acting without one (the demo, an import).
func actorUser(a *access.Actor) any {
	if a == nil || a.UserID == 0 {
		return nil
	}
	return a.UserID
}

func sessionOf(c *training.Class, id int64) (training.Session, bool) {
	for _, x := range c.Sessions {
		if x.ID == id {
			return x, true
		}
	}
	return training.Session{}, false
}

// attendSession loads a session and its class for who keeps the class's
// attendance: its 班主任 or 跟班干部 (classStaff), or who manages the
// programme at its region.
// Anyone else is answered as for a class they may not read.
func (tx *Tx) attendSession(ctx context.Context, a *access.Actor, id int64) (*training.Class, training.Session, error) {
	var class int64
	err := tx.queryRow(ctx, `SELECT s.class_id FROM training_sessions s WHERE s.id = ?`, id).Scan(&class)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, training.Session{}, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, training.Session{}, err
	}
	staff, err := tx.classStaff(ctx, a, class)
	if err != nil {
		return nil, training.Session{}, err
	}
	var c *training.Class
	if staff != training.NotStaff {
		k, err := scanClass(tx.queryRow(ctx, classSelect+` WHERE c.id = ?`, class))
		if err != nil {
			return nil, training.Session{}, err
		}
		c, err = tx.classDetail(ctx, &k)
		if err != nil {
			return nil, training.Session{}, err
		}
	} else if c, err = tx.classFor(ctx, a, class, true); err != nil {
		return nil, training.Session{}, err
	}
	x, _ := sessionOf(c, id)
	return c, x, nil
}

// ScreenCode is the code the session's classroom screen shows now.
func (s *TrainingService) ScreenCode(ctx context.Context, a *access.Actor, session int64) (*training.Screen, error) {
	var out *training.Screen
	err := s.db.view(ctx, func(tx *Tx) error {
		c, x, err := tx.attendSession(ctx, a, session)
		if err != nil {
			return err
		}
		_, ck, err := tx.chainKey()
		if err != nil {
			return err
		}
		w := window(tx.now)
		out = &training.Screen{Class: c, Session: x, Code: checkinCode(checkinKey(ck), session, w),
			Until: time.Unix((w+1)*int64(training.CheckinWindow/time.Second), 0)}
		return nil
	})
	return out, err
}

// roll is a session's attendance sheet.
func (tx *Tx) roll(ctx context.Context, c *training.Class, x training.Session) (*training.Roll, error) {
	out := &training.Roll{Class: c, Session: x}
	marks, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.Mark, error) {
		var m training.Mark
		err := s.Scan(&m.Enrolment, &m.Name)
		return m, err
	}, `SELECT e.id, c.name FROM training_enrolments e JOIN cadres c ON c.id = e.cadre_id
		WHERE e.class_id = ? ORDER BY COALESCE(c.unit_id, 0), c.region_code, c.name, e.id`, c.ID)
	if err != nil {
		return nil, err
	}
	as, err := queryAll(ctx, tx, scanAttendance, attendanceSelect+` WHERE session_id = ?`, x.ID)
	if err != nil {
		return nil, err
	}
	if out.Leaves, err = queryAll(ctx, tx, scanLeave, leaveSelect+` WHERE l.session_id = ? ORDER BY l.id`, x.ID); err != nil {
		return nil, err
	}
	present := map[int64]*training.Attendance{}
	for i := range as {
		present[as[i].Enrolment] = &as[i]
	}
	leave := map[int64]string{}
	for _, l := range out.Leaves {
		leave[l.Enrolment] = l.Status
	}
	for i := range marks {
		marks[i].Present, marks[i].Leave = present[marks[i].Enrolment], leave[marks[i].Enrolment]
	}
	out.Marks = marks
	return out, nil
}

// Roll is a session's attendance sheet, for who keeps it.
func (s *TrainingService) Roll(ctx context.Context, a *access.Actor, session int64) (*training.Roll, error) {
	var out *training.Roll
	err := s.db.view(ctx, func(tx *Tx) error {
		c, x, err := tx.attendSession(ctx, a, session)
		if err != nil {
			return err
		}
		out, err = tx.roll(ctx, c, x)
		return err
	})
	return out, err
}

// MarkRoll sets the session's present trainees to exactly present: the
// missing are ticked by hand, the others' records removed, whoever made
// them, since the 班主任's count in the room is the last word.
func (s *TrainingService) MarkRoll(ctx context.Context, a *access.Actor, session int64, present []int64) (*training.Roll, error) {
	var out *training.Roll
	err := s.db.update(ctx, func(tx *Tx) error {
		c, x, err := tx.attendSession(ctx, a, session)
		if err != nil {
			return err
		}
		r, err := tx.roll(ctx, c, x)
		if err != nil {
			return err
		}
		want := map[int64]bool{}
		for _, id := range present {
			want[id] = true
		}
		added, removed := 0, 0
		for _, m := range r.Marks {
			switch {
			case want[m.Enrolment] && m.Present == nil:
				if _, err := tx.exec(ctx, `INSERT INTO training_attendance (enrolment_id, session_id, how, late, at, by_user) VALUES (?, ?, ?, 0, ?, ?)
					ON CONFLICT (enrolment_id, session_id) DO NOTHING`, m.Enrolment, session, training.ByHand, tx.nowMS(), actorUser(a)); err != nil {
					return err
				}
				added++
			case !want[m.Enrolment] && m.Present != nil:
				if _, err := tx.exec(ctx, `DELETE FROM training_attendance WHERE enrolment_id = ? AND session_id = ?`, m.Enrolment, session); err != nil {
					return err
				}
				removed++
			}
			delete(want, m.Enrolment)
		}
		if len(want) > 0 {
			return fault.E(fault.Invalid, "training.roll.unknown")
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.roll", target: fmt.Sprintf("training_session:%d", session), region: c.Region,
			detail: fmt.Sprintf("点名: 补签 %d 人, 撤销 %d 人", added, removed)}); err != nil {
			return err
		}
		out, err = tx.roll(ctx, c, x)
		return err
	})
	return out, err
}

// DecideLeave approves or refuses a pending leave request for the session.
func (s *TrainingService) DecideLeave(ctx context.Context, a *access.Actor, session, leave int64, approve bool) (*training.Leave, error) {
	var out *training.Leave
	err := s.db.update(ctx, func(tx *Tx) error {
		c, _, err := tx.attendSession(ctx, a, session)
		if err != nil {
			return err
		}
		l, err := scanLeave(tx.queryRow(ctx, leaveSelect+` WHERE l.id = ? AND l.session_id = ?`, leave, session))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.Invalid, "training.leave.unknown")
		}
		if err != nil {
			return err
		}
		if l.Status != training.LeavePending {
			return fault.E(fault.Conflict, "training.leave.decided")
		}
		l.Status = training.LeaveRefused
		if approve {
			l.Status = training.LeaveApproved
		}
		if _, err := tx.exec(ctx, `UPDATE training_leaves SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?`, l.Status, tx.nowMS(), actorUser(a), leave); err != nil {
			return err
		}
		out = &l
		return tx.audit(ctx, a, auditEntry{action: "training.leave." + l.Status, target: fmt.Sprintf("training_session:%d", session), region: c.Region,
			detail: l.Name + " 请假: " + l.Reason})
	})
	return out, err
}

// yearHoursSQL is the hours cadre c attended between two days (yearSpan).
const yearHoursSQL = `(SELECT COALESCE(sum(s.hours), 0) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
	JOIN training_enrolments e ON e.id = a.enrolment_id WHERE e.cadre_id = c.id AND s.day >= ? AND s.day <= ?)`

// yearSpan is the first and last day of now's local year.
func yearSpan(now time.Time) []any {
	y := localtime.Day(now)[:4]
	return []any{y + "-01-01", y + "-12-31"}
}

// CadreHours is the cadre's hours this year against their rank's.
func (s *TrainingService) CadreHours(ctx context.Context, a *access.Actor, cadre int64) (*training.YearHours, error) {
	var out training.YearHours
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.cadreFor(ctx, a, cadre, false); err != nil {
			return err
		}
		span := yearSpan(tx.now)
		out.Year = span[0].(string)[:4]
		return tx.queryRow(ctx, `SELECT `+yearHoursSQL+`, k.hours FROM cadres c JOIN cadre_ranks k ON k.code = c.rank_code WHERE c.id = ?`,
			append(span, cadre)...).Scan(&out.Hours, &out.Required)
	})
	return &out, err
}
