// Package points is the Moral Bank's household ledger (道德银行积分账本):
// integer points in append-only entries against household accounts. A
// balance is kept in step with the entries inside the same transaction;
// nothing is updated in place or deleted — a mistake is corrected by a
// linked reversal, once; spending never overdraws; every write carries a
// client-generated idempotency key; and each village's entries form a
// hash chain, so any edit of history is detectable.
package points

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// Kind is what an entry records.
type Kind string

// The kinds. Award and Base add points, Deduct and Spend take them, and a
// Reversal undoes one earlier entry by posting its opposite.
const (
	Award    Kind = "award"
	Deduct   Kind = "deduct"
	Base     Kind = "base"
	Spend    Kind = "spend"
	Reversal Kind = "reversal"
	// TransferOut and TransferIn move points with people when households
	// split or merge; only the register's split and merge post them.
	TransferOut Kind = "transfer_out"
	TransferIn  Kind = "transfer_in"
	// Expiry takes the balance at a year's close where the scheme says
	// points do not carry over.
	Expiry Kind = "expiry"
)

// Posting is a request to write one entry.
type Posting struct {
	Key       string // client-generated idempotency key
	Household int64
	Kind      Kind
	Points    int64 // positive; the kind gives the sign
	Item      string
	Memo      string
	Reverses  int64 // the entry a Reversal undoes
}

// Entry is one written line of a ledger.
type Entry struct {
	ID        int64
	Village   string
	Seq       int64 // position in the village's chain
	Household int64
	Kind      Kind
	Delta     int64 // signed change of the balance
	Balance   int64 // the balance after this entry
	Item      string
	Memo      string
	Reverses  int64
	Key       string
	Actor     string
	At        time.Time
	PrevHash  string
	Hash      string
	// KeyVersion names the chain key Hash was made with.
	KeyVersion int
}

// MaxPoints bounds one entry: no deed is worth more, and the bound keeps
// sums far from overflow.
const MaxPoints = 1_000_000

// Normalize trims the text fields.
func (p *Posting) Normalize() {
	p.Key = strings.TrimSpace(p.Key)
	p.Item = strings.TrimSpace(p.Item)
	p.Memo = strings.TrimSpace(p.Memo)
}

// Validate reports every problem with a posting.
func (p Posting) Validate() error {
	var fs fault.Fields
	if p.Key == "" || len(p.Key) > 100 {
		fs.Add("key", "points.key")
	}
	if p.Household <= 0 {
		fs.Add("household", "points.household")
	}
	switch p.Kind {
	case Award, Deduct, Base, Spend, TransferOut, TransferIn, Expiry:
		if p.Points <= 0 || p.Points > MaxPoints*1000 {
			fs.Add("points", "points.amount", MaxPoints)
		}
		if p.Reverses != 0 {
			fs.Add("reverses", "points.reverses_only")
		}
	case Reversal:
		if p.Reverses <= 0 {
			fs.Add("reverses", "points.reverses")
		}
	default:
		fs.Add("kind", "points.kind")
	}
	if utf8.RuneCountInString(p.Item) > 100 || utf8.RuneCountInString(p.Memo) > 200 {
		fs.Add("memo", "points.memo")
	}
	return fs.Err()
}

// Delta is the signed change a posting of kind makes.
func Delta(k Kind, points int64) int64 {
	if k == Deduct || k == Spend || k == TransferOut || k == Expiry {
		return -points
	}
	return points
}

// Fingerprint identifies a posting's content, so a retried request with the
// same key is recognised as the same request and a different one as a
// conflict.
func (p Posting) Fingerprint() string {
	s := strings.Join([]string{strconv.FormatInt(p.Household, 10), string(p.Kind), strconv.FormatInt(p.Points, 10),
		p.Item, p.Memo, strconv.FormatInt(p.Reverses, 10)}, "\x1f")
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// ChainKey is a chain key with the hash its MACs use: SHA-256 under an
// AES master key, SM3 under an SM one (商用密码).
type ChainKey struct {
	Key  []byte
	Hash func() hash.Hash
}

// Chain computes an entry's hash from the previous one's: an HMAC under
// the chain key of the entry's key version, which lives only in the
// key file, so someone who can write to the database but holds no key
// cannot make an altered entry, or the entries after it, verify. Every
// field that makes the entry what it is is covered, its position and key
// version included.
func Chain(key ChainKey, prev string, e Entry) string {
	m := hmac.New(key.Hash, key.Key)
	m.Write([]byte(chainText(prev, e) + "\x1fk" + strconv.Itoa(e.KeyVersion)))
	return hex.EncodeToString(m.Sum(nil))
}

// PlainChain is the unkeyed SHA-256 every entry carried before the chains
// were keyed; only the one conversion of such a ledger checks it.
func PlainChain(prev string, e Entry) string {
	sum := sha256.Sum256([]byte(chainText(prev, e)))
	return hex.EncodeToString(sum[:])
}

func chainText(prev string, e Entry) string {
	return strings.Join([]string{prev, e.Village, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.Household, 10), string(e.Kind),
		strconv.FormatInt(e.Delta, 10), strconv.FormatInt(e.Balance, 10), e.Item, e.Memo, strconv.FormatInt(e.Reverses, 10),
		e.Key, e.Actor, strconv.FormatInt(e.At.UnixMilli(), 10)}, "\x1f")
}

// Problem is a difference Verify found.
type Problem struct {
	Village string
	Seq     int64
	Reason  string
}

// Service keeps the ledger. Post returns fault.Conflict when the key was
// used for a different posting, when the balance does not cover a spend
// or deduction, and when an entry is reversed twice; fault.NotFound and
// fault.Forbidden follow the register's rules for the household.
type Service interface {
	Post(ctx context.Context, a *access.Actor, p Posting) (*Entry, error)
	Balance(ctx context.Context, a *access.Actor, household int64) (int64, error)
	// Statement returns a household's entries, newest first, before the
	// given sequence (0: the latest).
	Statement(ctx context.Context, a *access.Actor, household int64, before int64, limit int) ([]Entry, error)
	// Period returns a household's entries made in [from, to), oldest
	// first and all of them, with the opening balance (the balance after
	// the last entry before from): the printed statement and its export.
	Period(ctx context.Context, a *access.Actor, household int64, from, to time.Time) (opening int64, entries []Entry, err error)
	// Verify rechecks every village chain and recomputes every balance.
	Verify(ctx context.Context) ([]Problem, error)
}

// Close is a sealed year of a village's ledger: the chain head at the
// close, so any later edit of the year's entries is detectable against it.
type Close struct {
	Village string
	Year    int
	Seq     int64
	Hash    string
	Expired int64 // points taken by the year-end rule
}

// PeriodService runs the ledger's calendar: base scores at the start of a
// period and the yearly close. Both are idempotent: running them twice for
// one period changes nothing the second time.
type PeriodService interface {
	// ApplyBase credits every registered household of village the base
	// score of the scheme in force on day, once per base period.
	ApplyBase(ctx context.Context, a *access.Actor, village string, day time.Time) (int, error)
	// CloseYear seals village's ledger for year and applies the scheme's
	// rule for old points (carry over, or expire).
	CloseYear(ctx context.Context, a *access.Actor, village string, year int) (*Close, error)
}
