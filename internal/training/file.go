package training

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/org"
)

// States of a retake's 情况说明.
const (
	StatementSubmitted = "submitted" // waiting for the department
	StatementAccepted  = "accepted"
	StatementReturned  = "returned" // the trainee writes it anew
)

// MaxStatement bounds a 情况说明's text, in characters.
const MaxStatement = 2000

// MaxStatementFile bounds the file beside a 情况说明.
const MaxStatementFile = 10 << 20

// MaxComment bounds the department's comment on a 情况说明.
const MaxComment = 500

// RetakeOverdueDays is how long a retake may stay open before the loop
// page marks it overdue: a later class is due within a half year.
const RetakeOverdueDays = 180

// Statement is a 情况说明 a 重修 trainee sent the department, and its
// review.
type Statement struct {
	ID        int64     `json:"id"`
	Enrolment int64     `json:"enrolment"`
	Text      string    `json:"text"`
	FileType  string    `json:"file_type,omitempty"` // "" for none
	FileSize  int       `json:"file_size,omitempty"`
	Status    string    `json:"status"`
	Comment   string    `json:"comment,omitempty"`
	Submitted time.Time `json:"submitted"`
	Decided   time.Time `json:"decided,omitzero"`
}

// StatementInput is what a trainee sends: the text and, optionally, one
// file (PDF, JPEG or PNG).
type StatementInput struct {
	// Enrolment is the 重修 enrolment it answers for: one of the
	// trainee's, whichever class's link they opened; 0 for the link's own.
	Enrolment int64
	Text      string
	File      []byte
}

// Validate checks the text and the file's size; the store checks the
// file's type by its bytes.
func (in *StatementInput) Validate() error {
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" || utf8.RuneCountInString(in.Text) > MaxStatement {
		return fault.OnField(fault.Invalid, "text", "training.retake.text", MaxStatement)
	}
	if len(in.File) > MaxStatementFile {
		return fault.OnField(fault.TooLarge, "file", "training.retake.file_size", MaxStatementFile>>20)
	}
	return nil
}

// RetakeCase is one 重修 outcome and what became of it: the trainee's
// statements, the later classes they were enrolled in, and, once a later
// class gave 合格 or 优秀, the class that closed it.
type RetakeCase struct {
	Enrolment  int64       `json:"enrolment"` // the enrolment whose outcome was 重修
	Cadre      int64       `json:"cadre"`
	Name       string      `json:"name"`
	Unit       string      `json:"unit"`
	Rank       string      `json:"rank"`
	Class      ClassRef    `json:"class"`
	ClassEnd   string      `json:"class_end"`
	Region     string      `json:"region"`
	Reasons    []string    `json:"reasons"`
	Since      time.Time   `json:"since"` // the outcome's confirmation
	Days       int         `json:"days"`  // open for, or took to close
	Statement  *Statement  `json:"statement,omitempty"`
	Later      []ClassRef  `json:"later,omitempty"` // later classes enrolled in
	ClosedBy   *ClassRef   `json:"closed_by,omitempty"`
	Statements []Statement `json:"-"`
}

// Open reports whether the case still waits for a later class's 合格 or
// 优秀.
func (c RetakeCase) Open() bool { return c.ClosedBy == nil }

// Overdue reports whether an open case has waited too long.
func (c RetakeCase) Overdue() bool { return c.Open() && c.Days > RetakeOverdueDays }

// FileClass is one class of a cadre's training file.
type FileClass struct {
	Enrolment     int64    `json:"enrolment"`
	Class         ClassRef `json:"class"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	Hours         int      `json:"hours"`
	HoursRequired int      `json:"hours_required"`
	Outcome       string   `json:"outcome,omitempty"` // "" until confirmed
	Reasons       []string `json:"reasons,omitempty"`
	Certificate   string   `json:"certificate,omitempty"` // the serial, "" for none
	CertKind      string   `json:"certificate_kind,omitempty"`
}

// FileYear is a cadre's training in one year: hours against what their
// rank requires, the classes begun that year, and retakes.
type FileYear struct {
	YearHours
	Classes     []FileClass  `json:"classes"`
	Retakes     []RetakeCase `json:"retakes,omitempty"` // cases arising in the year
	RetakesOpen int          `json:"retakes_open"`
}

// CadreFile is a cadre's 参训档案, newest year first.
type CadreFile struct {
	Cadre org.Cadre  `json:"-"`
	Years []FileYear `json:"years"`
}

// Year returns the file's year y, or an empty one.
func (f *CadreFile) Year(y string) FileYear {
	for _, x := range f.Years {
		if x.Year == y {
			return x
		}
	}
	return FileYear{YearHours: YearHours{Year: y}}
}

// FileRow is a cadre's line of a unit's yearly sheet (年度考核, 干部政治素质档案).
type FileRow struct {
	Cadre        int64    `json:"cadre"`
	Name         string   `json:"name"`
	Unit         string   `json:"unit"`
	Post         string   `json:"post"`
	Rank         string   `json:"rank"`
	Required     int      `json:"required"`
	Hours        int      `json:"hours"`
	Classes      []string `json:"classes"`
	Outcomes     []string `json:"outcomes"` // per class, in its order
	Certificates []string `json:"certificates"`
	RetakesOpen  int      `json:"retakes_open"`
}

// FileFilter picks the cadres of a yearly sheet.
type FileFilter struct {
	Region string
	Unit   int64
	Year   string // YYYY
}

// Counts are the figures of one group of trainees.
type Counts struct {
	Key       string         `json:"key"`   // the class id, unit id or rank code
	Label     string         `json:"label"` // its name
	Enrolled  int            `json:"enrolled"`
	Attended  int            `json:"attended"` // trainees present at one session at least
	Hours     int            `json:"hours"`    // attended hours, summed
	Excellent int            `json:"excellent"`
	Pass      int            `json:"pass"`
	Retake    int            `json:"retake"`
	Reasons   map[string]int `json:"reasons"` // 重修 by reason; a trainee may count under several
}

// Figures are a year's figures of a department's classes: per class, per
// unit and per rank, and the total.
type Figures struct {
	Region  string   `json:"region"`
	Year    string   `json:"year"`
	Rank    string   `json:"rank,omitempty"` // the rank filter, "" for all
	Classes []Counts `json:"classes"`
	Units   []Counts `json:"units"`
	Ranks   []Counts `json:"ranks"`
	Total   Counts   `json:"total"`
}

// Group returns the figures of a group by name: classes, units, ranks,
// or the total as a one-line list.
func (f *Figures) Group(name string) []Counts {
	switch name {
	case "classes":
		return f.Classes
	case "units":
		return f.Units
	case "ranks":
		return f.Ranks
	}
	return []Counts{f.Total}
}

// FiguresFilter picks a year's classes of a region, and optionally the
// trainees of one rank.
type FiguresFilter struct {
	Region string
	Year   string
	Rank   string
}

// Files is the yearly side of the programme: cadres' training files, the
// retake loop and the figures. Errors as Service's.
type Files interface {
	// CadreFile is a cadre's training file, by whoever reads the cadre.
	CadreFile(ctx context.Context, a *access.Actor, cadre int64) (*CadreFile, error)
	// TraineeFile is the file of the cadre a personal link belongs to,
	// to them alone.
	TraineeFile(ctx context.Context, cred string) (*CadreFile, error)
	// FileRows are a year's lines of the cadres of a region or unit.
	FileRows(ctx context.Context, a *access.Actor, f FileFilter) ([]FileRow, error)
	// SubmitStatement records the 情况说明 of a trainee whose outcome is
	// 重修 and who has none waiting.
	SubmitStatement(ctx context.Context, cred string, in StatementInput) (*Statement, error)
	// StatementFile is a statement's file, to who reads its class.
	StatementFile(ctx context.Context, a *access.Actor, id int64) (*Statement, []byte, error)
	// DecideStatement accepts a waiting statement or returns it with a
	// comment (needed to return).
	DecideStatement(ctx context.Context, a *access.Actor, id int64, accept bool, comment string) (*Statement, error)
	// Retakes lists a region's retake cases: open ones longest open
	// first, then those closed, most recent first.
	Retakes(ctx context.Context, a *access.Actor, region string, closed bool) ([]RetakeCase, error)
	Figures(ctx context.Context, a *access.Actor, f FiguresFilter) (*Figures, error)
}
