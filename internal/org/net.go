package org

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// The 全网通 linkage net of a grid, as the seed describes it for 东胜区:
// the party-group leader (党小组组长) over central party-member households
// (党员中心户), each linking several party members, each of whom links a
// set of resident households. Contacts with households are logged, and
// an issue raised travels up the same chain.

// DefaultMaxLinks is how many households one party member may link before
// coverage flags them, until the grid sets its own figure.
const DefaultMaxLinks = 10

// MaxLinksCeiling bounds the per-grid figure: a member linking more than
// this many households is not a link anyone could keep.
const MaxLinksCeiling = 200

// NetMember is a party member placed in a grid's net.
type NetMember struct {
	Member      int64
	Name        string
	PhoneMasked string
	Branch      int64
	BranchName  string
	Central     bool  // a 党员中心户
	CentralOf   int64 // the central household's member this one is linked to, 0 when none
	CentralName string
	Households  []GridHousehold // the resident households this member links
}

// Net is a grid's linkage net.
type Net struct {
	Grid       int64
	GridName   string
	Village    string
	Leader     int64 // the party-group leader, a member placed in the net; 0 when none
	LeaderName string
	MaxLinks   int
	Members    []NetMember // central households first, then by name
	Unlinked   []GridHousehold
}

// NetOp is one change to a grid's net; the builder pages and the API send
// the same operations.
type NetOp string

// The net operations.
const (
	NetPlace    NetOp = "place"    // place party members in the net (Members), central households when Central
	NetRemove   NetOp = "remove"   // take a member out of the net, with their links
	NetCentral  NetOp = "central"  // link members (Members) to a central household (Member)
	NetLeader   NetOp = "leader"   // make Member the party-group leader
	NetLink     NetOp = "link"     // link households (Households) to Member
	NetUnlink   NetOp = "unlink"   // unlink households (Households)
	NetSettings NetOp = "settings" // set MaxLinks
)

// NetChange is what a builder form or an API call asks of a net.
type NetChange struct {
	Op         NetOp
	Member     int64
	Members    []int64
	Households []int64
	Central    bool
	MaxLinks   int
}

// Validate checks the shape of a change; the store checks what it names.
func (c NetChange) Validate() error {
	var fs fault.Fields
	switch c.Op {
	case NetPlace:
		if len(c.Members) == 0 {
			fs.Add("members", "org.net.members_required")
		}
	case NetRemove, NetLeader:
		if c.Member == 0 {
			fs.Add("member", "org.net.member_required")
		}
	case NetCentral:
		if c.Member == 0 {
			fs.Add("member", "org.net.member_required")
		}
		if len(c.Members) == 0 {
			fs.Add("members", "org.net.members_required")
		}
	case NetLink:
		if c.Member == 0 {
			fs.Add("member", "org.net.member_required")
		}
		if len(c.Households) == 0 {
			fs.Add("households", "org.grid.none_chosen")
		}
	case NetUnlink:
		if len(c.Households) == 0 {
			fs.Add("households", "org.grid.none_chosen")
		}
	case NetSettings:
		if c.MaxLinks < 1 || c.MaxLinks > MaxLinksCeiling {
			fs.Add("max_links", "org.net.max_links_invalid", MaxLinksCeiling)
		}
	default:
		fs.Add("op", "org.net.op_invalid")
	}
	return fs.Err()
}

// NetCoverage is how far a grid's net reaches.
type NetCoverage struct {
	Grid       int64
	Households int             // in the grid
	Linked     int             // linked to a party member
	Unlinked   []GridHousehold // not yet linked
	Idle       []NetMember     // members linking no household
	Overloaded []NetMember     // members linking more than MaxLinks
	MaxLinks   int
}

// Card is the contact card handed to a resident household: who their
// party member is and how to reach them, up the chain.
type Card struct {
	Household GridHousehold
	Grid      string
	Village   string
	Member    string
	// MemberPhone is the party member's full phone: the card exists to be
	// handed to the household so they can call, which is the consent the
	// member gave by taking the link. Nobody else's phone is printed.
	MemberPhone string
	Central     string
	Leader      string
	Branch      string
}

// ContactKind is how a contact was made.
type ContactKind string

// The contact kinds.
const (
	ContactVisit   ContactKind = "visit"   // 走访
	ContactPhone   ContactKind = "phone"   // 电话
	ContactMessage ContactKind = "message" // 微信、短信
)

// ContactKinds lists the kinds in the order forms show them.
var ContactKinds = []ContactKind{ContactVisit, ContactPhone, ContactMessage}

// Level is where in the chain an issue sits.
type Level string

// The levels, from the household's party member up to the branch.
const (
	LevelMember  Level = "member"  // 党员
	LevelCentral Level = "central" // 党员中心户
	LevelLeader  Level = "leader"  // 党小组组长 (the grid leader)
	LevelBranch  Level = "branch"  // 党支部
)

// Levels lists the chain from the bottom.
var Levels = []Level{LevelMember, LevelCentral, LevelLeader, LevelBranch}

// Next returns the level above l, and false at the top.
func (l Level) Next() (Level, bool) {
	for i, x := range Levels[:len(Levels)-1] {
		if x == l {
			return Levels[i+1], true
		}
	}
	return l, false
}

// MayAct reports whether a may act on an issue at level l in grid of
// village: grid workers (recording for party members and central
// households) act at the bottom two levels, the grid leader's grid.link
// reaches the party-group level, and the branch is acted for only by
// those who keep contacts and read the party organisations region-wide
// (its secretary, the organisation department), not by a village clerk.
func (l Level) MayAct(a *access.Actor, village string, grid int64) bool {
	switch l {
	case LevelMember, LevelCentral:
		return a.CanGrid(access.GridContact, village, grid)
	case LevelLeader:
		return a.CanGrid(access.GridLink, village, grid)
	}
	return a.Can(access.GridContact, village) && a.Can(access.OrgRead, village)
}

// ContactStatus is where an issue stands.
type ContactStatus string

// The statuses; a contact that raised nothing is ContactLogged.
const (
	ContactLogged    ContactStatus = "logged"
	ContactOpen      ContactStatus = "open"
	ContactEscalated ContactStatus = "escalated"
	ContactClosed    ContactStatus = "closed"
)

// DefaultDueDays is how long each level has for an issue before it shows
// as overdue to the level above.
const DefaultDueDays = 7

// ContactInput is a contact logged with a household.
type ContactInput struct {
	Household int64
	Kind      ContactKind
	Date      string // YYYY-MM-DD, not in the future
	Summary   string // what was done or said
	Issue     string // what the household raised, "" when nothing
	Due       string // when the issue must be answered; "" for DefaultDueDays
}

// Normalize trims the texts.
func (in *ContactInput) Normalize() {
	in.Summary, in.Issue = strings.TrimSpace(in.Summary), strings.TrimSpace(in.Issue)
	in.Date, in.Due = strings.TrimSpace(in.Date), strings.TrimSpace(in.Due)
}

// Validate checks a contact against today.
func (in ContactInput) Validate(now time.Time) error {
	var fs fault.Fields
	if in.Household == 0 {
		fs.Add("household", "org.contact.household_required")
	}
	ok := false
	for _, k := range ContactKinds {
		ok = ok || in.Kind == k
	}
	if !ok {
		fs.Add("contact_kind", "org.contact.kind_invalid")
	}
	if !PastDate(in.Date, now) {
		fs.Add("date", "org.date_invalid")
	}
	if n := utf8.RuneCountInString(in.Summary); n == 0 || n > MaxText {
		fs.Add("summary", "org.contact.summary_invalid", MaxText)
	}
	if utf8.RuneCountInString(in.Issue) > MaxText {
		fs.Add("issue", "org.contact.issue_invalid", MaxText)
	}
	if in.Due != "" {
		if d, ok := Date(in.Due); !ok || in.Issue == "" || d.Format(time.DateOnly) < in.Date {
			fs.Add("due", "org.contact.due_invalid")
		}
	}
	return fs.Err()
}

// ContactStep is one step of an issue's way up the chain.
type ContactStep struct {
	Action string // raised, escalated, closed
	Level  Level
	Note   string
	Due    string
	Actor  string
	At     time.Time
}

// Contact is a stored contact.
type Contact struct {
	ID            int64
	Grid          int64
	GridName      string
	Village       string
	Household     int64
	HouseholdNo   string
	Head          string
	Member        int64
	MemberName    string
	Kind          ContactKind
	Date          string
	Summary       string
	Issue         string
	Status        ContactStatus
	Level         Level
	Due           string
	ClosedNote    string
	CreatedBy     string
	Steps         []ContactStep // filled by NetService.Contact only
	Overdue       bool          // open past its due date, shown to the level above
	CanEscalate   bool          // the actor may act at its level and a level is above
	CanClose      bool          // the actor may act at its level
	ReachedBranch bool          // it has been at the branch level
}

// ContactFilter narrows a list of contacts.
type ContactFilter struct {
	Grid   int64  // one grid; 0 with Region or Branch
	Region string // the grids of a region
	Branch int64  // the issues at the branch level of a branch's region, and those overdue below it
	Level  Level  // only those at this level
	Open   bool   // only issues not closed
	Limit  int
}

// MaxContacts bounds one list of contacts.
const MaxContacts = 2000

// AssignRow is one row of a grid assignment sheet: a household number of
// the grid's village, and after checking what became of it.
type AssignRow struct {
	Line      int
	Number    string
	Household int64 // found in the register
	Head      string
	Err       error
}

// NetCandidate is a party member who may be placed in a grid's net, with
// the 户号 of their household where they live in the grid, so that two
// members of one name can be told apart on the builder.
type NetCandidate struct {
	Member
	Household string
}

// NetService is the linkage net and its contact logs. Errors as Service:
// a household of another grid, or a member placed in another grid, is
// fault.Invalid (naming it) and nothing changes.
type NetService interface {
	Net(ctx context.Context, a *access.Actor, grid int64) (*Net, error)
	ChangeNet(ctx context.Context, a *access.Actor, grid int64, c NetChange) (*Net, error)
	// NetCandidates lists the party members who may be placed in a
	// grid's net: those of branches the actor reads, living in the grid
	// or in no household of the register, and in no net yet; the grid's
	// own residents first.
	NetCandidates(ctx context.Context, a *access.Actor, grid int64) ([]NetCandidate, error)
	NetCoverage(ctx context.Context, a *access.Actor, grid int64) (*NetCoverage, error)
	// Cards returns the contact cards of a grid's households, or of one
	// when household is set.
	Cards(ctx context.Context, a *access.Actor, grid, household int64) ([]Card, error)
	// AssignRows checks a sheet of household numbers against a grid and,
	// when commit is set and every row passes, assigns them all.
	AssignRows(ctx context.Context, a *access.Actor, grid int64, rows []AssignRow, commit bool) ([]AssignRow, error)

	LogContact(ctx context.Context, a *access.Actor, grid int64, in ContactInput) (*Contact, error)
	Contacts(ctx context.Context, a *access.Actor, f ContactFilter) ([]Contact, error)
	Contact(ctx context.Context, a *access.Actor, id int64) (*Contact, error)
	// Escalate carries an issue to the level above, with a note and a
	// new due date ("" for DefaultDueDays).
	Escalate(ctx context.Context, a *access.Actor, id int64, note, due string) (*Contact, error)
	// CloseContact closes an issue with a note at the level it sits.
	CloseContact(ctx context.Context, a *access.Actor, id int64, note string) (*Contact, error)
}
