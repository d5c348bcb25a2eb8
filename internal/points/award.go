package points

import (
	"context"
	"fmt"
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
	// AwardWithdrawn: the clerk's side took it back while under review.
	AwardWithdrawn AwardStatus = "withdrawn"
	// AwardCorrected: posted, then reversed by an approved correction.
	AwardCorrected AwardStatus = "corrected"
)

// Correction is a request to correct a posted award or deduction: a
// linked reversal, itself an award under the same review and notice as
// any other, carrying its reason on the notice and the statement.
type Correction struct {
	Key       string // idempotency key
	Household int64  // the household the caller acts on; the award must be its
	Award     int64  // the posted award it reverses
	Reason    string
}

// MaxCorrectionReason bounds a correction's reason, which the ledger
// entry's memo carries onto the statement.
const MaxCorrectionReason = 200

// Validate checks the request itself; whether the award can be corrected
// is the store's to decide against what was posted.
func (c *Correction) Validate() error {
	c.Key, c.Reason = strings.TrimSpace(c.Key), strings.TrimSpace(c.Reason)
	var fs fault.Fields
	if c.Key == "" || len(c.Key) > 100 {
		fs.Add("key", "points.key")
	}
	if c.Award <= 0 || c.Household <= 0 {
		fs.Add("award", "points.correct.award")
	}
	switch {
	case c.Reason == "":
		fs.Add("reason", "review.reason.required")
	case utf8.RuneCountInString(c.Reason) > MaxCorrectionReason:
		fs.Add("reason", "review.reason.long", MaxCorrectionReason)
	}
	return fs.Err()
}

// Shown is an award's status as every page states it: the status with
// its notice's last day or the reason it did not go through.
type Shown struct {
	Key    string // catalogue key, e.g. "award.shown.notice"
	Until  time.Time
	Reason string
}

// Show says where an award truthfully stands: 待审批 while the committee
// has it, 公示中（至 …）while on notice, 已入账 once posted, 未通过（原因）
// when rejected, returned or struck down by an objection, 已撤回 and
// 已更正.
func (w AwardRecord) Show() Shown {
	switch w.Status {
	case AwardPending:
		if w.ReviewState == review.InNotice {
			return Shown{Key: "award.shown.notice", Until: w.WindowEnd}
		}
		return Shown{Key: "award.shown.pending"}
	case AwardApproved:
		return Shown{Key: "award.shown.posted"}
	case AwardRejected, AwardReturned, AwardCanceled:
		return Shown{Key: "award.shown.rejected", Reason: w.Outcome}
	case AwardWithdrawn:
		return Shown{Key: "award.shown.withdrawn", Reason: w.Outcome}
	case AwardCorrected:
		return Shown{Key: "award.shown.corrected"}
	}
	return Shown{Key: "award.shown.pending"}
}

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
	// Corrects is the award a correction reverses, 0 for any other;
	// Reason is the correction's reason.
	Corrects int64
	Reason   string
	// Filled by Awards: the review's state and notice end, and the reason
	// its last move gave (a rejection's, a withdrawal's).
	ReviewState review.State
	WindowEnd   time.Time
	Outcome     string
}

// QueueItem is one item of the committee's queue with what the committee
// decides on: the household, the facts, the evidence, who recorded it,
// and the household's recent awards.
type QueueItem struct {
	Item      review.Item
	Award     AwardRecord
	Number    string // 户号
	Head      string // in full for the village's own committee, masked above it
	Evidence  string
	Witness   string
	ProxyFor  string
	Recent    []AwardRecord
	Objection []review.Objection // open objections, for a notice step
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
	// Correct puts a correction of a posted award under review: a linked
	// reversal, posted once when it is approved and its notice closes.
	// An award not posted, a correction, or one already being corrected
	// is fault.Conflict.
	Correct(ctx context.Context, a *access.Actor, c Correction) (*AwardRecord, error)
	// Queue lists the award reviews in state (pending by default) within
	// the actor's reach, with what the committee decides on.
	Queue(ctx context.Context, a *access.Actor, state review.State) ([]QueueItem, error)
	// Appeal brings a household's appeal against an appealable award to
	// the committee, by the household itself or a clerk; an award that is
	// not appealable, or was appealed before, is fault.Conflict.
	Appeal(ctx context.Context, a *access.Actor, household, award int64, statement string) (*Appeal, error)
	// Appeals lists a household's appeals with their answers.
	Appeals(ctx context.Context, a *access.Actor, household int64) ([]Appeal, error)
}

// Ranked is one line of a ranking: a household, or a village with its
// participation rate.
type Ranked struct {
	Rank      int
	Household int64
	Head      string // masked on public pages
	// HeadMongol is the head's name in traditional script, when recorded;
	// masked with Head.
	HeadMongol string
	HeadMinor  bool // the head is under 18: public pages leave the name out
	Village    string
	Name       string // the village's name, for village rankings
	Points     int64
	Awards     int
	// Households and Total give a village's participation rate:
	// households with at least one award, and all its households.
	Households int
	Total      int
}

// PerHousehold is the points per registered household, in tenths
// rounded down, the figure regions of unequal size are compared by.
func (x Ranked) PerHousehold() string {
	if x.Total == 0 {
		return "0.0"
	}
	t := x.Points * 10 / int64(x.Total)
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%d", sign, t/10, t%10)
}

// RegionOrder is what a ranking between regions orders by.
type RegionOrder string

// The orders: points per registered household, or the share of
// households with at least one award.
const (
	ByPerHousehold  RegionOrder = "per_household"
	ByParticipation RegionOrder = "participation"
)

// SortRegions ranks units by order, ties by code, so regions of unequal
// size compare fairly: by ratio, never by total points.
func SortRegions(units []Ranked, order RegionOrder) {
	// Cross-multiplied so that no float rounding reorders ties.
	key := func(x Ranked) int64 {
		if order == ByParticipation {
			return int64(x.Households)
		}
		return x.Points
	}
	slices.SortStableFunc(units, func(a, b Ranked) int {
		l, r := key(a)*int64(max(b.Total, 1)), key(b)*int64(max(a.Total, 1))
		switch {
		case l > r:
			return -1
		case l < r:
			return 1
		}
		return strings.Compare(a.Village, b.Village)
	})
	for i := range units {
		units[i].Rank = i + 1
	}
}

// RankingService reads the maintained totals. Period is "2026-06" or
// "2026"; aspect "" means all aspects. Errors as the register's.
type RankingService interface {
	Households(ctx context.Context, a *access.Actor, region, period, aspect string, limit int) ([]Ranked, error)
	Villages(ctx context.Context, a *access.Actor, region, period, aspect string) ([]Ranked, error)
	// Regions ranks the units one level below region against each other:
	// the townships of a banner, the banners of a league, the leagues of
	// the region; Village holds each unit's code. A township or village
	// has no such ranking: Invalid.
	Regions(ctx context.Context, a *access.Actor, region, period, aspect string, order RegionOrder) ([]Ranked, error)
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

// Appealable reports whether the household may appeal (申诉) the award: a
// posted deduction, or its own declaration the committee turned down.
func (w AwardRecord) Appealable() bool {
	switch {
	case w.Corrects != 0:
		return false
	case w.Points < 0:
		return w.Status == AwardApproved
	case w.Channel == Declaration:
		return w.Status == AwardRejected || w.Status == AwardReturned
	}
	return false
}

// AppealFlow is the review flow of a household's appeal (申诉) against a
// deduction or a turned-down declaration.
const AppealFlow = "points.appeal"

// AppealReviewFlow is the appeal flow: the household, or the clerk on its
// behalf, brings its statement; the village committee answers it, and the
// answer's reason is what the household reads. The answer itself changes
// nothing posted: a deduction found wrong is corrected by a correction,
// through its own review and notice.
func AppealReviewFlow() review.Flow {
	return review.Flow{Name: AppealFlow, Submit: access.PointsWrite, SubmitAlso: access.OwnHousehold, Answered: true, Steps: []review.Step{
		{Kind: review.StepApprove, Name: "points.step.appeal", Permission: access.PointsApprove},
	}}
}

// Appeal is a household's appeal and its answer.
type Appeal struct {
	ID        int64 // the review item
	Award     int64
	ItemName  string
	Points    int64
	Statement string // the household's own words
	State     review.State
	Answer    string // the committee's reason, once decided
	Created   time.Time
}

// AppealAnswer is the catalogue key of an appeal's state as the household
// reads it.
func (p Appeal) AppealAnswer() string {
	switch p.State {
	case review.Approved:
		return "appeal.state.upheld"
	case review.Rejected, review.Returned:
		return "appeal.state.dismissed"
	case review.Withdrawn, review.Cancelled:
		return "appeal.state.withdrawn"
	}
	return "appeal.state.pending"
}
