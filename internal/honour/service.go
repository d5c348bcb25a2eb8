package honour

import (
	"context"

	"shanzhi/internal/access"
	"shanzhi/internal/review"
)

// NominationFlow is the review flow a nomination walks: the village
// committee decides, then a public notice takes objections.
const NominationFlow = "honour.nomination"

// SubjectKind names a nomination in the review engine.
const SubjectKind = "nomination"

// NoticeDays is the length of a nomination's public notice.
const NoticeDays = 5

// Flow is the nomination flow: staff or the nominee's fellow villagers
// submit, the committee (points.approve, the same people who approve
// awards) decides and resolves objections.
func Flow() review.Flow {
	return review.Flow{Name: NominationFlow, Submit: access.HonourManage, SubmitAlso: access.OwnHousehold, Steps: []review.Step{
		{Kind: review.StepApprove, Name: "honour.step.committee", Permission: access.PointsApprove},
		{Kind: review.StepNotice, Name: "honour.step.notice", Permission: access.PointsApprove, Days: NoticeDays},
	}}
}

// BoardService keeps the boards. Errors: fault.Invalid with fields for bad
// input, fault.NotFound for what the actor cannot see, fault.Forbidden
// for what they see but may not change, fault.Conflict for a period
// published twice or a nomination on a computed board.
type BoardService interface {
	CreateBoard(ctx context.Context, a *access.Actor, in BoardInput) (*Board, error)
	// Boards lists the boards a village's people see: the region's own
	// and, for a village, its township's.
	Boards(ctx context.Context, a *access.Actor, region string) ([]Board, error)
	Board(ctx context.Context, a *access.Actor, id int64) (*Board, error)
	// Edition is a board's period: the published honours, or for a
	// computed board not yet published, its standings as they are now.
	Edition(ctx context.Context, a *access.Actor, board int64, period string) (*Edition, error)
	// Publish fixes a computed board's period on the households'
	// records; a period is published once.
	Publish(ctx context.Context, a *access.Actor, board int64, period string) (*Edition, error)
	// Periods lists a board's published periods, newest first.
	Periods(ctx context.Context, a *access.Actor, board int64) ([]string, error)
	// Nominate records a nomination with the nominee's consent and puts
	// it under review.
	Nominate(ctx context.Context, a *access.Actor, in NominationInput) (*Nomination, error)
	// NominatePublic takes a nomination from the board's public page into
	// the same review, marked as from the public channel: only on a
	// nominated board in its current, unpublished period, under the
	// form's delay token and the per-phone limit (fault.TooMany).
	NominatePublic(ctx context.Context, in PublicNomination) (*Nomination, error)
	// PublicFormToken is the delay token a public form carries: it is
	// refused when sent back sooner than a person could fill the form,
	// or hours later. Every server of one database makes and reads the
	// same tokens.
	PublicFormToken(ctx context.Context) string
	Nominations(ctx context.Context, a *access.Actor, board int64, period string) ([]Nomination, error)
	// NominationPhoto returns a deed photo (its thumbnail when small) and
	// its type: public once approved with the nominee's consent, else to
	// the village's officials; a board other than 0 must be its own.
	NominationPhoto(ctx context.Context, a *access.Actor, board, id int64, small bool) (string, []byte, error)
	// NominationScan returns a scan of the consent of a nomination on
	// board to the officials who read the register, auditing the view.
	NominationScan(ctx context.Context, a *access.Actor, board, scan int64) (string, []byte, error)
	// HouseholdHonours lists a household's honours, newest first.
	HouseholdHonours(ctx context.Context, a *access.Actor, household int64) ([]Honour, error)
}
