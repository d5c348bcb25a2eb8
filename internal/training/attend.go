package training

import (
	"context"
	"time"

	"shanzhi/internal/access"
)

// CheckinWindow is how long a classroom screen's code lasts; a code is
// accepted in its window and the next, so a trainee who scanned just
// before the change is not refused.
const CheckinWindow = 30 * time.Second

// LateGrace is how long after a session's start a check-in still counts
// as on time.
const LateGrace = 10 * time.Minute

// How an attendance was recorded.
const (
	ByQR   = "qr"   // the trainee's page posted the scanned screen code
	ByCode = "code" // the trainee typed the code under the QR
	ByHand = "hand" // the 班主任 ticked it
)

// Leave request states.
const (
	LeavePending  = "pending"
	LeaveApproved = "approved"
	LeaveRefused  = "refused"
)

// Link is a trainee's personal link as issued: the token and the short
// code are shown once, only their hashes are kept.
type Link struct {
	Enrolment int64  `json:"enrolment"`
	Name      string `json:"name"`
	Token     string `json:"token"`
	Code      string `json:"code"`
}

// Attendance is one trainee's presence at one session.
type Attendance struct {
	Enrolment int64     `json:"enrolment"`
	Session   int64     `json:"session"`
	How       string    `json:"how"`
	Late      bool      `json:"late"`
	At        time.Time `json:"at"`
}

// Leave is a trainee's leave request for a session.
type Leave struct {
	ID        int64  `json:"id"`
	Enrolment int64  `json:"enrolment"`
	Name      string `json:"name"`
	Session   int64  `json:"session"`
	Reason    string `json:"reason"`
	Status    string `json:"status"`
}

// Mark is a trainee's row of a session's roll: present (with how and
// whether late) or not, and their leave, if any.
type Mark struct {
	Enrolment int64       `json:"enrolment"`
	Name      string      `json:"name"`
	Present   *Attendance `json:"present,omitempty"`
	Leave     string      `json:"leave,omitempty"` // a Leave status, "" for none
}

// Roll is a session's attendance sheet.
type Roll struct {
	Class   *Class  `json:"-"`
	Session Session `json:"session"`
	Marks   []Mark  `json:"marks"`
	Leaves  []Leave `json:"leaves"`
}

// Screen is what the classroom screen shows: the current code and when
// it changes.
type Screen struct {
	Class   *Class    `json:"-"`
	Session Session   `json:"session"`
	Code    string    `json:"code"`
	Until   time.Time `json:"until"`
}

// Trainee is what a trainee's own page shows: their class, sessions,
// attendance, leaves and hours.
type Trainee struct {
	Enrolment int64
	Name      string
	Class     *Class
	Present   map[int64]Attendance // by session
	Leaves    map[int64]Leave      // by session
	Rated     map[int64]Rating     // the teachers they rated, by session
	Hours     int
	// Outcome is the trainee's outcome once the department confirmed it;
	// Certificate their certificate in force, if any.
	Outcome     *Outcome
	Certificate *Certificate
}

// Attending is the attendance side of the programme. The trainee's
// methods take the credential of their personal link — its token or its
// short code — instead of an actor; any other credential is not found.
type Attending interface {
	// IssueLinks gives every trainee of the class without a link one.
	IssueLinks(ctx context.Context, a *access.Actor, class int64) ([]Link, error)
	Trainee(ctx context.Context, cred string) (*Trainee, error)
	// CheckIn records the trainee at the session whose screen shows code
	// now (or showed it in the previous window); a retry returns the
	// first record.
	CheckIn(ctx context.Context, cred, code, how string) (*Attendance, error)
	RequestLeave(ctx context.Context, cred string, session int64, reason string) (*Leave, error)
	ScreenCode(ctx context.Context, a *access.Actor, session int64) (*Screen, error)
	Roll(ctx context.Context, a *access.Actor, session int64) (*Roll, error)
	// MarkRoll sets the session's present trainees to exactly those
	// given, by the 班主任's hand.
	MarkRoll(ctx context.Context, a *access.Actor, session int64, present []int64) (*Roll, error)
	DecideLeave(ctx context.Context, a *access.Actor, session, leave int64, approve bool) (*Leave, error)
}

// YearHours is a cadre's training hours in a year against what their
// rank requires.
type YearHours struct {
	Year     string `json:"year"`
	Hours    int    `json:"hours"`
	Required int    `json:"required"`
}

// Short is whether the cadre is short of their rank's hours.
func (y YearHours) Short() bool { return y.Hours < y.Required }

// Hours is the yearly side of attendance: a cadre's hours this year.
type Hours interface {
	CadreHours(ctx context.Context, a *access.Actor, cadre int64) (*YearHours, error)
}
