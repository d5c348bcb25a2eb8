package training

import (
	"context"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
)

// Unit nominations (单位推荐): the department gives a class's places to
// units by quota; a unit's staff nominate their own cadres in post up to
// it, through the same 入学关 as a summons.

// MaxQuota bounds one unit's places in a class.
const MaxQuota = 1000

// SourceNomination marks an enrolment a unit nominated; SourceSummons one
// the department summoned (点名调训).
const (
	SourceSummons    = "summons"
	SourceNomination = "nomination"
)

// QuotaInput is one unit's places in a class.
type QuotaInput struct {
	Unit  int64
	Quota int
}

// Quota is a unit's places in a class and how many it has nominated.
type Quota struct {
	Class     int64
	ClassName string
	Start     string
	End       string
	Unit      int64
	UnitName  string
	Quota     int
	Nominated int
}

// Validate checks the quotas of one setting: each unit once, 0 to MaxQuota.
func ValidateQuotas(in []QuotaInput) error {
	var fs fault.Fields
	seen := map[int64]bool{}
	for _, q := range in {
		switch {
		case q.Unit <= 0:
			fs.Add("unit", "training.quota.unit_invalid")
		case seen[q.Unit]:
			fs.Add("unit", "training.quota.unit_twice", q.Unit)
		case q.Quota < 0 || q.Quota > MaxQuota:
			fs.Add("quota", "training.quota.range", MaxQuota)
		}
		seen[q.Unit] = true
	}
	if len(in) == 0 {
		fs.Add("unit", "training.quota.none")
	}
	return fs.Err()
}

// Nominating is the units' side of the programme. Errors as Service's.
type Nominating interface {
	// Quotas lists a class's quotas by unit with their nominations.
	Quotas(ctx context.Context, a *access.Actor, class int64) ([]Quota, error)
	// SetQuotas sets units' places in a class the actor manages, all or
	// none: a unit in the class's region, not below what it has
	// nominated already. A quota of 0 takes the unit's places away.
	SetQuotas(ctx context.Context, a *access.Actor, class int64, in []QuotaInput) ([]Quota, error)
	// UnitQuotas lists the classes a unit has places in, newest first.
	UnitQuotas(ctx context.Context, a *access.Actor, unit int64) ([]Quota, error)
	// UnitCadres lists a unit's cadres in post, by name.
	UnitCadres(ctx context.Context, a *access.Actor, unit int64) ([]org.Cadre, error)
	// Nominate enrols a unit's cadres in a class within its quota, after
	// the 入学关: all, or none with each refusal.
	Nominate(ctx context.Context, a *access.Actor, class, unit int64, cadres []int64) ([]Admission, error)
	// Withdraw takes a nomination back (the department), freeing the
	// unit's place; refused once the trainee has attended.
	Withdraw(ctx context.Context, a *access.Actor, class, enrolment int64) error
	// CanNominate answers nil when the actor may nominate for the unit,
	// fault.NotFound otherwise.
	CanNominate(ctx context.Context, a *access.Actor, unit int64) error
	// UnitEnrolments are the unit's trainees of a class, for its notice.
	UnitEnrolments(ctx context.Context, a *access.Actor, class, unit int64) (*Class, []Enrolment, error)
}
