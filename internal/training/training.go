// Package training is the cadre-training programme (精准滴灌): the
// department's list of scarce competencies (紧缺能力清单) in versions, the
// course catalogue and teacher pool, and the classes that address the
// list's items.
//
// Everything here belongs to the organisation department of a region
// (league, banner or township): who may see it is decided by that region,
// as the organisation register's objects are.
package training

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/regioncode"
)

// MaxText bounds titles and names, in characters.
const MaxText = 60

func validText(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	return n > 0 && n <= max
}

// validDay reports whether s is a YYYY-MM-DD day.
func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// CanRead reports whether a may read the programme at region code.
func CanRead(a *access.Actor, code string) bool { return a.Can(access.TrainingRead, code) }

// CanManage reports whether a may change the programme at region code.
func CanManage(a *access.Actor, code string) bool { return a.Can(access.TrainingManage, code) }

// ListInput starts a new version of a department's list.
type ListInput struct {
	Region string
	Title  string // e.g. 乌兰察布市干部紧缺能力清单
}

// Validate checks a list's input.
func (in ListInput) Validate() error {
	var fs fault.Fields
	if !regioncode.ValidCode(in.Region) {
		fs.Add("region", "org.unit.region_invalid")
	}
	if !validText(in.Title, MaxText) {
		fs.Add("title", "training.title_invalid", MaxText)
	}
	return fs.Err()
}

// ItemInput is one scarce competency for a rank and sector.
type ItemInput struct {
	Rank       string // a cadre rank's code
	Sector     string // "" for every sector
	Competency string
	Priority   int // 1 is the scarcest
}

// Normalize trims the texts.
func (in *ItemInput) Normalize() {
	in.Rank, in.Sector, in.Competency = strings.TrimSpace(in.Rank), strings.TrimSpace(in.Sector), strings.TrimSpace(in.Competency)
}

// Validate checks an item's own fields; the store checks the rank.
func (in ItemInput) Validate() error {
	var fs fault.Fields
	if in.Rank == "" {
		fs.Add("rank", "cadre.rank_invalid")
	}
	if utf8.RuneCountInString(in.Sector) > 20 {
		fs.Add("sector", "cadre.sector_invalid")
	}
	if !validText(in.Competency, MaxText) {
		fs.Add("competency", "training.competency_invalid", MaxText)
	}
	if in.Priority < 1 || in.Priority > 99 {
		fs.Add("priority", "training.priority_invalid")
	}
	return fs.Err()
}

// Item is a stored item with the classes that address it.
type Item struct {
	ItemInput
	ID       int64
	RankName string
	Classes  []ClassRef
}

// ClassRef names a class.
type ClassRef struct {
	ID   int64
	Name string
}

// List is a version of a department's list.
type List struct {
	ID         int64
	Region     string
	RegionName string
	Title      string
	Version    int
	Published  time.Time // zero while a draft
	Items      []Item
}

// Draft reports whether the version may still be edited.
func (l List) Draft() bool { return l.Published.IsZero() }

// Covered counts the items at least one class addresses.
func (l List) Covered() int {
	n := 0
	for _, it := range l.Items {
		if len(it.Classes) > 0 {
			n++
		}
	}
	return n
}

// ItemRow is one row of an items sheet.
type ItemRow struct {
	Line  int
	Input ItemInput
	ID    int64
	Err   error
}

// Teaching modes of a course.
const (
	Lecture    = "lecture"    // 讲授
	Onsite     = "onsite"     // 现场教学
	Experience = "experience" // 体验式
	Seminar    = "seminar"    // 研讨式
)

// Modes lists the modes in the order forms show them.
var Modes = []string{Lecture, Onsite, Experience, Seminar}

// TeacherInput is a teacher of the pool.
type TeacherInput struct {
	Region      string
	Name        string
	Internal    bool   // 内部 (party school, department) or external
	Affiliation string // 单位
	Subjects    string // 擅长专题
}

// Validate checks a teacher.
func (in TeacherInput) Validate() error {
	var fs fault.Fields
	if !regioncode.ValidCode(in.Region) {
		fs.Add("region", "org.unit.region_invalid")
	}
	if !validText(strings.TrimSpace(in.Name), 30) {
		fs.Add("name", "org.member.name_invalid")
	}
	if utf8.RuneCountInString(in.Affiliation) > MaxText || utf8.RuneCountInString(in.Subjects) > 200 {
		fs.Add("subjects", "training.text_too_long")
	}
	return fs.Err()
}

// Teacher is a stored teacher with the classes they taught in.
type Teacher struct {
	TeacherInput
	ID       int64
	Sessions int // sessions taught
	Classes  int // classes taught in
	// Rated is how many trainees' ratings the teacher has, Mean their
	// average score (1–5; 0 when unrated).
	Rated int
	Mean  float64
}

// CourseInput is a course of the catalogue.
type CourseInput struct {
	Region     string
	Title      string
	Competency string // the competency it builds, as the list names it
	Mode       string
	Hours      int
	Teacher    int64 // 0 for none yet
}

// Validate checks a course's own fields.
func (in CourseInput) Validate() error {
	var fs fault.Fields
	if !regioncode.ValidCode(in.Region) {
		fs.Add("region", "org.unit.region_invalid")
	}
	if !validText(strings.TrimSpace(in.Title), MaxText) {
		fs.Add("title", "training.title_invalid", MaxText)
	}
	if !validText(strings.TrimSpace(in.Competency), MaxText) {
		fs.Add("competency", "training.competency_invalid", MaxText)
	}
	valid := false
	for _, m := range Modes {
		valid = valid || m == in.Mode
	}
	if !valid {
		fs.Add("mode", "training.mode_invalid")
	}
	if in.Hours < 1 || in.Hours > 40 {
		fs.Add("hours", "training.hours_invalid")
	}
	return fs.Err()
}

// Course is a stored course.
type Course struct {
	CourseInput
	ID          int64
	TeacherName string
}

// ClassInput is what the department gives for a class.
type ClassInput struct {
	Region        string
	Name          string // e.g. 乡村振兴示范培训班
	Theme         string
	Target        string // 培训对象
	Start, End    string // YYYY-MM-DD
	Capacity      int
	HoursRequired int    // hours a trainee must attend to complete
	Head          string // the 班主任's account
	Escort        string // the 跟班干部
	// EscortUser is the 跟班干部's account, when they have one: they then
	// see the class as its 班主任 does.
	EscortUser string
	List       int64 // the list version whose items it addresses; 0 for none
	Items      []int64
}

// Validate checks a class's own fields.
func (in ClassInput) Validate() error {
	var fs fault.Fields
	if !regioncode.ValidCode(in.Region) {
		fs.Add("region", "org.unit.region_invalid")
	}
	if !validText(strings.TrimSpace(in.Name), MaxText) {
		fs.Add("name", "training.title_invalid", MaxText)
	}
	if utf8.RuneCountInString(in.Theme) > 200 || utf8.RuneCountInString(in.Target) > 200 || utf8.RuneCountInString(in.Escort) > 30 {
		fs.Add("theme", "training.text_too_long")
	}
	if !validDay(in.Start) {
		fs.Add("start", "training.date_invalid")
	}
	if !validDay(in.End) || validDay(in.Start) && in.End < in.Start {
		fs.Add("end", "training.end_before_start")
	}
	if in.Capacity < 1 || in.Capacity > 1000 {
		fs.Add("capacity", "training.capacity_invalid")
	}
	if in.HoursRequired < 0 || in.HoursRequired > 1000 {
		fs.Add("hours_required", "training.hours_invalid")
	}
	if len(in.Items) > 0 && in.List == 0 {
		fs.Add("items", "training.items_without_list")
	}
	return fs.Err()
}

// Ended reports whether the class has ended on the day of now.
func (in ClassInput) Ended(now time.Time) bool { return in.End < localtime.Day(now) }

// SessionInput is one session of a class.
type SessionInput struct {
	Day     string
	Starts  string // HH:MM
	Title   string
	Course  int64
	Teacher int64
	Place   string
	Hours   int
}

// Validate checks a session against its class's dates.
func (in SessionInput) Validate(c ClassInput) error {
	var fs fault.Fields
	if !validDay(in.Day) || in.Day < c.Start || in.Day > c.End {
		fs.Add("day", "training.session_day", c.Start, c.End)
	}
	if t, err := time.Parse("15:04", in.Starts); err != nil || t.Format("15:04") != in.Starts {
		fs.Add("starts", "training.session_time")
	}
	if !validText(strings.TrimSpace(in.Title), MaxText) {
		fs.Add("title", "training.title_invalid", MaxText)
	}
	if utf8.RuneCountInString(in.Place) > MaxText {
		fs.Add("place", "training.text_too_long")
	}
	if in.Hours < 1 || in.Hours > 12 {
		fs.Add("hours", "training.session_hours")
	}
	return fs.Err()
}

// Session is a stored session.
type Session struct {
	SessionInput
	ID          int64
	CourseName  string
	TeacherName string
}

// Class is a stored class with its sessions and the items it addresses.
type Class struct {
	ClassInput
	ID         int64
	RegionName string
	HeadName   string // the 班主任's display name
	Hours      int    // the sessions' hours
	Sessions   []Session
	ItemNames  []string
}

// Staff is a user's place on a class's staff.
type Staff int

// The places: a class's 班主任 and 跟班干部 see the class (its roll,
// attendance, leaves and evaluation) without reading the programme at a
// region.
const (
	NotStaff Staff = iota
	HeadTeacher
	Escort
)

// Service is the programme. Errors: fault.Invalid with field details for
// bad input, fault.NotFound for what the actor may not read, fault.Forbidden
// for what they may read but not change, fault.Conflict for a change to a
// published list.
type Service interface {
	Lists(ctx context.Context, a *access.Actor, region string) ([]List, error)
	// List returns a version with its items and the classes addressing
	// each: the list's coverage.
	List(ctx context.Context, a *access.Actor, id int64) (*List, error)
	// CreateList starts the next version of the region's list, a draft
	// holding the items of the latest published version.
	CreateList(ctx context.Context, a *access.Actor, in ListInput) (*List, error)
	AddItem(ctx context.Context, a *access.Actor, list int64, in ItemInput) (*List, error)
	RemoveItem(ctx context.Context, a *access.Actor, list, item int64) (*List, error)
	ImportItems(ctx context.Context, a *access.Actor, list int64, rows []ItemRow, commit bool) ([]ItemRow, error)
	Publish(ctx context.Context, a *access.Actor, list int64) (*List, error)

	Teachers(ctx context.Context, a *access.Actor, region string) ([]Teacher, error)
	CreateTeacher(ctx context.Context, a *access.Actor, in TeacherInput) (*Teacher, error)
	Courses(ctx context.Context, a *access.Actor, region string) ([]Course, error)
	CreateCourse(ctx context.Context, a *access.Actor, in CourseInput) (*Course, error)

	Classes(ctx context.Context, a *access.Actor, region string) ([]Class, error)
	Class(ctx context.Context, a *access.Actor, id int64) (*Class, error)
	CreateClass(ctx context.Context, a *access.Actor, in ClassInput) (*Class, error)
	AddSession(ctx context.Context, a *access.Actor, class int64, in SessionInput) (*Class, error)

	Enrolling
	Attending
	Rater
	Hours
	Evaluating
	Files
	Nominating
	// ClassStaff reports the actor's place on a class's staff.
	ClassStaff(ctx context.Context, a *access.Actor, class int64) (Staff, error)
	// StaffClasses lists the classes the actor is 班主任 or 跟班干部 of, by
	// their account, newest first: their way in without a grant.
	StaffClasses(ctx context.Context, a *access.Actor) ([]Class, error)
}

// Need is one line of a needs survey's ranking: a competency lacking in a
// stratum of rank and sector (by their names), and its place there.
type Need struct {
	Rank, Sector, Competency string
	Place                    int
}

// MaxDraftTop bounds how many competencies per stratum a draft takes.
const MaxDraftTop = 20

// DraftItems turns a needs ranking into items for a draft list: the top
// competencies of each stratum, their place the priority. rankCodes maps
// rank names to codes; a stratum of a rank not on the list keeps its rows,
// each carrying that problem, so the page shows what was left out.
func DraftItems(needs []Need, rankCodes map[string]string, top int) []ItemRow {
	var out []ItemRow
	for i, n := range needs {
		if n.Place > top {
			continue
		}
		r := ItemRow{Line: i + 1, Input: ItemInput{Rank: rankCodes[n.Rank], Sector: n.Sector, Competency: n.Competency, Priority: n.Place}}
		if r.Input.Rank == "" {
			r.Err = fault.OnField(fault.Invalid, "rank", "training.draft.rank_unknown", n.Rank)
		}
		out = append(out, r)
	}
	return out
}
