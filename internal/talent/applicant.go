package talent

// PublicView strips an application to what its applicant sees through
// their private link: the status, each level's decision and the reason
// given for it, and when it was submitted. Reviewers' scores, means,
// comments, names and the order they set are for reviewers only, so a
// returned applicant learns what to fix but not who scored them what.
func PublicView(c *Candidate) {
	c.Mean, c.Position, c.Actor = 0, 0, ""
	for i := range c.Levels {
		l := &c.Levels[i]
		l.Scores, l.Mean, l.Position, l.Decider = nil, 0, 0, ""
	}
	for i := range c.History {
		c.History[i].Actor = ""
	}
}

// ApplicantName is how the audit trail and the review item name an
// applicant who acted through their private link rather than an account.
const ApplicantName = "applicant"
