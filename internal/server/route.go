package server

import (
	"net/http"
	"path"
	"strings"

	"shanzhi/internal/access"
)

// Target says what a route's permission is checked against.
type Target string

// The targets.
const (
	Public      Target = "public"    // no sign-in: the login page, assets, a card's token
	Session     Target = "session"   // any signed-in user, about their own account
	OnRegion    Target = "region"    // the region code in the path
	OnHousehold Target = "household" // the household id in the path
	OnResident  Target = "resident"  // the resident id in the path
	OnQuery     Target = "query"     // the ?region= of a list or export, else the user's scope
	Anywhere    Target = "anywhere"  // the permission held at any region (administration)
	OnBatch     Target = "batch"     // an import batch, which only its uploader may see
	OnReview    Target = "review"    // a review item, decided in its village
	OnStore     Target = "store"     // a points-supermarket store, by its region and its clerks
	OnRedeemed  Target = "redeemed"  // a redemption, through the store it was made at
	OnPhoto     Target = "photo"     // an award's evidence photo, through the award's village; staged, its uploader
)

// The rural-leader programme's targets.
const (
	OnCandidate Target = "talent_candidate" // an application, through its village
	OnLeader    Target = "talent_leader"    // a leader, through their village
	OnRound     Target = "talent_round"     // a programme round, through the region it runs in
	// OnAttachment is an application's photo or licence, through the
	// application's village.
	OnAttachment Target = "talent_attachment"
)

// The organisation register's targets.
const (
	OnUnit   Target = "org_unit"   // a unit, through the region it sits in
	OnOrg    Target = "org_org"    // a party organisation, through its home region
	OnMember Target = "org_member" // a party member, through their branch (or the branch a transfer takes them to)
	OnGrid   Target = "org_grid"   // a grid, through its village, or a grant for it
	// OnContact is a contact log, through its grid.
	OnContact Target = "org_contact"
	OnCadre   Target = "org_cadre" // a cadre, through the region of their post (their unit's)
)

// The cadre-training programme's targets.
const (
	OnTrainingList Target = "training_list"  // a version of a 紧缺能力清单, through its department's region
	OnClass        Target = "training_class" // a class, through its department's region
	// OnSession is a class's session, through its class's 班主任 or its
	// department's region.
	OnSession Target = "training_session"
	// OnCertificate is a training certificate, through its class's
	// department's region.
	OnCertificate Target = "training_certificate"
)

// OnSurvey is a questionnaire, through the region that owns it.
const OnSurvey Target = "survey"

// The honours module's targets.
const (
	OnBoard    Target = "honour_board"  // an honour board, through its village or township
	OnCampaign Target = "fund_campaign" // a fundraising campaign, through its village
)

// Rule is who may call a route: the permission, and what it must cover.
// Every route declares one; the authorisation test walks them all.
type Rule struct {
	Perm access.Permission
	Or   access.Permission // an alternative permission, if any
	On   Target
	// Own lets the villager of the household in the path call it too, by
	// household.own: their own balance and statement.
	Own bool
}

// Route is a registered pattern with its rule.
type Route struct {
	Pattern string
	Rule    Rule
}

// Router registers routes on a mux and keeps their rules, so that no
// route can be added without saying who may call it.
type Router struct {
	Mux    *http.ServeMux
	Routes []Route
}

// Handle registers h for pattern under rule.
func (rt *Router) Handle(pattern string, rule Rule, h http.Handler) {
	rt.Mux.Handle(pattern, h)
	rt.Routes = append(rt.Routes, Route{Pattern: pattern, Rule: rule})
}

// HandleFunc registers fn for pattern under rule.
func (rt *Router) HandleFunc(pattern string, rule Rule, fn http.HandlerFunc) {
	rt.Handle(pattern, rule, fn)
}

// SecretPrefixes returns the literal path prefixes of routes whose next
// segment is a credential (a {token} wildcard: a household card, an
// applicant's link), so the request log can leave it out.
func (rt *Router) SecretPrefixes() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rt.Routes {
		p := r.Pattern
		if i := strings.IndexByte(p, ' '); i >= 0 {
			p = p[i+1:]
		}
		i := strings.Index(p, "{token}")
		if i < 0 || seen[p[:i]] {
			continue
		}
		seen[p[:i]] = true
		out = append(out, p[:i])
	}
	return out
}

// redactPath is a request path as the log shows it: the segment after a
// secret prefix replaced, also when the path reaches the prefix through
// "." or doubled slashes the mux would clean up.
func redactPath(p string, secret []string) string {
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	for _, pre := range secret {
		if !strings.HasPrefix(clean, pre) || len(clean) == len(pre) {
			continue
		}
		rest := clean[len(pre):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return pre + "[redacted]" + rest[i:]
		}
		return pre + "[redacted]"
	}
	return p
}
