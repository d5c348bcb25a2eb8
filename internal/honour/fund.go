package honour

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// Reason is why a household needs a mutual-aid drive.
type Reason string

// The reason categories.
const (
	Illness  Reason = "illness"  // 大病
	Accident Reason = "accident" // 事故
	Disaster Reason = "disaster" // 灾害
	Other    Reason = "other"    // 其他
)

// Reasons lists them in the order forms offer them.
var Reasons = []Reason{Illness, Accident, Disaster, Other}

// CampaignStatus is whether a drive still takes entries.
type CampaignStatus string

// The campaign states.
const (
	CampaignOpen   CampaignStatus = "open"
	CampaignClosed CampaignStatus = "closed"
)

// Campaign is a mutual-aid drive for one household in difficulty. A
// village committee holds no public-fundraising qualification under the
// Charity Law: the drive is among the village's own people and units, or
// run with a partner charity that holds one, named in Partner. Amounts are
// in 分; Raised counts confirmed donations only.
type Campaign struct {
	CampaignInput
	ID          int64
	Village     string
	VillageName string
	Number      string // the household's 户号
	Head        string
	Status      CampaignStatus
	Raised      int64
	Spent       int64 // disbursed to the household
	Moved       int64 // the rest transferred on closing
	Balance     int64
	Pending     int // donations waiting for their second official
	CreatedBy   string
	Created     time.Time
	// Scans are the stored scans of the household's signed consent, for
	// those who may open them (officials who read the register); empty
	// for everyone else and on the public page.
	Scans []ConsentScan
}

// CampaignInput opens a drive.
type CampaignInput struct {
	Household   int64
	Title       string
	Reason      Reason
	Partner     string // the partner charity, when there is one
	Target      int64  // 分
	Starts      string // YYYY-MM-DD
	Ends        string
	Consent     Consent // the household's consent to the drive
	ConsentDate string
	// Scan is the signed consent as scanned (JPEG, PNG or PDF, at most
	// MaxScanBytes), stored with the drive in its transaction.
	Scan []byte
}

// MaxAmount bounds one amount: ten million yuan, in 分, far above any
// village drive and far below any overflow.
const MaxAmount = 1_000_000_000

// Normalize trims the free text.
func (c *CampaignInput) Normalize() {
	c.Title, c.Partner = strings.TrimSpace(c.Title), strings.TrimSpace(c.Partner)
}

// Validate checks a drive: a household, a title, a reason, a target, a
// period, and the household's consent.
func (c CampaignInput) Validate() error {
	var fs fault.Fields
	if c.Household <= 0 {
		fs.Add("household", "fund.campaign.household")
	}
	if n := utf8.RuneCountInString(c.Title); n == 0 || n > MaxName {
		fs.Add("title", "fund.campaign.title", MaxName)
	}
	if !validReason(c.Reason) {
		fs.Add("reason", "fund.campaign.reason")
	}
	if utf8.RuneCountInString(c.Partner) > MaxName {
		fs.Add("partner", "fund.campaign.partner", MaxName)
	}
	if c.Target <= 0 || c.Target > MaxAmount {
		fs.Add("target", "fund.amount")
	}
	s, err1 := time.Parse("2006-01-02", c.Starts)
	e, err2 := time.Parse("2006-01-02", c.Ends)
	if err1 != nil || err2 != nil || e.Before(s) {
		fs.Add("ends", "fund.campaign.period")
	}
	switch c.Consent {
	case ConsentSigned, ConsentPhone, ConsentVerbal:
		if _, err := time.Parse("2006-01-02", c.ConsentDate); err != nil {
			fs.Add("consent_date", "honour.nomination.consent_date")
		}
	default:
		fs.Add("consent", "fund.campaign.consent")
	}
	return fs.Err()
}

func validReason(r Reason) bool {
	for _, x := range Reasons {
		if r == x {
			return true
		}
	}
	return false
}

// EntryKind is what a fundraising entry records.
type EntryKind string

// The entry kinds. A donation counts once a second official confirms it.
const (
	Donation     EntryKind = "donation"
	Confirmation EntryKind = "confirm"
	Disbursement EntryKind = "disburse"
	Transfer     EntryKind = "transfer" // the rest handed on at closing
	Closing      EntryKind = "close"
)

// Method is how a donation came in.
type Method string

// The methods. No payment is taken online: the committee records money
// given in cash or by a bank transfer it can show.
const (
	Cash         Method = "cash"
	BankTransfer Method = "transfer"
)

// Entry is one row of a campaign's ledger, chained per village.
type Entry struct {
	ID       int64
	Village  string
	Seq      int64
	Campaign int64
	Kind     EntryKind
	Ref      int64  // a confirmation's donation
	Party    string // the donor, the recipient's acknowledgement, or where the rest went
	Named    bool   // the donor agreed to be named on the public page
	Amount   int64  // 分
	Method   Method
	Day      string
	Receipt  string
	Evidence string
	Key      string
	ActorID  int64
	Actor    string
	At       time.Time
	PrevHash string
	Hash     string
	KV       int
	// Filled for donations when listed: who confirmed them, if anyone.
	ConfirmedBy string
}

// Posting is one write to a campaign's ledger, with the client's
// idempotency key: the same key and content return the first result, the
// same key with other content is a conflict.
type Posting struct {
	Key      string
	Campaign int64
	Kind     EntryKind
	Ref      int64
	Party    string
	Named    bool
	Amount   int64
	Method   Method
	Day      string
	Receipt  string
	Evidence string
}

// Normalize trims the free text.
func (p *Posting) Normalize() {
	p.Key, p.Party, p.Receipt, p.Evidence = strings.TrimSpace(p.Key), strings.TrimSpace(p.Party), strings.TrimSpace(p.Receipt), strings.TrimSpace(p.Evidence)
}

// Validate checks a posting by its kind: a donation needs an amount, a
// method, a date and a receipt number (an anonymous donor has no name);
// a disbursement an amount, its evidence and the recipient's
// acknowledgement; a transfer where the rest went.
func (p Posting) Validate() error {
	var fs fault.Fields
	if p.Key == "" || len(p.Key) > 100 {
		fs.Add("key", "fund.key")
	}
	if _, err := time.Parse("2006-01-02", p.Day); err != nil {
		fs.Add("day", "fund.day")
	}
	if utf8.RuneCountInString(p.Party) > MaxName || utf8.RuneCountInString(p.Receipt) > MaxName || utf8.RuneCountInString(p.Evidence) > MaxDeed {
		fs.Add("party", "fund.too_long")
	}
	switch p.Kind {
	case Donation:
		if p.Amount <= 0 || p.Amount > MaxAmount {
			fs.Add("amount", "fund.amount")
		}
		if p.Method != Cash && p.Method != BankTransfer {
			fs.Add("method", "fund.method")
		}
		if p.Receipt == "" {
			fs.Add("receipt", "fund.receipt")
		}
		if p.Party == "" && p.Named {
			fs.Add("party", "fund.named_anonymous")
		}
	case Disbursement:
		if p.Amount <= 0 || p.Amount > MaxAmount {
			fs.Add("amount", "fund.amount")
		}
		if p.Evidence == "" {
			fs.Add("evidence", "fund.evidence")
		}
		if p.Party == "" {
			fs.Add("party", "fund.acknowledgement")
		}
	case Confirmation:
		if p.Ref <= 0 {
			fs.Add("donation", "fund.confirm.which")
		}
	case Closing:
	default:
		fs.Add("kind", "fund.kind")
	}
	return fs.Err()
}

// Fingerprint is what makes two postings with one key the same request.
func (p Posting) Fingerprint() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d\x1f%s\x1f%d\x1f%s\x1f%t\x1f%d\x1f%s\x1f%s\x1f%s\x1f%s", p.Campaign, p.Kind, p.Ref, p.Party, p.Named, p.Amount, p.Method, p.Day, p.Receipt, p.Evidence)))
	return hex.EncodeToString(h[:])
}

// Yuan shows an amount in 分 as yuan with two decimals.
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// FundService keeps the campaigns and their ledgers. Errors: fault.Invalid
// with fields for bad input, fault.NotFound outside the actor's villages,
// fault.Forbidden for an official confirming their own entry or a reader
// writing, fault.Conflict for a closed campaign, a disbursement beyond the
// balance, a closing with money left, and a key reused for another
// request.
type FundService interface {
	Open(ctx context.Context, a *access.Actor, in CampaignInput) (*Campaign, error)
	Campaigns(ctx context.Context, a *access.Actor, region string) ([]Campaign, error)
	// Campaign and Entries with a nil actor are the public transparency
	// page's reads.
	Campaign(ctx context.Context, a *access.Actor, id int64) (*Campaign, error)
	Entries(ctx context.Context, a *access.Actor, id int64) ([]Entry, error)
	// Scan returns a scan of the drive's consent (its type and bytes) to
	// the officials who read the register, auditing the view.
	Scan(ctx context.Context, a *access.Actor, id, scan int64) (string, []byte, error)
	// Post appends a donation, a confirmation, a disbursement or the
	// closing (with a transfer of the rest when Party names where it
	// went).
	Post(ctx context.Context, a *access.Actor, p Posting) (*Entry, error)
}
