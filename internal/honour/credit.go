package honour

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// ConsentMethod is how the household head gave the credit consent.
type ConsentMethod string

// The methods: on the villager's own phone page, or on the paper form the
// clerk scanned and filed under a reference.
const (
	OnPhone ConsentMethod = "phone"
	OnPaper ConsentMethod = "paper"
)

// CreditConsent is the household head's separate consent to export the
// household's credit summary to a named bank for a purpose (道德积分贷),
// kept for a retention period and revocable at any time.
type CreditConsent struct {
	ConsentInput
	ID        int64
	Household int64
	Village   string
	GivenBy   string
	Given     time.Time
	RevokedBy string
	Revoked   time.Time // zero while in force
	// Scans are the stored scans of the paper form, oldest first.
	Scans []ConsentScan
}

// ConsentScan is a stored scan of a paper consent: an image re-encoded
// without its metadata, or a PDF.
type ConsentScan struct {
	ID          int64
	Consent     int64
	ContentType string
	Size        int
	SHA256      string
	Actor       string
	At          time.Time
}

// MaxScanBytes bounds a consent's scan, checked before it is read.
const MaxScanBytes = 8 << 20

// ScanKind names a credit consent's scans in consent_scans, FundScanKind
// a drive's (the household's consent to it), NominationScanKind a
// nomination's (the nominee's signed consent).
const (
	ScanKind           = "credit"
	FundScanKind       = "fund"
	NominationScanKind = "nomination"
)

// Active reports whether the consent allows an export at now.
func (c CreditConsent) Active(now time.Time) bool {
	return c.Revoked.IsZero() && now.Before(c.Given.AddDate(0, 0, c.RetentionDays))
}

// ConsentInput is what the head agrees to.
type ConsentInput struct {
	Purpose       string
	Recipient     string // the bank or credit cooperative
	RetentionDays int
	Method        ConsentMethod
	Reference     string // the paper form's filing reference
	// Scan is the paper form as scanned (JPEG, PNG or PDF), stored with
	// the consent in the same transaction; only a paper consent has one.
	Scan []byte
}

// Normalize trims the free text.
func (c *ConsentInput) Normalize() {
	c.Purpose, c.Recipient, c.Reference = strings.TrimSpace(c.Purpose), strings.TrimSpace(c.Recipient), strings.TrimSpace(c.Reference)
}

// Validate checks a consent: a purpose, a recipient, a retention of at
// most three years, and for paper the filing reference of the scan.
func (c ConsentInput) Validate() error {
	var fs fault.Fields
	if n := utf8.RuneCountInString(c.Purpose); n == 0 || n > MaxName {
		fs.Add("purpose", "credit.purpose", MaxName)
	}
	if n := utf8.RuneCountInString(c.Recipient); n == 0 || n > MaxName {
		fs.Add("recipient", "credit.recipient", MaxName)
	}
	if c.RetentionDays < 1 || c.RetentionDays > 1096 {
		fs.Add("retention_days", "credit.retention")
	}
	switch {
	case c.Method == OnPaper && (c.Reference == "" || utf8.RuneCountInString(c.Reference) > MaxName):
		fs.Add("reference", "credit.reference")
	case c.Method != OnPaper && c.Method != OnPhone:
		fs.Add("method", "credit.method")
	}
	if len(c.Scan) > 0 && c.Method != OnPaper {
		fs.Add("scan", "credit.scan.paper_only")
	}
	return fs.Err()
}

// CreditExportRecord is one export made under a consent, shown to the
// household.
type CreditExportRecord struct {
	ID        int64
	Consent   int64
	Recipient string
	Format    string
	Actor     string
	At        time.Time
}

// AspectTotal is the year's awards and deductions of one aspect.
type AspectTotal struct {
	Aspect     string `json:"aspect"`
	Awards     int64  `json:"awards"`
	Deductions int64  `json:"deductions"` // a negative number or zero
}

// Deduction is one approved deduction.
type Deduction struct {
	Date   string `json:"date"`
	Item   string `json:"item"`
	Points int64  `json:"points"`
}

// CreditSummary is what a rural bank receives, as the API's JSON too: the household's standing
// within its village, the year's awards and deductions by aspect, and
// every deduction of the last twelve months. Nothing else of the
// household leaves: no ID number, phone or member.
type CreditSummary struct {
	Household   int64         `json:"household"`
	Number      string        `json:"number"`
	Head        string        `json:"head"`
	Village     string        `json:"village"`
	VillageName string        `json:"village_name"`
	Year        string        `json:"year"`
	Points      int64         `json:"points"` // the year's approved points
	Rank        int           `json:"rank"`   // within the village: 1 + households with more points
	Of          int           `json:"of"`     // the village's registered households
	Balance     int64         `json:"balance"`
	Aspects     []AspectTotal `json:"aspects"`
	Deductions  []Deduction   `json:"deductions"`
	Consent     int64         `json:"consent"`
	Recipient   string        `json:"recipient"`
	Generated   time.Time     `json:"generated"`
}

// CreditService keeps the consents and makes the exports. Errors:
// fault.Invalid for bad input, fault.NotFound outside the actor's reach,
// fault.Forbidden for an export without credit.export, fault.Conflict for
// an export with no consent in force.
type CreditService interface {
	// Consent records the head's consent: a villager on their own phone,
	// or an official from a scanned paper form.
	Consent(ctx context.Context, a *access.Actor, household int64, in ConsentInput) (*CreditConsent, error)
	Revoke(ctx context.Context, a *access.Actor, household, consent int64) error
	Consents(ctx context.Context, a *access.Actor, household int64) ([]CreditConsent, []CreditExportRecord, error)
	// Scan returns a paper consent's stored scan and its type to whoever
	// may read the household's consents; every view is audited.
	Scan(ctx context.Context, a *access.Actor, household, scan int64) (string, []byte, error)
	// Export makes the summary and records the export, audited, in one
	// transaction; format names the file the bank receives.
	Export(ctx context.Context, a *access.Actor, household int64, format string) (*CreditSummary, error)
}
