package training

import (
	"context"

	"shanzhi/internal/access"
	"shanzhi/internal/org"
)

// TargetFilter picks the cadres a class is for (点名调训) from the
// register: by rank, unit and sector, and those never enrolled in a class
// addressing a competency.
type TargetFilter struct {
	Rank      string
	Sector    string
	Unit      int64
	Untrained string // a competency; "" for any
	// HoursShort picks those whose hours this year are below their
	// rank's requirement.
	HoursShort bool
	// RetakeDue picks those with a 重修 not yet made good whose 情况说明
	// the department accepted, and who are in no class that has not ended.
	RetakeDue bool
}

// MaxEnrol bounds one summons.
const MaxEnrol = 1000

// Enrolment is a cadre enrolled in a class.
type Enrolment struct {
	ID     int64
	Class  int64
	Cadre  org.Cadre
	Source string // "summons"
	Hours  int    // of the sessions attended
	Link   bool   // whether the trainee has a personal link
}

// Admission is the 入学关 for one cadre of a summons: nil Err when they
// may be enrolled.
type Admission struct {
	Cadre int64
	Name  string
	Err   error
}

// Enrolling is the summoning side of the programme. Enrol checks every
// cadre at the 入学关 — in post in the class's region, not enrolled in the
// class already, not in another class on overlapping days, within the
// class's capacity — and enrols them all, or, when any is refused, none,
// answering fault.Invalid with each cadre's admission.
type Enrolling interface {
	Targets(ctx context.Context, a *access.Actor, class int64, f TargetFilter) ([]org.Cadre, error)
	Enrol(ctx context.Context, a *access.Actor, class int64, cadres []int64) ([]Admission, error)
	Enrolments(ctx context.Context, a *access.Actor, class int64) ([]Enrolment, error)
}
