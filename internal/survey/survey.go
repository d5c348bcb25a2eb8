// Package survey is the general survey engine: questionnaires of single
// and multiple choice, rating, number and text questions, versioned once
// published; answers gathered over the four channels of the organisation
// department's needs surveys (问卷 online by link or QR code, 电话沟通 and
// 面谈交流 entered by staff, 深入走访 entered on a phone during a visit);
// sampling quotas per stratum; counts, cross-tabulations and the ranking
// of a multiple-choice question per stratum. Cadre training's needs
// survey is its first user; 红色物业 satisfaction surveys reuse it.
package survey

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// Kind is the kind of a question.
type Kind string

// The question kinds.
const (
	Single   Kind = "single"   // 单选
	Multiple Kind = "multiple" // 多选
	Rating   Kind = "rating"   // 量表打分
	Number   Kind = "number"   // 数值
	Text     Kind = "text"     // 文字
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{Single, Multiple, Rating, Number, Text}

// Choice reports whether answers to a question of kind k are counted per
// option (a rating's options are its scale points).
func (k Kind) Choice() bool { return k == Single || k == Multiple || k == Rating }

// Status is where a questionnaire is in its life.
type Status string

// The statuses: a draft takes no answers; an open survey takes them in
// its latest published version; a closed one takes none until reopened.
const (
	Draft  Status = "draft"
	Open   Status = "open"
	Closed Status = "closed"
)

// Channel is how an answer was gathered: the seed's four ways.
type Channel string

// The channels.
const (
	Online    Channel = "online"    // 问卷调查: the public link or its QR code
	Phone     Channel = "phone"     // 电话沟通, entered by staff
	Interview Channel = "interview" // 面谈交流, entered by staff
	Visit     Channel = "visit"     // 深入走访, entered on a phone during a visit
)

// Channels lists the channels in the order pages show them.
var Channels = []Channel{Online, Phone, Interview, Visit}

// StaffChannels are the channels staff enter answers under; online
// answers come only through the public link.
var StaffChannels = []Channel{Phone, Interview, Visit}

// Staff reports whether c is a channel staff enter answers under.
func (c Channel) Staff() bool { return c == Phone || c == Interview || c == Visit }

// Limits on a questionnaire and its answers, in characters or items.
const (
	MaxTitle     = 60
	MaxIntro     = 500
	MaxLabel     = 200
	MaxQuestions = 100
	MaxOptions   = 50
	MaxText      = 1000
	MaxScale     = 11 // points on a rating scale, 0–10 at most
	MaxName      = 30 // a named respondent's name
	MaxBatch     = 5000
	MaxStrata    = 2
)

// Option is one choice of a question. Its key stays the same across
// versions, so answers to different versions are counted together.
type Option struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Question is one question. Min and Max bound a number, and are the ends
// of a rating scale (1–5 unless set).
type Question struct {
	Key      string   `json:"key"`
	Kind     Kind     `json:"kind"`
	Label    string   `json:"label"`
	Required bool     `json:"required"`
	Options  []Option `json:"options,omitempty"`
	Min      int64    `json:"min,omitempty"`
	Max      int64    `json:"max,omitempty"`
}

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

// Normalize trims labels and fills a rating's default scale.
func (q *Question) Normalize() {
	q.Key = strings.TrimSpace(q.Key)
	q.Label = strings.TrimSpace(q.Label)
	for i := range q.Options {
		q.Options[i].Key = strings.TrimSpace(q.Options[i].Key)
		q.Options[i].Label = strings.TrimSpace(q.Options[i].Label)
	}
	if q.Kind == Rating && q.Min == 0 && q.Max == 0 {
		q.Min, q.Max = 1, 5
	}
	if !q.Kind.Choice() || q.Kind == Rating {
		q.Options = nil
	}
}

// Choices are the options answers to q are counted under: its options,
// or a rating's scale points.
func (q Question) Choices() []Option {
	if q.Kind != Rating {
		return q.Options
	}
	out := make([]Option, 0, q.Max-q.Min+1)
	for v := q.Min; v <= q.Max; v++ {
		s := strconv.FormatInt(v, 10)
		out = append(out, Option{Key: s, Label: s})
	}
	return out
}

// Option returns the label of option key, and whether q has it.
func (q Question) Option(key string) (string, bool) {
	for _, o := range q.Choices() {
		if o.Key == key {
			return o.Label, true
		}
	}
	return "", false
}

// validate adds the problems of question i to fs, the field named qN.
func (q Question) validate(i int, fs *fault.Fields) {
	f := "q" + strconv.Itoa(i+1)
	switch {
	case !keyRE.MatchString(q.Key):
		fs.Add(f, "survey.question.key_invalid", i+1)
	case q.Label == "" || utf8.RuneCountInString(q.Label) > MaxLabel:
		fs.Add(f, "survey.question.label_invalid", i+1, MaxLabel)
	}
	switch q.Kind {
	case Single, Multiple:
		if len(q.Options) < 2 || len(q.Options) > MaxOptions {
			fs.Add(f, "survey.question.options_count", i+1, MaxOptions)
			return
		}
		seen := map[string]bool{}
		for _, o := range q.Options {
			if !keyRE.MatchString(o.Key) && !digitsRE.MatchString(o.Key) || seen[o.Key] {
				fs.Add(f, "survey.question.option_key", i+1, o.Key)
				return
			}
			seen[o.Key] = true
			if o.Label == "" || utf8.RuneCountInString(o.Label) > MaxLabel {
				fs.Add(f, "survey.question.option_label", i+1, MaxLabel)
				return
			}
		}
	case Rating:
		if q.Min < 0 || q.Max-q.Min < 1 || q.Max-q.Min+1 > MaxScale {
			fs.Add(f, "survey.question.scale_invalid", i+1, MaxScale)
		}
	case Number:
		if q.Min > q.Max {
			fs.Add(f, "survey.question.range_invalid", i+1)
		}
	case Text:
	default:
		fs.Add(f, "survey.question.kind_invalid", i+1)
	}
}

var digitsRE = regexp.MustCompile(`^[0-9]{1,3}$`)

// Input is what the organisation department gives for a questionnaire.
type Input struct {
	Region    string     `json:"region"`
	Title     string     `json:"title"`
	Intro     string     `json:"intro"`
	Anonymous bool       `json:"anonymous"`
	Questions []Question `json:"questions"`
}

// Normalize trims the text fields and every question.
func (in *Input) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Intro = strings.TrimSpace(in.Intro)
	for i := range in.Questions {
		in.Questions[i].Normalize()
	}
}

// Validate checks a questionnaire's settings and its questions. An empty
// list of questions is a valid draft; Publishable asks for one.
func (in Input) Validate() error {
	var fs fault.Fields
	if regioncode.LevelOf(in.Region) == 0 {
		fs.Add("region", "survey.region_invalid")
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > MaxTitle {
		fs.Add("title", "survey.title_invalid", MaxTitle)
	}
	if utf8.RuneCountInString(in.Intro) > MaxIntro {
		fs.Add("intro", "survey.intro_invalid", MaxIntro)
	}
	if len(in.Questions) > MaxQuestions {
		fs.Add("questions", "survey.questions_count", MaxQuestions)
	}
	seen := map[string]bool{}
	for i, q := range in.Questions {
		q.validate(i, &fs)
		if seen[q.Key] {
			fs.Add("q"+strconv.Itoa(i+1), "survey.question.key_taken", i+1, q.Key)
		}
		seen[q.Key] = true
	}
	return fs.Err()
}

// Survey is a stored questionnaire. Questions is the draft being edited;
// Live is the latest published version, the one answers are taken in.
type Survey struct {
	Input
	ID         int64      `json:"id"`
	RegionName string     `json:"region_name"`
	Status     Status     `json:"status"`
	Version    int        `json:"version"`
	Live       []Question `json:"live,omitempty"`
	Template   string     `json:"template,omitempty"`
	Token      string     `json:"token,omitempty"` // the public link's key; only for those who manage the survey
	Strata     []string   `json:"strata,omitempty"`
	Answers    int        `json:"answers"`
	Created    time.Time  `json:"created"`
	Updated    time.Time  `json:"updated"`
}

// Question returns the live question key (or the draft's before the first
// publication).
func (s *Survey) Question(key string) (Question, bool) {
	qs := s.Live
	if s.Version == 0 {
		qs = s.Questions
	}
	for _, q := range qs {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// Publishable checks that a draft can become a version: it asks at least
// one question.
func (s *Survey) Publishable() error {
	if len(s.Questions) == 0 {
		return fault.OnField(fault.Invalid, "questions", "survey.nothing_to_publish")
	}
	return nil
}

// Filter selects surveys for a list.
type Filter struct {
	Region string
	Status Status
}

// AnswerInput is one respondent's answers: per question key, the chosen
// option keys, or one number or text. Respondent is the name of a
// respondent to a named survey; an anonymous survey keeps none.
type AnswerInput struct {
	Channel    Channel             `json:"channel"`
	Respondent string              `json:"respondent,omitempty"`
	Values     map[string][]string `json:"values"`
}

// Item is one stored value of an answer: one chosen option, one number or
// one text. A multiple choice gives one item per option.
type Item struct {
	Question string
	Choice   string
	Num      *int64
	Text     string
}

// Check validates an answer against a version's questions and returns
// its items. Every problem is reported on the field of its question
// (q_<key>), in Chinese, so the form can show it beside the question.
func Check(qs []Question, anonymous bool, in AnswerInput) ([]Item, error) {
	var fs fault.Fields
	known := map[string]bool{}
	for _, q := range qs {
		known[q.Key] = true
	}
	for k := range in.Values {
		if !known[k] {
			fs.Add("q_"+k, "survey.answer.unknown_question", k)
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Respondent)); !anonymous && (n == 0 || n > MaxName) {
		fs.Add("respondent", "survey.answer.respondent_invalid", MaxName)
	}
	var items []Item
	for _, q := range qs {
		f := "q_" + q.Key
		var vals []string
		for _, v := range in.Values[q.Key] {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			if q.Required {
				fs.Add(f, "survey.answer.required", q.Label)
			}
			continue
		}
		switch q.Kind {
		case Single, Rating, Multiple:
			if q.Kind != Multiple && len(vals) > 1 {
				fs.Add(f, "survey.answer.one_only", q.Label)
				continue
			}
			seen := map[string]bool{}
			for _, v := range vals {
				if _, ok := q.Option(v); !ok {
					fs.Add(f, "survey.answer.not_an_option", q.Label, v)
					break
				}
				if !seen[v] {
					seen[v] = true
					items = append(items, Item{Question: q.Key, Choice: v})
				}
			}
		case Number:
			n, err := strconv.ParseInt(normalizeDigits(vals[0]), 10, 64)
			switch {
			case len(vals) > 1:
				fs.Add(f, "survey.answer.one_only", q.Label)
			case err != nil:
				fs.Add(f, "survey.answer.not_a_number", q.Label)
			case n < q.Min || n > q.Max:
				fs.Add(f, "survey.answer.out_of_range", q.Label, q.Min, q.Max)
			default:
				items = append(items, Item{Question: q.Key, Num: &n})
			}
		case Text:
			t := strings.Join(vals, "\n")
			if utf8.RuneCountInString(t) > MaxText {
				fs.Add(f, "survey.answer.text_too_long", q.Label, MaxText)
				continue
			}
			items = append(items, Item{Question: q.Key, Text: t})
		}
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

// normalizeDigits turns full-width digits and signs, as phones type
// them, into ASCII.
func normalizeDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '－':
			return '-'
		}
		return r
	}, s)
}

// Quota is the sampling target of one stratum: a combination of options
// of the survey's strata questions (Cell, one key per question), and how
// many answers have come in for it.
type Quota struct {
	Cell   []string `json:"cell"`
	Labels []string `json:"labels,omitempty"`
	Target int      `json:"target"`
	Got    int      `json:"got"`
}

// Sampling is a survey's strata questions and its quotas with progress.
type Sampling struct {
	Strata []string `json:"strata"`
	Quotas []Quota  `json:"quotas"`
	Target int      `json:"target"` // the sum of the quotas
	Got    int      `json:"got"`    // answers counted toward a quota
}

// OptionCount is how many answers chose one option.
type OptionCount struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Count int     `json:"count"`
	Share float64 `json:"share"` // of the answers to the question
}

// QuestionStats sums up the answers to one question.
type QuestionStats struct {
	Question Question      `json:"question"`
	Answered int           `json:"answered"`
	Options  []OptionCount `json:"options,omitempty"`
	Min      int64         `json:"min,omitempty"` // of a number or rating
	Max      int64         `json:"max,omitempty"`
	Mean     float64       `json:"mean,omitempty"`
	Texts    []string      `json:"texts,omitempty"` // the latest texts, newest first
}

// ChannelCount is how many answers came over one channel.
type ChannelCount struct {
	Channel Channel `json:"channel"`
	Count   int     `json:"count"`
}

// Analysis is a survey's figures: answers by channel and per question.
type Analysis struct {
	Total     int             `json:"total"`
	Channels  []ChannelCount  `json:"channels"`
	Questions []QuestionStats `json:"questions"`
}

// CrossTab counts the answers choosing each pair of options of two choice
// questions; a multiple choice puts an answer in every cell it chose.
type CrossTab struct {
	Row    Question `json:"row"`
	Col    Question `json:"col"`
	Counts [][]int  `json:"counts"` // [row option][column option]
}

// RankedItem is one line of a ranked list: a competency (an option of
// the ranked question) within a stratum of rank and sector, with how many
// of the stratum's respondents named it and their share.
type RankedItem struct {
	Rank        string  `json:"rank"`
	Sector      string  `json:"sector"`
	Competency  string  `json:"competency"`
	Count       int     `json:"count"`
	Share       float64 `json:"share"`
	Respondents int     `json:"respondents"` // in the stratum
	Place       int     `json:"place"`       // 1 for the most named within the stratum; ties share a place
	RankKey     string  `json:"rank_key"`
	SectorKey   string  `json:"sector_key"`
	Key         string  `json:"competency_key"`
}

// AnswerRow is one stored answer, as the raw export lists it.
type AnswerRow struct {
	ID         int64
	Version    int
	Channel    Channel
	EnteredBy  string // the staff member's account, "" for the public link
	Respondent string
	At         time.Time
	Values     map[string]string // per question key, as the export shows it
}

// CanRead reports whether a may read the surveys of region code and their
// figures.
func CanRead(a *access.Actor, code string) bool { return a.Can(access.SurveyRead, code) }

// CanManage reports whether a may build, publish and close surveys of
// region code.
func CanManage(a *access.Actor, code string) bool { return a.Can(access.SurveyManage, code) }

// CanEnter reports whether a may enter answers gathered by phone, in
// interviews and on visits for surveys of region code.
func CanEnter(a *access.Actor, code string) bool { return a.Can(access.SurveyEnter, code) }

// Service is the survey engine. Errors: fault.Invalid with field details
// for bad input (an answer to a closed survey, a choice not offered, a
// required question left empty, a number out of range), fault.NotFound
// for what the actor may not read (or that does not exist),
// fault.Forbidden for what they may read but not change.
type Service interface {
	Create(ctx context.Context, a *access.Actor, in Input, template string) (*Survey, error)
	Update(ctx context.Context, a *access.Actor, id int64, in Input) (*Survey, error)
	Publish(ctx context.Context, a *access.Actor, id int64) (*Survey, error)
	SetStatus(ctx context.Context, a *access.Actor, id int64, st Status) (*Survey, error)
	Survey(ctx context.Context, a *access.Actor, id int64) (*Survey, error)
	List(ctx context.Context, a *access.Actor, f Filter) ([]Survey, error)
	SetQuotas(ctx context.Context, a *access.Actor, id int64, strata []string, quotas []Quota) (*Sampling, error)
	Sampling(ctx context.Context, a *access.Actor, id int64) (*Sampling, error)
	Enter(ctx context.Context, a *access.Actor, id int64, in AnswerInput) (int64, error)
	EnterMany(ctx context.Context, a *access.Actor, id int64, in []AnswerInput) (int, error)
	Public(ctx context.Context, token string) (*Survey, error)
	AnswerPublic(ctx context.Context, token string, in AnswerInput) (int64, error)
	Analyze(ctx context.Context, a *access.Actor, id int64) (*Analysis, error)
	Cross(ctx context.Context, a *access.Actor, id int64, row, col string) (*CrossTab, error)
	Ranking(ctx context.Context, a *access.Actor, id int64, rank, sector, item string) ([]RankedItem, error)
	NeedsRanking(ctx context.Context, a *access.Actor, id int64) ([]RankedItem, error)
	Answers(ctx context.Context, a *access.Actor, id int64) ([]AnswerRow, error)
}

// FromText reads an answer to q as a sheet or a typed-up paper form
// gives it: options by label or key, a multiple choice's joined by 、，,；;
// or spaces; a number or a text as it stands. A label not among the
// options is kept as written, so Check names it.
func (q Question) FromText(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if !q.Kind.Choice() {
		return []string{s}
	}
	parts := []string{s}
	if q.Kind == Multiple {
		parts = strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,；; \u3000", r) })
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = normalizeDigits(strings.TrimSpace(p))
		for _, o := range q.Choices() {
			if o.Label == p {
				p = o.Key
				break
			}
		}
		out = append(out, p)
	}
	return out
}

// ChannelNamed finds the staff channel a sheet names by its Chinese name
// or its key; "" when it names none.
func ChannelNamed(s string, names map[Channel]string) Channel {
	s = strings.TrimSpace(s)
	for _, c := range StaffChannels {
		if s == string(c) || s == names[c] {
			return c
		}
	}
	return ""
}
