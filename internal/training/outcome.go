package training

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// The three sources of a trainee's evaluation (三维评价).
const (
	Observer    = "observer"    // 组织部跟班干部考察评价: a score and notes
	Headteacher = "headteacher" // 班主任画像评价: a score per dimension
	Exam        = "exam"        // 结业考核成绩
)

// Sources lists the sources in the order pages show them.
var Sources = []string{Observer, Headteacher, Exam}

// Outcomes of a class, as the evaluation gives them and the department
// confirms them.
const (
	Excellent = "excellent" // 优秀
	Pass      = "pass"      // 合格
	Retake    = "retake"    // 重修
)

// Reasons a trainee must retake.
const (
	ReasonHours      = "hours"      // 学时不够
	ReasonEvaluation = "evaluation" // 评价不达标
	ReasonExam       = "exam"       // 结业成绩不合格
)

// RetakeReasons lists the reasons in the order pages and sheets show them.
var RetakeReasons = []string{ReasonHours, ReasonEvaluation, ReasonExam}

// Certificate kinds.
const (
	CertExcellent  = "excellent"  // 优秀证书
	CertCompletion = "completion" // 结业证书
)

// MaxDims bounds a portrait's dimensions; MaxNotes an observation's notes.
const (
	MaxDims  = 8
	MaxNotes = 500
)

// DefaultDims are the portrait's dimensions a class starts with.
var DefaultDims = []string{"学习态度", "纪律", "互动研讨", "作业"}

// Rules are how a class's outcomes are computed.
//
// A trainee must retake (重修) when any of these holds, each a reason:
// their hours are below the class's HoursRequired (学时不够); their
// evaluation — the mean of the 跟班干部's score and the 班主任's portrait —
// is below EvalPass (评价不达标); their exam score is below ExamPass or
// missing (结业成绩不合格). The others pass (合格), and among them those
// whose total — the mean of the three scores — reaches ExcellentMin are
// 优秀, up to the cap.
//
// The cap (a count, or a percentage of the class's trainees rounded down;
// the smaller when both are set, 0 for none) takes the candidates by
// total, then exam score, then hours. When candidates tie across the cap
// — the same total, exam score and hours on both sides of it — none of
// the tied is 优秀: the cap is never exceeded and no one is picked by
// lot; the department sees them marked and may lift the cap.
type Rules struct {
	Dims         []string `json:"dims"`
	EvalPass     int      `json:"eval_pass"`
	ExamPass     int      `json:"exam_pass"`
	ExcellentMin int      `json:"excellent_min"`
	Cap          int      `json:"excellent_cap"`     // 0 for no count cap
	CapPercent   int      `json:"excellent_cap_pct"` // 0 for no percentage cap
}

// DefaultRules are a new class's rules.
func DefaultRules() Rules {
	return Rules{Dims: append([]string{}, DefaultDims...), EvalPass: 60, ExamPass: 60, ExcellentMin: 90}
}

// Normalize trims the dimensions' names.
func (r *Rules) Normalize() {
	var dims []string
	for _, d := range r.Dims {
		if d = strings.TrimSpace(d); d != "" {
			dims = append(dims, d)
		}
	}
	r.Dims = dims
}

// Validate checks the rules.
func (r Rules) Validate() error {
	var fs fault.Fields
	seen := map[string]bool{}
	bad := len(r.Dims) == 0 || len(r.Dims) > MaxDims
	for _, d := range r.Dims {
		bad = bad || seen[d] || utf8.RuneCountInString(d) > 10
		seen[d] = true
	}
	if bad {
		fs.Add("dims", "training.rules.dims", MaxDims)
	}
	for _, x := range []struct {
		field string
		v     int
	}{{"eval_pass", r.EvalPass}, {"exam_pass", r.ExamPass}, {"excellent_min", r.ExcellentMin}} {
		if x.v < 0 || x.v > 100 {
			fs.Add(x.field, "training.rules.mark")
		}
	}
	if r.Cap < 0 || r.Cap > 1000 {
		fs.Add("excellent_cap", "training.rules.cap")
	}
	if r.CapPercent < 0 || r.CapPercent > 100 {
		fs.Add("excellent_cap_pct", "training.rules.cap_pct")
	}
	return fs.Err()
}

// CapFor is the most 优秀 a class of n trainees may have; -1 for no cap.
func (r Rules) CapFor(n int) int {
	limit := -1
	if r.Cap > 0 {
		limit = r.Cap
	}
	if r.CapPercent > 0 {
		if p := n * r.CapPercent / 100; limit < 0 || p < limit {
			limit = p
		}
	}
	return limit
}

// EvaluationInput is one source's evaluation of a trainee.
type EvaluationInput struct {
	Enrolment int64          `json:"enrolment"`
	Source    string         `json:"source"`
	Score     int            `json:"score"` // observer and exam; the portrait's is the mean of Dims
	Dims      map[string]int `json:"dims,omitempty"`
	Notes     string         `json:"notes,omitempty"`
}

// Validate checks an evaluation against the class's rules, and for a
// portrait sets Score to the mean of its dimensions, rounded.
func (in *EvaluationInput) Validate(r Rules) error {
	var fs fault.Fields
	in.Notes = strings.TrimSpace(in.Notes)
	switch in.Source {
	case Observer, Exam:
		in.Dims = nil
	case Headteacher:
		sum := 0
		if len(in.Dims) != len(r.Dims) {
			fs.Add("dims", "training.eval.dims", strings.Join(r.Dims, "、"))
			break
		}
		for _, d := range r.Dims {
			v, ok := in.Dims[d]
			if !ok || v < 0 || v > 100 {
				fs.Add("dims", "training.eval.dims", strings.Join(r.Dims, "、"))
				break
			}
			sum += v
		}
		in.Score = (2*sum + len(r.Dims)) / (2 * len(r.Dims))
	default:
		fs.Add("source", "training.eval.source")
	}
	if in.Score < 0 || in.Score > 100 {
		fs.Add("score", "training.eval.score")
	}
	if utf8.RuneCountInString(in.Notes) > MaxNotes {
		fs.Add("notes", "training.eval.notes", MaxNotes)
	}
	return fs.Err()
}

// Evaluation is a stored evaluation.
type Evaluation struct {
	EvaluationInput
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Outcome is what the rules made of a trainee.
type Outcome struct {
	Enrolment int64     `json:"enrolment"`
	Outcome   string    `json:"outcome"`
	Reasons   []string  `json:"reasons,omitempty"` // of a retake
	Hours     int       `json:"hours"`
	Total     int       `json:"total"` // the mean of the three scores, in tenths
	Computed  time.Time `json:"computed"`
	Confirmed time.Time `json:"confirmed"` // zero until the department confirms
	// CapTie marks a trainee who reached 优秀's mark but tied across the
	// cap, so is 合格.
	CapTie bool `json:"cap_tie,omitempty"`
	// Capped marks one who reached 优秀's mark below the cap.
	Capped bool `json:"capped,omitempty"`
}

// Scores are one trainee's figures the rules read; a missing score is -1.
type Scores struct {
	Enrolment int64
	Hours     int
	Observer  int
	Portrait  int
	Exam      int
}

// Eval is the trainee's evaluation: the mean of the observer's score and
// the portrait's, in tenths.
func (s Scores) Eval() int { return (s.Observer + s.Portrait) * 5 }

// Total is the mean of the three scores, in tenths, a missing exam
// counting 0.
func (s Scores) Total() int {
	exam := max(s.Exam, 0)
	return ((s.Observer+s.Portrait+exam)*10 + 1) / 3
}

// Compute applies the class's rules to its trainees' scores, in their
// order. Every trainee must have both evaluations (the store refuses
// otherwise); a missing exam score is an exam not passed.
func Compute(r Rules, hoursRequired int, scores []Scores) []Outcome {
	out := make([]Outcome, len(scores))
	var cand []int
	for i, s := range scores {
		o := Outcome{Enrolment: s.Enrolment, Hours: s.Hours, Total: s.Total(), Outcome: Pass}
		if s.Hours < hoursRequired {
			o.Reasons = append(o.Reasons, ReasonHours)
		}
		if s.Eval() < r.EvalPass*10 {
			o.Reasons = append(o.Reasons, ReasonEvaluation)
		}
		if s.Exam < r.ExamPass {
			o.Reasons = append(o.Reasons, ReasonExam)
		}
		switch {
		case len(o.Reasons) > 0:
			o.Outcome = Retake
		case o.Total >= r.ExcellentMin*10:
			cand = append(cand, i)
		}
		out[i] = o
	}
	key := func(i int) [3]int { return [3]int{out[i].Total, max(scores[i].Exam, 0), scores[i].Hours} }
	sort.SliceStable(cand, func(x, y int) bool {
		a, b := key(cand[x]), key(cand[y])
		for k := range a {
			if a[k] != b[k] {
				return a[k] > b[k]
			}
		}
		return false
	})
	limit := r.CapFor(len(scores))
	if limit < 0 || limit >= len(cand) {
		limit = len(cand)
	}
	var cut [3]int
	tied := false
	if limit < len(cand) {
		// Ties across the cap: everyone tied with the first left out is
		// left out too.
		cut = key(cand[limit])
		for limit > 0 && key(cand[limit-1]) == cut {
			limit, tied = limit-1, true
		}
	}
	for k, i := range cand {
		if k < limit {
			out[i].Outcome = Excellent
			continue
		}
		out[i].Capped, out[i].CapTie = true, tied && key(i) == cut
	}
	return out
}

// Certificate is a certificate of a confirmed outcome, with the content it
// was issued with.
type Certificate struct {
	ID        int64     `json:"id"`
	Serial    string    `json:"serial"`
	Token     string    `json:"-"` // the QR's key; only the pages that print it read it
	Enrolment int64     `json:"enrolment"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Class     string    `json:"class"`
	Start     string    `json:"start"`
	End       string    `json:"end"`
	Hours     int       `json:"hours"`
	Issuer    string    `json:"issuer"`
	Region    string    `json:"region"`
	Issued    time.Time `json:"issued"`
	Revoked   time.Time `json:"revoked"` // zero while in force
	Reason    string    `json:"revoked_reason,omitempty"`
	Cadre     int64     `json:"cadre"`
	ClassID   int64     `json:"class_id"`
}

// InForce reports whether the certificate has not been revoked.
func (c Certificate) InForce() bool { return c.Revoked.IsZero() }

// MaxRevokeReason bounds a revocation's reason, in characters.
const MaxRevokeReason = 200

// Graduate is a trainee's row of a class's evaluation sheet: their
// evaluations by source, their outcome and certificate, if any.
type Graduate struct {
	Enrolment   int64                 `json:"enrolment"`
	Cadre       int64                 `json:"cadre"`
	Name        string                `json:"name"`
	Unit        string                `json:"unit"`
	Hours       int                   `json:"hours"`
	Evaluations map[string]Evaluation `json:"evaluations"`
	Outcome     *Outcome              `json:"outcome,omitempty"`
	Certificate *Certificate          `json:"certificate,omitempty"`
}

// Sheet is a class's evaluation sheet, and what the actor may do on it.
type Sheet struct {
	Class     *Class     `json:"-"`
	Rules     Rules      `json:"rules"`
	Graduates []Graduate `json:"graduates"`
	Ended     bool       `json:"ended"`     // the class's last day has passed
	Confirmed bool       `json:"confirmed"` // the outcomes are confirmed
	// The sources the actor may enter: observer for the class's 跟班干部,
	// headteacher for its 班主任, all three for the department.
	MayEnter []string `json:"may_enter"`
	Manage   bool     `json:"manage"` // the actor manages the programme here
}

// ExamRow is one row of an exam-score sheet.
type ExamRow struct {
	Line  int
	Name  string
	ID    string // the trainee's masked ID number or enrolment, as the template gives it
	Score int
	Err   error
}

// Evaluating is the evaluation side of the programme (issue 15 items 6
// and 7). Errors as Service's; fault.Conflict for a change to confirmed
// outcomes.
type Evaluating interface {
	// EvaluationSheet is the class's trainees with their evaluations,
	// outcomes and certificates: for who reads the class, its 班主任 and
	// its 跟班干部.
	EvaluationSheet(ctx context.Context, a *access.Actor, class int64) (*Sheet, error)
	// SetRules changes the class's rules, until its outcomes are confirmed.
	SetRules(ctx context.Context, a *access.Actor, class int64, r Rules) (*Sheet, error)
	// SetEscort names the account of the class's 跟班干部.
	SetEscort(ctx context.Context, a *access.Actor, class int64, username string) (*Sheet, error)
	// Evaluate enters evaluations of the class's trainees, all or none:
	// observer scores by its 跟班干部, portraits by its 班主任, anything by
	// the department.
	Evaluate(ctx context.Context, a *access.Actor, class int64, in []EvaluationInput) (*Sheet, error)
	// ImportExam enters a sheet of exam scores, all or none; with commit
	// false it only checks.
	ImportExam(ctx context.Context, a *access.Actor, class int64, rows []ExamRow, commit bool) ([]ExamRow, error)
	// ComputeOutcomes applies the rules, after the class's last day.
	ComputeOutcomes(ctx context.Context, a *access.Actor, class int64) (*Sheet, error)
	// ConfirmOutcomes fixes the computed outcomes (the department).
	ConfirmOutcomes(ctx context.Context, a *access.Actor, class int64) (*Sheet, error)
	// IssueCertificates gives each confirmed 优秀 or 合格 trainee named
	// (all of them for none) their certificate; a 重修 trainee is refused.
	IssueCertificates(ctx context.Context, a *access.Actor, class int64, enrolments []int64) ([]Certificate, error)
	Certificate(ctx context.Context, a *access.Actor, id int64) (*Certificate, error)
	RevokeCertificate(ctx context.Context, a *access.Actor, id int64, reason string) (*Certificate, error)
	// VerifyCertificate is the public verification page's: the
	// certificate whose QR token is given, revoked or not.
	VerifyCertificate(ctx context.Context, token string) (*Certificate, error)
	// CadreCertificates lists a cadre's certificates, for their file.
	CadreCertificates(ctx context.Context, a *access.Actor, cadre int64) ([]Certificate, error)
}
