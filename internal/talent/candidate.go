package talent

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/creditcode"
	"shanzhi/internal/fault"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// EntityType is the legal form of the applicant's business.
type EntityType string

// The types the notice names.
const (
	Coop       EntityType = "coop"       // 农民专业合作社
	Company    EntityType = "company"    // 企业
	Farm       EntityType = "farm"       // 家庭农场
	Individual EntityType = "individual" // 个体工商户
	OtherType  EntityType = "other"      // 其他
)

// EntityTypes lists the types in the notice's order.
var EntityTypes = []EntityType{Coop, Company, Farm, Individual, OtherType}

// Valid reports whether t is a known type.
func (t EntityType) Valid() bool { return slices.Contains(EntityTypes, t) }

// CandidateInput is what an application carries. Money is in whole yuan.
type CandidateInput struct {
	Round   int64
	Village string
	Channel Channel
	// Resident links the applicant to the registry when they are in it;
	// returning migrants and newcomers from town are not, and need not be.
	Resident  int64
	Name      string
	Gender    string // 男 / 女
	BirthDate string // 2006-01-02
	Ethnicity string
	Political string
	Education string
	IDNumber  string // sealed at rest, shown masked
	Phone     string // sealed at rest, shown masked

	EntityType  EntityType
	EntityName  string
	CreditCode  string // 统一社会信用代码 (GB 32100)
	Industry    string
	Revenue     int64 // 上年营业收入, 元
	Employees   int
	Households  int   // 带动农户数
	IncomeRise  int64 // 带动农户户均增收, 元
	Products    string
	SalesRoutes string // 销售渠道
	Honours     string
	Summary     string // 个人简介与发展设想
}

// Text limits, in characters.
const (
	MaxShort = 60
	MaxLong  = 1000
)

// Normalize trims the texts and normalises the ID number, phone and
// credit code the way they are typed on phones (full-width, lower case).
func (in *CandidateInput) Normalize() {
	for _, p := range []*string{&in.Village, &in.Name, &in.Gender, &in.BirthDate, &in.Ethnicity, &in.Political, &in.Education, &in.EntityName,
		&in.Industry, &in.Products, &in.SalesRoutes, &in.Honours, &in.Summary} {
		*p = strings.TrimSpace(*p)
	}
	in.IDNumber = registry.NormalizeID(in.IDNumber)
	in.Phone = registry.NormalizePhone(in.Phone)
	in.CreditCode = creditcode.Normalize(in.CreditCode)
}

// Validate checks the form of whatever is filled in, so a draft can be
// saved half done; Complete checks that everything is there.
func (in CandidateInput) Validate(now time.Time) error {
	var fs fault.Fields
	if regioncode.LevelOf(in.Village) != regioncode.Village {
		fs.Add("village", "talent.candidate.village_invalid")
	}
	if in.Channel != "" && !in.Channel.Valid() {
		fs.Add("channel", "talent.candidate.channel_invalid")
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 30 {
		fs.Add("name", "talent.candidate.name_invalid")
	}
	if in.Gender != "" && in.Gender != "男" && in.Gender != "女" {
		fs.Add("gender", "talent.candidate.gender_invalid")
	}
	if in.BirthDate != "" {
		if d, err := time.Parse(time.DateOnly, in.BirthDate); err != nil || d.After(now) || d.Year() < 1920 {
			fs.Add("birth_date", "talent.candidate.birth_invalid")
		}
	}
	if in.IDNumber != "" {
		if p := registry.IDProblem(in.IDNumber, now); p != "" {
			fs.Add("id_number", p)
		}
	}
	if in.Phone != "" && !registry.ValidMobile(in.Phone) {
		fs.Add("phone", "talent.candidate.phone_invalid")
	}
	if in.EntityType != "" && !in.EntityType.Valid() {
		fs.Add("entity_type", "talent.candidate.entity_type_invalid")
	}
	if in.CreditCode != "" && !creditcode.Valid(in.CreditCode) {
		fs.Add("credit_code", "talent.candidate.credit_code_invalid")
	}
	for name, v := range map[string]string{"ethnicity": in.Ethnicity, "political": in.Political, "education": in.Education,
		"entity_name": in.EntityName, "industry": in.Industry} {
		if utf8.RuneCountInString(v) > MaxShort {
			fs.Add(name, "talent.candidate.too_long", MaxShort)
		}
	}
	for name, v := range map[string]string{"products": in.Products, "sales_routes": in.SalesRoutes, "honours": in.Honours, "summary": in.Summary} {
		if utf8.RuneCountInString(v) > MaxLong {
			fs.Add(name, "talent.candidate.too_long", MaxLong)
		}
	}
	for name, v := range map[string]int64{"revenue": in.Revenue, "employees": int64(in.Employees), "households": int64(in.Households), "income_rise": in.IncomeRise} {
		if v < 0 || v > 1e12 {
			fs.Add(name, "talent.candidate.number_invalid")
		}
	}
	return fs.Err()
}

// Complete checks that an application has everything a reviewer scores
// on before it may be submitted.
func (in CandidateInput) Complete() error {
	var fs fault.Fields
	need := map[string]bool{"channel": in.Channel == "", "gender": in.Gender == "", "birth_date": in.BirthDate == "", "ethnicity": in.Ethnicity == "",
		"political": in.Political == "", "id_number": in.IDNumber == "", "phone": in.Phone == "", "entity_type": in.EntityType == "",
		"entity_name": in.EntityName == "", "industry": in.Industry == "", "summary": in.Summary == ""}
	for _, name := range []string{"channel", "gender", "birth_date", "ethnicity", "political", "id_number", "phone", "entity_type", "entity_name", "industry", "summary"} {
		if need[name] {
			fs.Add(name, "talent.candidate.required")
		}
	}
	// Every registered form has a credit code; "other" covers the
	// unregistered ventures the locals channel brings in.
	if in.EntityType != "" && in.EntityType != OtherType && in.CreditCode == "" {
		fs.Add("credit_code", "talent.candidate.required")
	}
	return fs.Err()
}

// Candidate is a stored application.
type Candidate struct {
	CandidateInput
	ID          int64
	VillageName string
	IDMasked    string // the ID number and phone as pages show them
	PhoneMasked string
	Status      Status
	ReviewID    int64 // the current or last review item
	Step        int   // the review step it waits at, when in review
	Tier        Tier  // decided by the league
	Position    int   // the recommendation order at the current level, 0 if unset
	Mean        int   // the current level's mean score, hundredths
	LeaderID    int64 // set once approved
	Submissions int   // how many times it was submitted
	Actor       string
	Created     time.Time
	Updated     time.Time
	// Filled by Service.Candidate only.
	Levels  []LevelResult
	History []Submission
}

// Submission is one submission of an application, kept whole so a return
// and a resubmission never lose what was first sent.
type Submission struct {
	N        int
	ReviewID int64
	Actor    string
	At       time.Time
	Outcome  Status
}

// ImportRow is one row of an applications sheet: the line the user sees,
// what it asks for, and after Service.Import what became of it.
type ImportRow struct {
	Line  int
	Input CandidateInput
	// Village and Township are the row's village as typed (a code, a
	// name, or a township's name and the village's) and its township
	// column; Import resolves them to Place and Input.Village, and
	// refuses a name that could mean more than one village. An empty
	// Village uses Input.Village.
	Village  string
	Township string
	Place    region.Place
	// Sheet is a problem the sheet's reader found (an unknown channel, a
	// number that is not one): the row is still resolved, so the check
	// shows its village, but never saved.
	Sheet error
	ID    int64 // the draft made, when committed
	Err   error // why the row was refused, nil when it passes
}

// MaxImportRows bounds one sheet; a league's whole round (1,286 in the
// seed league) fits many times over.
const MaxImportRows = 5000
