package talent

import (
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
)

// List names one of the three lists every leader carries (逐人细化落实
// 具体措施).
type List string

// The three lists.
const (
	Pairing  List = "pairing"  // 结对帮带清单: households or young entrepreneurs the leader mentors
	Industry List = "industry" // 产业帮扶清单: projects with beneficiary households
	Training List = "training" // 培训指导清单: trainings given or received
)

// Lists lists the three in the notice's order.
var Lists = []List{Pairing, Industry, Training}

// Valid reports whether l is one of the three.
func (l List) Valid() bool { return l == Pairing || l == Industry || l == Training }

// MeasureStatus is where a measure stands.
type MeasureStatus string

// The statuses.
const (
	Planned MeasureStatus = "planned"
	Ongoing MeasureStatus = "ongoing"
	Done    MeasureStatus = "done"
)

// MeasureStatuses lists them in order.
var MeasureStatuses = []MeasureStatus{Planned, Ongoing, Done}

// Valid reports whether s is known.
func (s MeasureStatus) Valid() bool { return s == Planned || s == Ongoing || s == Done }

// MeasureInput is a new measure on a list.
type MeasureInput struct {
	List     List
	Title    string // the measure itself
	Goal     string
	Owner    string // who answers for it
	Deadline string // 2006-01-02
	// Partner is who is mentored (pairing) or the beneficiary household
	// (industry, by its registry id in Household).
	Partner   string
	Household int64
	// Direction says, on the training list, whether the leader gives the
	// training or receives it: both count toward growing a leader, but a
	// county reports them apart.
	Direction Direction
}

// Direction is which way a training goes.
type Direction string

// The directions.
const (
	Gives    Direction = "gives"    // 授课指导
	Receives Direction = "receives" // 参加培训
)

// Directions lists them in the order forms show them.
var Directions = []Direction{Gives, Receives}

// Valid reports whether d is known.
func (d Direction) Valid() bool { return d == Gives || d == Receives }

// Normalize trims the texts.
func (in *MeasureInput) Normalize() {
	for _, p := range []*string{&in.Title, &in.Goal, &in.Owner, &in.Deadline, &in.Partner} {
		*p = strings.TrimSpace(*p)
	}
}

// Validate checks a new measure: every one has a measure, an owner and a
// deadline; an industry project names its beneficiary household from the
// registry, a pairing its partner.
func (in MeasureInput) Validate() error {
	var fs fault.Fields
	if !in.List.Valid() {
		fs.Add("list", "talent.measure.list_invalid")
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 200 {
		fs.Add("title", "talent.measure.title_invalid")
	}
	if utf8.RuneCountInString(in.Goal) > 200 {
		fs.Add("goal", "talent.candidate.too_long", 200)
	}
	if n := utf8.RuneCountInString(in.Owner); n == 0 || n > MaxShort {
		fs.Add("owner", "talent.measure.owner_invalid")
	}
	if _, err := time.Parse(time.DateOnly, in.Deadline); err != nil {
		fs.Add("deadline", "talent.round.date_invalid")
	}
	switch in.List {
	case Pairing:
		if in.Partner == "" || utf8.RuneCountInString(in.Partner) > MaxShort {
			fs.Add("partner", "talent.measure.partner_invalid")
		}
	case Industry:
		if in.Household <= 0 {
			fs.Add("household", "talent.measure.household_invalid")
		}
	case Training:
		if !in.Direction.Valid() {
			fs.Add("direction", "talent.measure.direction_invalid")
		}
	}
	return fs.Err()
}

// Measure is a stored measure with its progress.
type Measure struct {
	MeasureInput
	ID        int64
	Leader    int64
	Name      string // the leader's name, in cross-leader lists
	Village   string
	HouseNo   string // the beneficiary's 户号
	Status    MeasureStatus
	Logs      int
	Amount    int64 // sum of logged amounts: income increase (元) or attendees
	Evidence  string
	LastLog   time.Time
	Created   time.Time
	OverdueOn bool // set by lists that know today
}

// Overdue reports whether the measure is past its deadline on day
// (2006-01-02) and not done.
func (m Measure) Overdue(day string) bool { return m.Status != Done && m.Deadline < day }

// LogInput records progress on a measure: a visit (pairing), an income
// increase of the beneficiary in yuan (industry), a training held with its
// attendees (training), with evidence, and optionally a new status.
type LogInput struct {
	Measure  int64
	Day      string
	Note     string
	Amount   int64
	Evidence string
	Status   MeasureStatus // "" keeps the status
}

// Validate checks a log entry.
func (in LogInput) Validate(today string) error {
	var fs fault.Fields
	if in.Measure <= 0 {
		fs.Add("measure", "talent.measure.not_found")
	}
	if d, err := time.Parse(time.DateOnly, in.Day); err != nil || d.Format(time.DateOnly) > today {
		fs.Add("day", "talent.measure.day_invalid")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Note)); n == 0 || n > 500 {
		fs.Add("note", "talent.measure.note_invalid")
	}
	if in.Amount < 0 || in.Amount > 1e10 {
		fs.Add("amount", "talent.candidate.number_invalid")
	}
	if utf8.RuneCountInString(in.Evidence) > 500 {
		fs.Add("evidence", "talent.candidate.too_long", 500)
	}
	if in.Status != "" && !in.Status.Valid() {
		fs.Add("status", "talent.measure.status_invalid")
	}
	return fs.Err()
}

// Progress sums one list of a leader.
type Progress struct {
	List    List
	Total   int
	Done    int
	Overdue int
	Amount  int64
}

// Summarise sums a leader's measures per list, in the lists' order, as of
// day.
func Summarise(ms []Measure, day string) []Progress {
	out := make([]Progress, len(Lists))
	for i, l := range Lists {
		out[i].List = l
		for _, m := range ms {
			if m.List != l {
				continue
			}
			out[i].Total++
			out[i].Amount += m.Amount
			if m.Status == Done {
				out[i].Done++
			}
			if m.Overdue(day) {
				out[i].Overdue++
			}
		}
	}
	return out
}

// Leader is a recognised leader: the person, their business and the
// tiers they were given, newest last. A tier is never overwritten: moving
// up adds a record.
type Leader struct {
	ID          int64
	Name        string
	Village     string
	VillageName string
	Candidate   int64 // the application that made them a leader, or moved them up last
	Tier        Tier  // the highest tier held
	Business
	Channel  Channel
	Since    time.Time
	Tiers    []TierRecord
	Measures []Measure
	Progress []Progress
	// Stage is where the cultivation stands, since StageDay; the rest is
	// filled by Service.Leader only.
	Stage        Stage
	StageDay     string
	Recognitions []RecognitionRecord
	Plan         []PlanEntry
	Support      []SupportEntry
	Showcase     Showcase
	Photos       []int64
}

// TierRecord is one decision of a leader's tier.
type TierRecord struct {
	Tier      Tier
	Round     int64
	RoundName string
	Candidate int64
	At        time.Time
}

// Profile is a leader's public page: no personal data beyond the name,
// the village and the business.
type Profile struct {
	ID          int64
	Name        string
	Village     string // its code, for how the village writes public pages
	VillageName string
	Tier        Tier
	Business
}

// Business is what a leader's public showcase tells: the business, its
// products and sales channels, households driven, honours.
type Business struct {
	EntityType  EntityType
	EntityName  string
	Industry    string
	Products    string
	SalesRoutes string
	Households  int
	Honours     string
}
