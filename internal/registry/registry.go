// Package registry is the household register (户籍台账): households (户),
// the residents who belong to them, and the events that change membership.
// Membership is never edited in place: a move, a split, a merge or a new
// head is an event, so the register can always say who lived where when.
package registry

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/mongol"
)

// Gender as the ID number and the register record it.
type Gender string

// The genders.
const (
	Male   Gender = "男"
	Female Gender = "女"
)

// HouseholdStatus says whether a household is still on the register.
type HouseholdStatus string

// The household statuses. Merged households stay on record, empty, with the
// household they went into named in their history.
const (
	HouseholdActive HouseholdStatus = "在册"
	HouseholdMerged HouseholdStatus = "已合并"
	HouseholdClosed HouseholdStatus = "已注销"
)

// ResidentStatus says whether a resident still lives in the household.
type ResidentStatus string

// The resident statuses of the register.
const (
	Registered ResidentStatus = "在册"
	MovedOut   ResidentStatus = "迁出"
	Deceased   ResidentStatus = "死亡"
)

// ErasedName stands in the register for a resident whose personal data was
// erased on a lawful request (PIPL art. 47): the row stays so households,
// awards and ledgers keep pointing at something, but names no one.
const ErasedName = "已删除"

// Head is the relation value that marks a household's head.
const Head = "户主"

// Relations lists the relations to the head that forms offer, the ones
// household books use most; any other name of GB/T 4761 is valid too
// (see ValidRelation).
var Relations = []string{Head, "配偶", "夫", "妻", "子", "长子", "次子", "女", "长女", "次女", "儿媳", "女婿", "孙子", "孙女", "外孙子", "外孙女",
	"父亲", "母亲", "岳父", "岳母", "公公", "婆婆", "祖父", "祖母", "兄", "弟", "姐姐", "妹妹", "其他亲属", "非亲属", "其他"}

// PoliticalStatuses lists the political statuses of GB/T 4762.
var PoliticalStatuses = []string{"中共党员", "中共预备党员", "共青团员", "民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员", "致公党党员", "九三学社社员", "台盟盟员", "无党派人士", "群众"}

// Ethnicities lists the 56 ethnic groups of GB/T 3304, Mongolian and Han
// first because they are most of Inner Mongolia's residents.
var Ethnicities = []string{"蒙古族", "汉族", "满族", "回族", "达斡尔族", "鄂温克族", "鄂伦春族", "朝鲜族", "俄罗斯族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "羌族", "撒拉族", "仫佬族", "锡伯族", "布朗族", "仡佬族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "赫哲族", "门巴族", "珞巴族", "基诺族"}

// Household is one 户 of the register.
type Household struct {
	ID          int64
	Number      string // 户号, unique within its village
	VillageCode string
	VillageName string
	Address     string
	HeadID      int64
	HeadName    string
	Status      HouseholdStatus
	Members     int // residents 在册
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Resident is one person of the register. IDNumber and Phone are plain text
// here and sealed in the store; pages show IDMasked and PhoneMasked.
type Resident struct {
	ID          int64
	HouseholdID int64
	Name        string // Chinese, or traditional Mongolian script
	NameMongol  string // the traditional-script form, when the name is a transliteration
	Gender      Gender
	Ethnicity   string
	BirthDate   string // 2006-01-02
	IDNumber    string
	IDMasked    string
	Phone       string
	PhoneMasked string
	Relation    string
	Political   string
	Status      ResidentStatus
	UpdatedAt   time.Time
}

// Erased tells whether the resident's personal data was erased.
func (r Resident) Erased() bool { return r.Name == ErasedName }

// Event is one line of a household's history.
type Event struct {
	ID          int64
	HouseholdID int64
	ResidentID  int64
	Resident    string // the resident's name at the time
	Kind        string // a catalogue key suffix: created, member_added, moved_in ...
	OtherID     int64  // the other household of a move, split or merge
	OtherNumber string
	Detail      string
	Reason      string
	Actor       string
	At          time.Time
}

// HouseholdInput is what a form or an import row gives for a household.
type HouseholdInput struct {
	Number      string
	VillageCode string
	Address     string
}

// Normalize trims the input's text fields.
func (in *HouseholdInput) Normalize() {
	in.Number = Fold(in.Number)
	in.VillageCode = Fold(in.VillageCode)
	in.Address = Fold(in.Address)
}

// Validate reports every problem with the household fields at once.
func (in HouseholdInput) Validate() error {
	var fs fault.Fields
	in.check(&fs)
	return fs.Err()
}

func (in HouseholdInput) check(fs *fault.Fields) {
	switch {
	case in.Number == "":
		fs.Add("number", "registry.number.required")
	case utf8.RuneCountInString(in.Number) > 30 || strings.ContainsFunc(in.Number, func(r rune) bool {
		return !(unicode.IsDigit(r) || unicode.IsLetter(r) || r == '-')
	}):
		fs.Add("number", "registry.number.format")
	}
	if len(in.VillageCode) != 12 {
		fs.Add("village", "registry.village.required")
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		fs.Add("address", "registry.address.long")
	}
}

// ResidentInput is what a form or an import row gives for a resident.
type ResidentInput struct {
	Name       string
	NameMongol string
	Gender     Gender
	Ethnicity  string
	BirthDate  string
	IDNumber   string
	Phone      string
	Relation   string
	Political  string
	// KeepIDNumber and KeepPhone keep the stored values on an update: the
	// edit form never shows them in full, so an empty box means "as is".
	KeepIDNumber bool
	KeepPhone    bool
}

// Normalize trims fields, upper-cases the ID check character, strips phone
// separators, and fills gender and birth date from a valid ID number when
// they were left empty, since clerks often type only the number.
func (in *ResidentInput) Normalize(now time.Time) {
	in.Name = Fold(strings.ReplaceAll(in.Name, "\u3000", ""))
	in.NameMongol = mongol.Normalize(in.NameMongol)
	in.Ethnicity = Fold(in.Ethnicity)
	if in.Ethnicity != "" && !strings.HasSuffix(in.Ethnicity, "族") {
		in.Ethnicity += "族" // 蒙古 -> 蒙古族, as often typed
	}
	in.Relation = NormalizeRelation(in.Relation)
	in.Political = Fold(in.Political)
	if in.Political == "党员" {
		in.Political = "中共党员"
	} else if in.Political == "团员" {
		in.Political = "共青团员"
	}
	in.IDNumber = NormalizeID(Fold(in.IDNumber))
	in.Phone = NormalizePhone(Fold(in.Phone))
	in.BirthDate = NormalizeDate(Fold(in.BirthDate))
	in.Gender = Gender(Fold(string(in.Gender)))
	if IDProblem(in.IDNumber, now) == "" {
		if in.Gender == "" {
			in.Gender = GenderFromID(in.IDNumber)
		}
		if in.BirthDate == "" {
			b, _ := BirthFromID(in.IDNumber)
			in.BirthDate = b.Format("2006-01-02")
		}
	}
	if in.Political == "" {
		in.Political = "群众"
	}
}

// Validate reports every problem with the resident fields at once.
func (in ResidentInput) Validate(now time.Time) error {
	var fs fault.Fields
	in.check(&fs, now)
	return fs.Err()
}

func (in ResidentInput) check(fs *fault.Fields, now time.Time) {
	switch {
	case in.Name == "":
		fs.Add("name", "registry.name.required")
	case utf8.RuneCountInString(in.Name) > 40:
		fs.Add("name", "registry.name.long")
	case !validName(in.Name):
		fs.Add("name", "registry.name.chars")
	}
	switch {
	case mongol.HasLegacy(in.NameMongol):
		fs.Add("name_mongol", "registry.name_mongol.legacy")
	case in.NameMongol != "" && !isMongolScript(in.NameMongol):
		fs.Add("name_mongol", "registry.name_mongol.chars")
	}
	if in.Gender != Male && in.Gender != Female {
		fs.Add("gender", "registry.gender.invalid")
	}
	if !slices.Contains(Ethnicities, in.Ethnicity) {
		fs.Add("ethnicity", "registry.ethnicity.invalid")
	}
	if in.IDNumber != "" {
		if p := IDProblem(in.IDNumber, now); p != "" {
			fs.Add("id_number", p)
		} else {
			if b, _ := BirthFromID(in.IDNumber); in.BirthDate != "" && b.Format("2006-01-02") != in.BirthDate {
				fs.Add("birth_date", "registry.birth.mismatch")
			}
			if g := GenderFromID(in.IDNumber); in.Gender != "" && g != in.Gender && !fs.Has("gender") {
				fs.Add("gender", "registry.gender.mismatch")
			}
		}
	}
	if !fs.Has("birth_date") {
		if in.BirthDate == "" {
			fs.Add("birth_date", "registry.birth.required")
		} else if d, err := time.Parse("2006-01-02", in.BirthDate); err != nil || d.After(now) || d.Year() < 1880 {
			fs.Add("birth_date", "registry.birth.invalid")
		}
	}
	if in.Phone != "" && !ValidMobile(in.Phone) {
		fs.Add("phone", "registry.phone.invalid")
	}
	if !ValidRelation(in.Relation) {
		fs.Add("relation", "registry.relation.invalid")
	}
	if !slices.Contains(PoliticalStatuses, in.Political) {
		fs.Add("political", "registry.political.invalid")
	}
}

// validName accepts Han characters, traditional Mongolian script, Latin
// letters and the middle dots used in transliterated names (乌云·其木格).
func validName(s string) bool {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r), unicode.Is(unicode.Mongolian, r), unicode.IsLetter(r) && r < 0x250:
		case r == '·' || r == '・' || r == '•' || r == ' ' || r == '\u202f' || r == '\u180e':
		default:
			return false
		}
	}
	return true
}

func isMongolScript(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Mongolian, r) && r != ' ' && r != '\u202f' && r != '\u200d' && r != '\u200c' {
			return false
		}
	}
	return true
}

// NormalizeDate accepts the ways dates are typed into ledgers (2006-01-02,
// 2006/1/2, 2006.1.2, 2006年1月2日, 20060102) and returns 2006-01-02, or the
// input unchanged when it is none of them, for Validate to reject.
func NormalizeDate(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	r := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")
	t := r.Replace(s)
	if len(t) == 8 && !strings.Contains(t, "-") {
		t = t[:4] + "-" + t[4:6] + "-" + t[6:]
	}
	for _, layout := range []string{"2006-1-2", "2006-01-02"} {
		if d, err := time.Parse(layout, t); err == nil {
			return d.Format("2006-01-02")
		}
	}
	return s
}

// ListFilter selects households for a list page.
type ListFilter struct {
	Region string // a code the list is limited to; "" means the actor's whole scope
	Query  string // a name, pinyin initials, a 户号 or the last digits of an ID number
	Status HouseholdStatus
	// ByNumber orders by 户号 instead of the head's name in pinyin order.
	ByNumber bool
	Offset   int
	Limit    int
}

// ResidentFilter selects residents for a list page or an export.
type ResidentFilter struct {
	Region string
	Query  string
	Status ResidentStatus
	Offset int
	Limit  int
	// MongolOrder lists Mongolian names in the Mongolian alphabet's
	// order, ahead of the names recorded in Chinese only.
	MongolOrder bool
}

// ResidentRow is a resident with the household and village it belongs to,
// the shape of the register export.
type ResidentRow struct {
	Resident
	HouseholdNumber string
	VillageCode     string
	VillageName     string
	Address         string
}

// Split says which members leave a household to form a new one.
type Split struct {
	From      int64
	Members   []int64
	NewHead   int64
	Number    string
	Address   string
	Relations map[int64]string // new relation to the new head, per member
	Reason    string
	// Points is the share of the old household's points the split
	// decision gives the new one; the rest stays.
	Points int64
}

// Service keeps the register. Every method takes the acting user and
// returns fault.Forbidden when the actor's scope does not reach the village,
// fault.NotFound for unknown ids (also for ids outside the scope, so a
// forged id learns nothing), fault.Invalid with field details for bad input
// and fault.Conflict for duplicates.
type Service interface {
	CreateHousehold(ctx context.Context, a *access.Actor, h HouseholdInput, head ResidentInput) (*Household, error)
	UpdateHousehold(ctx context.Context, a *access.Actor, id int64, h HouseholdInput, reason string) error
	Household(ctx context.Context, a *access.Actor, id int64) (*Household, []Resident, error)
	Households(ctx context.Context, a *access.Actor, f ListFilter) ([]Household, int, error)
	History(ctx context.Context, a *access.Actor, id int64) ([]Event, error)

	AddResident(ctx context.Context, a *access.Actor, household int64, r ResidentInput, reason string) (*Resident, error)
	UpdateResident(ctx context.Context, a *access.Actor, id int64, r ResidentInput, reason string) error
	Resident(ctx context.Context, a *access.Actor, id int64) (*Resident, error)
	Residents(ctx context.Context, a *access.Actor, f ResidentFilter) ([]ResidentRow, int, error)
	// ExportResidents streams every resident the filter selects in register
	// order and records the export in the audit trail. With full set (it
	// needs access.ExportFull and a reason) IDNumber and Phone carry the
	// whole values; otherwise only the masked ones are filled.
	ExportResidents(ctx context.Context, a *access.Actor, f ResidentFilter, full bool, reason string, fn func(ResidentRow) error) error
	// Reveal returns a resident's full ID number and phone; it needs
	// access.PersonalReveal over the village and a reason, and is audited.
	Reveal(ctx context.Context, a *access.Actor, id int64, reason string) (idNumber, phone string, err error)
	// OwnHousehold is a villager's read-only view of their household.
	OwnHousehold(ctx context.Context, a *access.Actor) (*Household, []Resident, error)
	// CardToken returns the random token printed as a QR code on the
	// household card, making one on first use.
	CardToken(ctx context.Context, a *access.Actor, household int64) (string, error)
	// CardHousehold opens a household read-only by its card token, for the
	// villager who scans it; members are masked.
	CardHousehold(ctx context.Context, token string) (*Household, []Resident, error)
	// StageImport keeps an uploaded sheet until it is previewed and run.
	StageImport(ctx context.Context, a *access.Actor, region, fileName string, data []byte) (int64, error)
	// RunImport previews or runs a staged sheet; see ImportMode.
	RunImport(ctx context.Context, a *access.Actor, batch int64, mode ImportMode) (*ImportReport, error)
	// SetResidentStatus records a move away or a death; the head must be
	// replaced first.
	SetResidentStatus(ctx context.Context, a *access.Actor, id int64, s ResidentStatus, reason string) error
	// EraseResident removes the personal data of a resident who has left
	// the register, on a lawful request; ledgers and the audit log keep
	// their rows.
	EraseResident(ctx context.Context, a *access.Actor, id int64, reason string) error
	MoveResident(ctx context.Context, a *access.Actor, id, to int64, relation, reason string) error
	ChangeHead(ctx context.Context, a *access.Actor, household, resident int64, oldHeadRelation, reason string) error
	SplitHousehold(ctx context.Context, a *access.Actor, s Split) (*Household, error)
	MergeHouseholds(ctx context.Context, a *access.Actor, from, into int64, reason string) error
}
