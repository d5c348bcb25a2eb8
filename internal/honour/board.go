// Package honour is the village's recognition and mutual aid (issue 16):
// honour boards, computed from the Moral Bank or nominated and decided
// through the shared review engine; mutual-aid fundraising kept under a
// two-person rule on an append-only, chained ledger; the township's
// privileges that points open; and the consented credit export for rural
// banks (道德积分贷).
package honour

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// Kind is how a board fills its places.
type Kind string

// The board kinds.
const (
	Computed  Kind = "computed"  // from the Moral Bank's approved points in the period
	Nominated Kind = "nominated" // from nominations the committee decides, after public notice
)

// PeriodKind is how long one edition of a board runs.
type PeriodKind string

// The period kinds.
const (
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Year    PeriodKind = "year"
)

// Limits on what a board and a nomination hold.
const (
	MaxName     = 30
	MaxSize     = 50
	MaxDeed     = 500
	MaxCitation = 60 // a poster line
)

// Board is an honour board of a village or a township.
type Board struct {
	BoardInput
	ID         int64
	RegionName string
	CreatedBy  string
	Created    time.Time
}

// BoardInput is what defines a board. Aspect narrows a computed board to
// one heading of the scheme (孝老爱亲 for 孝星榜); MinPoints is the
// threshold below which nobody is placed; Size is the number of places,
// with everyone tied at the last place placed too. Item, when set, is the
// scheme item whose points a period's publication awards each household
// on it (placed, or nominated and approved), through the award review
// like any award.
type BoardInput struct {
	Region    string
	Name      string
	Kind      Kind
	Period    PeriodKind
	Aspect    string
	MinPoints int64
	Size      int
	Item      string
}

// Normalize trims the free text.
func (b *BoardInput) Normalize() {
	b.Name, b.Aspect, b.Item = strings.TrimSpace(b.Name), strings.TrimSpace(b.Aspect), strings.TrimSpace(b.Item)
}

// Validate checks a board's definition: a village or township, a name,
// a known kind and period, places, and a threshold only where points
// decide.
func (b BoardInput) Validate() error {
	var fs fault.Fields
	if lvl := regioncode.LevelOf(b.Region); lvl != regioncode.Village && lvl != regioncode.Township {
		fs.Add("region", "honour.board.region")
	}
	if n := utf8.RuneCountInString(b.Name); n == 0 || n > MaxName {
		fs.Add("name", "honour.board.name", MaxName)
	}
	if b.Kind != Computed && b.Kind != Nominated {
		fs.Add("kind", "honour.board.kind")
	}
	if b.Period != Month && b.Period != Quarter && b.Period != Year {
		fs.Add("period", "honour.board.period")
	}
	if b.Size < 1 || b.Size > MaxSize {
		fs.Add("size", "honour.board.size", MaxSize)
	}
	if b.MinPoints < 0 || b.Kind == Nominated && (b.MinPoints != 0 || b.Aspect != "") {
		fs.Add("min_points", "honour.board.threshold")
	}
	return fs.Err()
}

// ParsePeriod checks that period names one edition of a board of kind k
// ("2026-06", "2026-Q2", "2026") and returns the periods the Moral Bank's
// totals keep that make it up: the month or year itself, or a quarter's
// three months.
func ParsePeriod(k PeriodKind, period string) ([]string, error) {
	bad := fault.OnField(fault.Invalid, "period", "honour.period.bad", period)
	switch k {
	case Month:
		if _, err := time.Parse("2006-01", period); err != nil {
			return nil, bad
		}
		return []string{period}, nil
	case Year:
		if _, err := time.Parse("2006", period); err != nil {
			return nil, bad
		}
		return []string{period}, nil
	case Quarter:
		y, q, ok := strings.Cut(period, "-Q")
		n, err := strconv.Atoi(q)
		if _, yerr := time.Parse("2006", y); !ok || yerr != nil || err != nil || n < 1 || n > 4 {
			return nil, bad
		}
		out := make([]string, 3)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%02d", y, 3*(n-1)+i+1)
		}
		return out, nil
	}
	return nil, bad
}

// CurrentPeriod is the edition of a board of kind k that day falls in.
func CurrentPeriod(k PeriodKind, day time.Time) string {
	switch k {
	case Year:
		return day.Format("2006")
	case Quarter:
		return fmt.Sprintf("%d-Q%d", day.Year(), (int(day.Month())-1)/3+1)
	}
	return day.Format("2006-01")
}

// Standing is one household's points over a period, as a computed board
// ranks them.
type Standing struct {
	Household int64
	Person    string
	Points    int64
}

// Place ranks standings (sorted by points, highest first) the way a
// board shows them: ties share a place (1, 1, 3), nobody below min is
// placed, and everyone tied with the last of size places is placed too.
// It returns each placed standing's place, in order.
func Place(ss []Standing, size int, min int64) []int {
	var out []int
	for i, s := range ss {
		if s.Points < min || s.Points <= 0 {
			break
		}
		place := i + 1
		if i > 0 && s.Points == ss[i-1].Points {
			place = out[i-1]
		}
		if place > size {
			break
		}
		out = append(out, place)
	}
	return out
}

// Honour is a place on a board in a period, on a household's record.
type Honour struct {
	ID         int64
	Board      int64
	BoardName  string
	Region     string // the board's region
	Period     string
	Household  int64
	Village    string
	Person     string // the head's (or nominee's) name; masked on public pages
	Place      int
	Points     int64 // the points that placed a computed board's household
	Citation   string
	Nomination int64
	// Photos are the nomination's deed photos its nominee agreed to show
	// in public; only an approved nomination's honour carries them.
	Photos  []int64
	Created time.Time
}

// Edition is one period of a board: its honours, and when it was
// published (zero while a computed board's period is only a preview).
type Edition struct {
	Board     Board
	Period    string
	Honours   []Honour
	Published time.Time
	Publisher string
}

// NominatorKind says who nominated.
type NominatorKind string

// The nominators.
const (
	ByVillager     NominatorKind = "villager"
	ByStaff        NominatorKind = "staff"
	ByOrganisation NominatorKind = "organisation"
)

// Consent is how the nominee agreed to be nominated.
type Consent string

// The ways of consenting.
const (
	ConsentSigned Consent = "signed" // signed the nomination form
	ConsentPhone  Consent = "phone"  // agreed on their own phone page
	ConsentVerbal Consent = "verbal" // told the committee, who recorded it
	// ConsentStated is the public channel's: the nominator states that
	// the nominee agreed, for the committee to confirm before deciding.
	ConsentStated Consent = "stated"
)

// ChannelPublic marks a nomination made on the board's public phone page
// by someone without an account.
const ChannelPublic = "public"

// NominationStatus is where a nomination stands.
type NominationStatus string

// The nomination states.
const (
	NomInReview  NominationStatus = "in_review"
	NomPublished NominationStatus = "published"
	NomRefused   NominationStatus = "refused"
)

// Nomination proposes a household for a nominated board's period.
type Nomination struct {
	NominationInput
	ID        int64
	Village   string
	BoardName string
	Status    NominationStatus
	ReviewID  int64
	PhotoIDs  []int64 // the deed's photos as stored, for the committee
	// Scans are the stored scans of the nominee's signed consent, for the
	// officials who read the register.
	Scans []ConsentScan
	// Channel is ChannelPublic for the public phone page, else empty;
	// NominatorPhone is then the nominator's phone, masked.
	Channel        string
	NominatorPhone string
	CreatedBy      string
	Created        time.Time
}

// NominationInput is what a nomination carries: the deed, a short
// citation for the board, who nominated, and the nominee's consent.
type NominationInput struct {
	Board         int64
	Period        string
	Household     int64
	Number        string // the household's 户号, when Household is not known (a villager's phone)
	Nominee       string // a member of the household; empty names its head
	Deed          string
	Citation      string
	NominatorKind NominatorKind
	Nominator     string
	Consent       Consent
	ConsentDate   string
	// Photos of the deed, as uploaded: the store checks, strips and
	// re-encodes them. PhotosPublic is the nominee's consent to show them
	// on the public board once approved.
	Photos       [][]byte
	PhotosPublic bool
	// Scan is the nominee's signed consent as scanned (JPEG, PNG or PDF,
	// at most MaxScanBytes), stored with the nomination.
	Scan []byte
}

// MaxPhotos is how many photos a nomination carries.
const MaxPhotos = 3

// Normalize trims the free text.
func (n *NominationInput) Normalize() {
	n.Deed, n.Citation, n.Nominator = strings.TrimSpace(n.Deed), strings.TrimSpace(n.Citation), strings.TrimSpace(n.Nominator)
}

// Validate checks a nomination; the nominee's consent is required.
func (n NominationInput) Validate() error {
	var fs fault.Fields
	if n.Household <= 0 && strings.TrimSpace(n.Number) == "" {
		fs.Add("household", "honour.nomination.household")
	}
	if c := utf8.RuneCountInString(n.Deed); c == 0 || c > MaxDeed {
		fs.Add("deed", "honour.nomination.deed", MaxDeed)
	}
	if c := utf8.RuneCountInString(n.Citation); c == 0 || c > MaxCitation {
		fs.Add("citation", "honour.nomination.citation", MaxCitation)
	}
	switch n.NominatorKind {
	case ByVillager, ByStaff, ByOrganisation:
	default:
		fs.Add("nominator_kind", "honour.nomination.nominator_kind")
	}
	if n.Nominator == "" || utf8.RuneCountInString(n.Nominator) > MaxName {
		fs.Add("nominator", "honour.nomination.nominator", MaxName)
	}
	if len(n.Photos) > MaxPhotos {
		fs.Add("photos", "award.photo_count", MaxPhotos)
	}
	switch n.Consent {
	case ConsentSigned, ConsentPhone, ConsentVerbal, ConsentStated:
		if _, err := time.Parse("2006-01-02", n.ConsentDate); err != nil {
			fs.Add("consent_date", "honour.nomination.consent_date")
		}
	default:
		fs.Add("consent", "honour.nomination.consent")
	}
	return fs.Err()
}

// PublicNomination is what the board's public phone page takes from a
// villager without an account: who they are (name and phone), whom they
// nominate (the name and the household's 户号, which must match, so the
// form cannot be used to look people up), the deed, up to MaxPhotos
// photos with the nominee's consent to show them, and the statement that
// the nominee agreed to be nominated. Token is the form's delay token.
type PublicNomination struct {
	Board          int64
	Number         string
	Nominee        string
	Deed           string
	NominatorName  string
	NominatorPhone string
	NomineeAgreed  bool
	Photos         [][]byte
	PhotosPublic   bool
	Token          string
}

// PublicPerPhone is how many nominations one phone may make in a day on
// the public page, across every board and server: a villager nominates a
// neighbour or two, not dozens.
const PublicPerPhone = 3

// Citation is the board's short line for a public nomination: the deed's
// first MaxCitation characters, for the committee to shorten if it likes.
func (p PublicNomination) Citation() string {
	d := []rune(strings.Join(strings.Fields(p.Deed), " "))
	if len(d) > MaxCitation {
		d = d[:MaxCitation]
	}
	return string(d)
}
