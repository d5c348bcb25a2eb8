package points

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/i18n"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
)

// AwardFlow is the name of the review flow every award goes through.
const AwardFlow = "points.award"

// Flow is the award flow: the village committee approves, then the award
// stands on public notice for 7 days, and only then reaches the ledger.
func Flow() review.Flow {
	return review.Flow{Name: AwardFlow, Submit: access.PointsWrite, SubmitAlso: access.OwnHousehold, Steps: []review.Step{
		{Kind: review.StepApprove, Name: "points.step.approve", Permission: access.PointsApprove},
		{Kind: review.StepNotice, Name: "points.step.notice", Permission: access.PointsApprove, Days: 7},
	}}
}

// Channel is how an award came in.
type Channel string

// The channels of the issue: a committee member records it, a steward
// enters it for an elderly or offline villager (proxy), or a batch sheet
// or an Excel import brings many.
const (
	Committee   Channel = "committee"
	Proxy       Channel = "proxy"
	Batch       Channel = "batch"
	Declaration Channel = "declaration" // a villager declares their own good deed (申领)
)

// AwardStatus follows the award's review.
type AwardStatus string

// The statuses.
const (
	AwardPending  AwardStatus = "pending"
	AwardApproved AwardStatus = "approved"
	AwardRejected AwardStatus = "rejected"
	AwardReturned AwardStatus = "returned"
	AwardCanceled AwardStatus = "cancelled"
)

// AwardInput is a recorded award or deduction of one scheme item.
type AwardInput struct {
	Key       string // idempotency key
	Household int64
	Item      string // the scheme item's code
	Date      time.Time
	Channel   Channel
	ProxyFor  string // the villager a steward enters it for
	Evidence  string // the text description
	Witness   string
	// Photo attests a photo kept outside the system, as a batch sheet's
	// 照片 column does; pages and the API attach the photos themselves.
	Photo bool
	// Photos are staged uploads (PhotoService.Upload) of the recording
	// user, attached to the award as it is stored.
	Photos []int64
}

// Normalize trims the text fields and puts the photos in one order, once
// each, so a retry listing them differently is the same award.
func (in *AwardInput) Normalize() {
	in.Key, in.Item = strings.TrimSpace(in.Key), strings.TrimSpace(in.Item)
	in.ProxyFor, in.Evidence, in.Witness = strings.TrimSpace(in.ProxyFor), strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Witness)
	if len(in.Photos) > 0 {
		in.Photos = slices.Compact(slices.Sorted(slices.Values(in.Photos)))
	}
	if in.Channel == "" {
		in.Channel = Committee
	}
}

// Validate reports every problem with the input itself; the scheme's
// rules (roles, evidence, caps) are checked against the resolved scheme.
func (in AwardInput) Validate() error {
	var fs fault.Fields
	if in.Key == "" || len(in.Key) > 100 {
		fs.Add("key", "points.key")
	}
	if in.Household <= 0 {
		fs.Add("household", "points.household")
	}
	if in.Item == "" {
		fs.Add("item", "points.item")
	}
	switch in.Channel {
	case Committee, Batch, Declaration:
	case Proxy:
		if in.ProxyFor == "" {
			fs.Add("proxy_for", "points.proxy_for")
		}
	default:
		fs.Add("channel", "points.channel")
	}
	if len(in.Photos) > MaxPhotos {
		fs.Add("photos", "award.photo_count", MaxPhotos)
	}
	if utf8.RuneCountInString(in.Evidence) > 500 || utf8.RuneCountInString(in.Witness) > 40 || utf8.RuneCountInString(in.ProxyFor) > 40 {
		fs.Add("evidence", "points.evidence_long")
	}
	return fs.Err()
}

// AwardRecord is a recorded award and where its review stands.
type AwardRecord struct {
	ID        int64
	Household int64
	Village   string
	Item      string
	ItemName  string
	Aspect    string
	Points    int64 // signed: a deduction is negative
	Channel   Channel
	Status    AwardStatus
	ReviewID  int64
	EntryID   int64 // the ledger entry, once approved
	Date      time.Time
	Actor     string
	Created   time.Time
	Photos    []int64 // the evidence photos' ids, where the reader asked for them
}

// AwardService records awards; they reach the ledger when their review
// ends approved. Record returns fault.Forbidden, fault.Invalid and
// fault.Conflict as scheme.CheckAward decides (role, evidence, cap).
type AwardService interface {
	Record(ctx context.Context, a *access.Actor, in AwardInput) (*AwardRecord, error)
	Awards(ctx context.Context, a *access.Actor, household int64) ([]AwardRecord, error)
	// StageAwards keeps an award sheet for a village; RunAwards previews
	// or runs it, each row recorded as if entered by hand.
	StageAwards(ctx context.Context, a *access.Actor, village, fileName string, data []byte) (int64, error)
	RunAwards(ctx context.Context, a *access.Actor, batch int64, mode registry.ImportMode) (*ImportReport, error)
}

// Ranked is one line of a ranking: a household, or a village with its
// participation rate.
type Ranked struct {
	Rank      int
	Household int64
	Head      string // masked on public pages
	HeadMinor bool   // the head is under 18: public pages leave the name out
	Village   string
	Name      string // the village's name, for village rankings
	Points    int64
	Awards    int
	// Households and Total give a village's participation rate:
	// households with at least one award, and all its households.
	Households int
	Total      int
}

// RankingService reads the maintained totals. Period is "2026-06" or
// "2026"; aspect "" means all aspects. Errors as the register's.
type RankingService interface {
	Households(ctx context.Context, a *access.Actor, region, period, aspect string, limit int) ([]Ranked, error)
	Villages(ctx context.Context, a *access.Actor, region, period, aspect string) ([]Ranked, error)
	// Standing places one household in its village for period: its
	// points, how many households earned more (its rank is one more),
	// and how many registered households the village has.
	Standing(ctx context.Context, a *access.Actor, household int64, period string) (*Standing, error)
}

// Standing is a household's place in its village's ranking.
type Standing struct {
	Points int64
	Rank   int // 1 + households with more points; ties share a rank
	Of     int // registered households of the village
}

// ImportProblem is one thing wrong with a row of an award sheet.
type ImportProblem struct {
	Line   int
	Column string
	Msg    i18n.Msg
}

// ImportReport is what an award import did, or would do in preview.
type ImportReport struct {
	Batch     int64
	Region    string
	FileName  string
	Rows      int
	Recorded  int
	Rejected  int
	Problems  []ImportProblem
	Committed bool
}

// AwardImportColumns are the titles an award sheet's header is found by:
// 户号 and the item's code are required.
func AwardImportColumns() []string {
	return []string{"户号|户编号", "事项编码|事项代码|编码", "说明|事实说明|备注", "证明人", "照片", "日期|发生日期"}
}
