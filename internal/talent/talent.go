// Package talent is the rural-leader programme (晓景计划): applications by
// would-be 乡村产业发展带头人, recommendation by their village and review
// by township, banner and league on five criteria, ranking and quotas at
// each level, a tier decided by the league after public notice, coverage
// of every village toward the programme's goal, and three lists of tracked
// measures per leader. It holds the rules; sqlstore implements Service.
package talent

import (
	"context"

	"shanzhi/internal/access"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
)

// Flow is the name of the review flow an application walks.
const Flow = "talent.leader"

// SubjectKind is what the flow's items review.
const SubjectKind = "talent_candidate"

// NoticeDays is the length of the league's public notice (公示), the
// five working days the programme's own notices give.
const NoticeDays = 5

// ReviewFlow is the four-level chain of the programme: the village
// recommends (嘎查村推荐), the township and the banner review (苏木乡镇审核,
// 旗县市审核), the league decides (盟审定) and then gives public notice.
// Each approve step names its level, so a league official cannot tick the
// township's box and nobody skips a level.
func ReviewFlow() review.Flow {
	step := func(name string, l regioncode.Level) review.Step {
		return review.Step{Kind: review.StepApprove, Name: name, Permission: access.TalentReview, Level: l}
	}
	return review.Flow{Name: Flow, Submit: access.TalentWrite, Steps: []review.Step{
		step("talent.step.village", regioncode.Village),
		step("talent.step.township", regioncode.Township),
		step("talent.step.banner", regioncode.Banner),
		step("talent.step.league", regioncode.League),
		{Kind: review.StepNotice, Name: "talent.step.notice", Permission: access.TalentReview, Level: regioncode.League, Days: NoticeDays},
	}}
}

// Levels are the review levels in step order: step i is decided at
// Levels[i]; the notice step after the last belongs to the league.
var Levels = []regioncode.Level{regioncode.Village, regioncode.Township, regioncode.Banner, regioncode.League}

// NoticeStep is the index of the public-notice step.
const NoticeStep = 4

// StepLevel returns the level that decides step, or 0 past the approve
// steps.
func StepLevel(step int) regioncode.Level {
	if step < 0 || step >= len(Levels) {
		return 0
	}
	return Levels[step]
}

// Ancestor returns the code of village's region at level l: the township
// of a village is its first nine digits followed by zeros.
func Ancestor(village string, l regioncode.Level) string {
	n := map[regioncode.Level]int{regioncode.Province: 2, regioncode.League: 4, regioncode.Banner: 6, regioncode.Township: 9, regioncode.Village: 12}[l]
	if n == 0 || len(village) != 12 {
		return ""
	}
	return village[:n] + "000000000000"[:12-n]
}

// Tier is the level a leader is recognised at. The league decides it,
// within the quota each region has for it.
type Tier string

// The tiers, highest first.
const (
	TierLeague   Tier = "league"   // 盟级
	TierBanner   Tier = "banner"   // 旗县级
	TierTownship Tier = "township" // 苏木乡镇级
	TierVillage  Tier = "village"  // 嘎查村级
)

// Tiers lists the tiers highest first, the order reports show them.
var Tiers = []Tier{TierLeague, TierBanner, TierTownship, TierVillage}

// Rank orders tiers: league 4, banner 3, township 2, village 1, unknown 0,
// so "moved up a tier" is a comparison.
func (t Tier) Rank() int {
	for i, x := range Tiers {
		if x == t {
			return len(Tiers) - i
		}
	}
	return 0
}

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { return t.Rank() > 0 }

// Status is where an application stands.
type Status string

// The statuses. Draft and Returned are editable by the village; the rest
// follow the review.
const (
	Draft     Status = "draft"
	InReview  Status = "in_review"
	Returned  Status = "returned"
	Rejected  Status = "rejected"
	Approved  Status = "approved"
	Cancelled Status = "cancelled" // an objection to the notice was upheld
)

// Statuses lists every status in the order pages show them.
var Statuses = []Status{Draft, InReview, Returned, Rejected, Approved, Cancelled}

// Editable reports whether the village may still change the application.
func (s Status) Editable() bool { return s == Draft || s == Returned }

// StatusOf maps the end of a review to the application's status.
func StatusOf(st review.State) Status {
	switch st {
	case review.Approved:
		return Approved
	case review.Rejected:
		return Rejected
	case review.Returned:
		return Returned
	case review.Cancelled:
		return Cancelled
	}
	return InReview
}

// Service is the programme. Errors: fault.Invalid with field details for
// bad input, fault.NotFound for objects outside the actor's scope (so ids
// reveal nothing), fault.Forbidden when the actor sees an object but may
// not act on it, fault.Conflict when the state forbids the action (a
// closed window, a full quota, a step already scored).
type Service interface {
	// CreateRound sets up a round of the programme at a region (normally
	// the league); the actor needs talent.manage there.
	CreateRound(ctx context.Context, a *access.Actor, r Round) (*Round, error)
	// Rounds lists the rounds that reach any of the actor's regions.
	Rounds(ctx context.Context, a *access.Actor) ([]Round, error)
	// Round returns one round with its quotas.
	Round(ctx context.Context, a *access.Actor, id int64) (*Round, error)
	// SetQuota records a quota of a round for a region below it; the
	// newest record for a region and kind is the one in force.
	SetQuota(ctx context.Context, a *access.Actor, round int64, q Quota) error
	// SetQuotas records many quotas of a round at once (a quota sheet),
	// all or nothing, each row's refusal set on it.
	SetQuotas(ctx context.Context, a *access.Actor, round int64, rows []QuotaRow) error
	// UpdateRound changes a round's name, window, goal and, while nobody
	// has scored in it, its criteria; the region and start stay.
	UpdateRound(ctx context.Context, a *access.Actor, id int64, r Round) (*Round, error)

	// Save creates a draft (id 0) or changes a draft or returned
	// application.
	Save(ctx context.Context, a *access.Actor, id int64, in CandidateInput) (*Candidate, error)
	// Import enters the rows of an applications sheet of region (a
	// village up to the league) as drafts, all or nothing, each row's
	// village resolved among region's villages (ImportRow.Village): every row is checked as Save would, each row's outcome is
	// set on it, and only when every row passes and commit is set is
	// anything kept. A failing row makes it fault.Invalid.
	Import(ctx context.Context, a *access.Actor, region string, rows []ImportRow, commit bool) error
	// Submit checks completeness and puts the application under review.
	Submit(ctx context.Context, a *access.Actor, id int64) (*Candidate, error)
	// Candidate returns one application with its submissions and scores;
	// reviewers' comments only to those who may review it.
	Candidate(ctx context.Context, a *access.Actor, id int64) (*Candidate, error)
	// Candidates lists applications within the actor's scope.
	Candidates(ctx context.Context, a *access.Actor, f Filter) ([]Candidate, int, error)
	// Score records the actor's scores of the five criteria at the
	// application's current level, once per reviewer and level.
	Score(ctx context.Context, a *access.Actor, id int64, points []int, comment string) error
	// Decide records the level's decision: recommend upward within the
	// quota, return for revision, or reject; at the league, approval names
	// the tier and opens the public notice.
	Decide(ctx context.Context, a *access.Actor, id int64, d Decision) (*Candidate, error)
	// DecideMany records one decision on many applications waiting at the
	// actor's level, all or nothing in one transaction: approvals count
	// against the quotas one after another, and the refusal of the first
	// application that fails names it.
	DecideMany(ctx context.Context, a *access.Actor, ids []int64, d Decision) ([]Candidate, error)
	// ScoreMany records a reviewer's scoring sheet, all or nothing: every
	// row is checked as Score would, each row's outcome set on it, and
	// only when every row passes and commit is set is anything kept.
	ScoreMany(ctx context.Context, a *access.Actor, rows []ScoreRow, commit bool) error
	// SetOrder sets the level's recommendation order (排序推荐) of an
	// application waiting at the actor's level.
	SetOrder(ctx context.Context, a *access.Actor, id int64, position int) error
	// Ranking lists the applications of a round waiting at step within
	// region, ranked by the level's mean score.
	Ranking(ctx context.Context, a *access.Actor, round int64, region string, step int) ([]Ranked, error)

	// Coverage counts villages with a leader below region against the
	// round's goal.
	Coverage(ctx context.Context, a *access.Actor, round int64, region string) (*Coverage, error)
	// Uncovered pages the gacha and villages below region without a
	// target or leader, in code order after the cursor after; the cursor
	// returned reads on, "" at the end. limit is at most MaxPage.
	Uncovered(ctx context.Context, a *access.Actor, region, after string, limit int) ([]Area, string, error)
	// Leaders lists the leaders within region.
	Leaders(ctx context.Context, a *access.Actor, region string) ([]Leader, error)
	// Leader returns one leader with their tiers and measures.
	Leader(ctx context.Context, a *access.Actor, id int64) (*Leader, error)
	// Profile is the public page of a leader: name, village, business.
	Profile(ctx context.Context, id int64) (*Profile, error)
	// AddMeasure adds a measure to one of a leader's three lists.
	AddMeasure(ctx context.Context, a *access.Actor, leader int64, in MeasureInput) (*Measure, error)
	// LogMeasure records progress on a measure: a visit, an income
	// increase, a training held, and optionally its new status.
	LogMeasure(ctx context.Context, a *access.Actor, leader int64, in LogInput) error
	// Overdue lists the measures past their deadline and not done within
	// region, for the level responsible.
	Overdue(ctx context.Context, a *access.Actor, region string) ([]Measure, error)

	// Recognise records a judgement on a cultivation target: recognised
	// as a leader, cultivation continued, or ended; the actor needs
	// talent.manage over the leader's village.
	Recognise(ctx context.Context, a *access.Actor, leader int64, in RecognitionInput) error
	// AddPlan and AddSupport add to a target's cultivation plan and
	// policy-support ledger; SupportSums sums the ledger below a region
	// per area one level down and tier.
	AddPlan(ctx context.Context, a *access.Actor, leader int64, in PlanInput) error
	AddSupport(ctx context.Context, a *access.Actor, leader int64, in SupportInput) error
	SupportSums(ctx context.Context, a *access.Actor, region string) ([]SupportSum, error)
	// SetShowcase and AddShowcasePhoto record what a recognised leader
	// agreed to show the public; Showcase and ShowcasePhoto are that
	// public list, by banner and industry, and its photos.
	SetShowcase(ctx context.Context, a *access.Actor, leader int64, in Showcase) error
	AddShowcasePhoto(ctx context.Context, a *access.Actor, leader int64, caption string, data []byte) (int64, error)
	Showcase(ctx context.Context, banner, industry string) ([]ShowcaseEntry, error)
	ShowcasePhoto(ctx context.Context, id int64) (string, []byte, error)

	// Attach adds a file to a draft or returned application the actor
	// enters applications for; a refused file is fault.Invalid (type,
	// count) or fault.TooLarge on the field "file".
	Attach(ctx context.Context, a *access.Actor, candidate int64, kind AttachmentKind, public bool, data []byte) (*Attachment, error)
	// Attachments lists an application's attachments to whoever may see
	// the application.
	Attachments(ctx context.Context, a *access.Actor, candidate int64) ([]Attachment, error)
	// AttachmentContent returns an attachment with its bytes to whoever
	// may see its application; to anyone else it does not exist.
	AttachmentContent(ctx context.Context, a *access.Actor, id int64) (*Attachment, []byte, error)

	// OpenRound is what the public application page tells of a round:
	// its name, region and window.
	OpenRound(ctx context.Context, id int64) (*Round, error)
	// Apply creates a draft for an applicant without an account and
	// returns it with the token of its private link, which is never
	// stored and cannot be shown again.
	Apply(ctx context.Context, in CandidateInput) (*Candidate, string, error)
	// Applicant opens the application of a private link, as its
	// applicant may see it (PublicView): a wrong token is not found.
	Applicant(ctx context.Context, token string) (*Candidate, []Attachment, error)
	// SaveByToken, SubmitByToken and AttachByToken are Save, Submit and
	// Attach for the applicant of a private link.
	SaveByToken(ctx context.Context, token string, in CandidateInput) (*Candidate, error)
	SubmitByToken(ctx context.Context, token string) (*Candidate, error)
	AttachByToken(ctx context.Context, token string, kind AttachmentKind, public bool, data []byte) (*Attachment, error)
	// AttachmentByToken returns one attachment of the link's application.
	AttachmentByToken(ctx context.Context, token string, id int64) (*Attachment, []byte, error)
}

// Filter narrows a list of applications; zero fields do not filter.
type Filter struct {
	Round  int64
	Region string
	Status Status
	Tier   Tier
	Name   string
	Limit  int // 0 means 50; at most 500
	Offset int
	// After is a cursor: only applications listed after the one with this
	// id (the list runs newest first), so a client reads a league's
	// thousands page by page without offsets shifting under it.
	After int64
}
