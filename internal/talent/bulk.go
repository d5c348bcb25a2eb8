package talent

// MaxBatch bounds one bulk action (decisions, scores, quotas): a banner's
// whole field of a round, with room to spare, in one transaction.
const MaxBatch = 2000

// QuotaRow is one line of a quota sheet or one element of a quota list:
// the line the user sees, the quota it sets, and after Service.SetQuotas
// why it was refused.
type QuotaRow struct {
	Line  int
	Quota Quota
	Err   error
}

// ScoreRow is one line of a scoring sheet: one candidate's five scores by
// the reviewer uploading it, and after Service.ScoreMany why it was
// refused.
type ScoreRow struct {
	Line      int
	Candidate int64
	Name      string // as the sheet has it, checked against the application
	Points    []int
	Comment   string
	Err       error
}
