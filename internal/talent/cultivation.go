package talent

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
)

// Stage is where a selected person stands after the league's decision:
// the seed's 1,286 are cultivation targets (培育对象), and a target
// becomes a recognised leader (带头人) only when its cultivation is
// judged complete.
type Stage string

// The stages.
const (
	StageTarget     Stage = "target"     // 培育对象
	StageRecognised Stage = "recognised" // 认定为带头人
	StageEnded      Stage = "ended"      // 终止培育
)

// Stages lists them in the order pages show them.
var Stages = []Stage{StageTarget, StageRecognised, StageEnded}

// Recognition is a judgement on a target's cultivation.
type Recognition string

// The judgements: recognised as a leader, cultivation continued, or
// cultivation ended.
const (
	Recognise Recognition = "recognise" // 认定为带头人
	Extend    Recognition = "extend"    // 继续培育
	End       Recognition = "end"       // 终止培育
)

// Recognitions lists them in the order forms show them.
var Recognitions = []Recognition{Recognise, Extend, End}

// Stage is where the judgement leaves the person.
func (r Recognition) Stage() Stage {
	switch r {
	case Recognise:
		return StageRecognised
	case End:
		return StageEnded
	}
	return StageTarget
}

// RecognitionInput is a judgement with its day and reason.
type RecognitionInput struct {
	Decision Recognition
	Day      string // 2006-01-02
	Reason   string
}

// RecognitionRecord is a judgement as kept.
type RecognitionRecord struct {
	RecognitionInput
	Actor string
	At    time.Time
}

// PlanKind is a kind of cultivation (系统培育).
type PlanKind string

// The kinds of the seed: trainings attended, mentoring, and the cohort of
// an incubation centre (科尔沁镇乡土人才孵化中心).
const (
	PlanTraining   PlanKind = "training"   // 培训
	PlanMentoring  PlanKind = "mentoring"  // 导师帮带
	PlanIncubation PlanKind = "incubation" // 孵化中心
)

// PlanKinds lists them in order.
var PlanKinds = []PlanKind{PlanTraining, PlanMentoring, PlanIncubation}

// PlanInput is one entry of a target's cultivation plan.
type PlanInput struct {
	Kind     PlanKind
	Title    string // the training, the mentoring pair, the cohort
	Provider string // who gives it: the school, the mentor, the centre
	Day      string
	Hours    int
	Note     string
}

// PlanEntry is a plan entry as kept.
type PlanEntry struct {
	PlanInput
	ID    int64
	Actor string
	At    time.Time
}

// SupportKind is a kind of policy support (配套支持).
type SupportKind string

// The kinds of the seed.
const (
	Subsidy SupportKind = "subsidy" // 补贴
	Loan    SupportKind = "loan"    // 贷款
	Land    SupportKind = "land"    // 土地
	Venue   SupportKind = "venue"   // 场地
)

// SupportKinds lists them in order.
var SupportKinds = []SupportKind{Subsidy, Loan, Land, Venue}

// SupportInput is one entry of the policy-support ledger. Amount is the
// value in yuan (land and venues at their assessed value); a correction
// is a negative entry naming the one it corrects in Note.
type SupportInput struct {
	Kind   SupportKind
	Amount int64
	Source string // the department or programme that gave it
	Day    string
	Note   string
}

// SupportEntry is a ledger entry as kept, with the tier the person held.
type SupportEntry struct {
	SupportInput
	ID    int64
	Tier  Tier
	Actor string
	At    time.Time
}

// SupportSum is the support given in one area to one tier, per kind.
type SupportSum struct {
	Code    string
	Name    string
	Tier    Tier
	People  int
	ByKind  map[SupportKind]int64
	Total   int64
	Entries int
}

// Limits of the cultivation texts.
const (
	MaxSupport = int64(1e10) // yuan in one entry
	MaxHours   = 10000
)

// Validate checks a judgement; a reason is required unless recognising.
func (in RecognitionInput) Validate(now time.Time) error {
	var fs fault.Fields
	if !slices.Contains(Recognitions, in.Decision) {
		fs.Add("decision", "talent.recognition.decision_invalid")
	}
	checkDay(&fs, "day", in.Day, now)
	if in.Decision != Recognise && strings.TrimSpace(in.Reason) == "" {
		fs.Add("reason", "review.reason.required")
	}
	if utf8.RuneCountInString(in.Reason) > MaxLong {
		fs.Add("reason", "talent.candidate.too_long", MaxLong)
	}
	return fs.Err()
}

// Validate checks a plan entry.
func (in PlanInput) Validate(now time.Time) error {
	var fs fault.Fields
	if !slices.Contains(PlanKinds, in.Kind) {
		fs.Add("kind", "talent.plan.kind_invalid")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Title)); n == 0 || n > MaxShort {
		fs.Add("title", "talent.measure.title_invalid")
	}
	if utf8.RuneCountInString(in.Provider) > MaxShort || utf8.RuneCountInString(in.Note) > MaxLong {
		fs.Add("note", "talent.candidate.too_long", MaxLong)
	}
	checkDay(&fs, "day", in.Day, now.AddDate(1, 0, 0)) // a plan may look a year ahead
	if in.Hours < 0 || in.Hours > MaxHours {
		fs.Add("hours", "talent.candidate.number_invalid")
	}
	return fs.Err()
}

// Validate checks a support entry; zero is no entry at all.
func (in SupportInput) Validate(now time.Time) error {
	var fs fault.Fields
	if !slices.Contains(SupportKinds, in.Kind) {
		fs.Add("kind", "talent.support.kind_invalid")
	}
	if in.Amount == 0 || in.Amount > MaxSupport || in.Amount < -MaxSupport {
		fs.Add("amount", "talent.support.amount_invalid")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Source)); n == 0 || n > MaxShort {
		fs.Add("source", "talent.support.source_invalid")
	}
	if in.Amount < 0 && strings.TrimSpace(in.Note) == "" {
		fs.Add("note", "talent.support.correction_note")
	}
	if utf8.RuneCountInString(in.Note) > MaxLong {
		fs.Add("note", "talent.candidate.too_long", MaxLong)
	}
	checkDay(&fs, "day", in.Day, now)
	return fs.Err()
}

// checkDay checks a day in 2006-01-02 form, not after latest.
func checkDay(fs *fault.Fields, field, day string, latest time.Time) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil || d.Year() < 2000 || d.After(latest) {
		fs.Add(field, "talent.day_invalid")
	}
}

// Showcase is what a leader agreed to show the public (示范引领): whether
// to publish at all, from which day, the sales channels (live-streaming
// and the cities reached), the fairs attended and the people the business
// drives (people, not only households).
type Showcase struct {
	Leader       int64
	Published    bool
	ConsentDay   string
	LiveChannels string
	Cities       string
	Fairs        string
	People       int
}

// Validate checks a showcase; publishing needs the day of the consent.
func (s Showcase) Validate(now time.Time) error {
	var fs fault.Fields
	if s.Published {
		checkDay(&fs, "consent_day", s.ConsentDay, now)
	}
	for name, v := range map[string]string{"live_channels": s.LiveChannels, "cities": s.Cities, "fairs": s.Fairs} {
		if utf8.RuneCountInString(v) > MaxLong {
			fs.Add(name, "talent.candidate.too_long", MaxLong)
		}
	}
	if s.People < 0 || s.People > 1000000 {
		fs.Add("people", "talent.candidate.number_invalid")
	}
	return fs.Err()
}

// ShowcaseEntry is a published leader as the public list shows them.
type ShowcaseEntry struct {
	Showcase
	Name string
	// NameMongol is the leader's name in traditional Mongolian as the
	// register records it, when the leader's application named a
	// resident who has one; VillageMongol is the village's. Bilingual is
	// the leader's village's own script setting for its public pages.
	NameMongol, VillageMongol string
	Bilingual                 bool
	VillageName               string
	BannerName                string
	Banner                    string
	Tier                      Tier
	Business
	Photos []int64
}

// MaxShowcasePhotos bounds a leader's public photos.
const MaxShowcasePhotos = 6
