// Package access decides what an acting user may do where. A user holds
// roles, each at a region; a role reaches that region and everything below
// it (本级及以下), never a sibling or a parent.
//
// System, security and audit administration are three separate roles
// (三权分立, GB/T 22239-2019 8.1.4.2): none of them holds a business
// permission, and none can do another's job.
package access

import "shanzhi/internal/regioncode"

// Role is a named bundle of permissions.
type Role string

// The roles.
const (
	SysAdmin   Role = "sysadmin"   // 系统管理员: accounts and configuration only
	SecAdmin   Role = "secadmin"   // 安全管理员: roles and permissions only
	AuditAdmin Role = "auditadmin" // 审计管理员: reads and exports the audit trail only
	Operator   Role = "operator"   // 经办人员: keeps the registers of their region
	Reviewer   Role = "reviewer"   // 审核人员: reads and reviews
	Leader     Role = "leader"     // 分管领导: reads, reviews, manages regions, exports in full
	Clerk      Role = "clerk"      // 超市管理员: the points supermarket of their village
	Trainer    Role = "trainer"    // 培训教师
	Station    Role = "station"    // 驿站站长
	Villager   Role = "villager"   // 村民: their own household, read-only
	OrgStaff   Role = "orgstaff"   // 组织部干部: the organisation register (units, party organisations, members) of their league, banner or township
	// Secretary (党组织书记) held at a village reads the register below it
	// and keeps its grids; held for one organisation (Grant.Org) it reads
	// that organisation and those below it only.
	Secretary Role = "secretary"
	// GridLeader (网格长) and GridWorker (网格员) are granted at a village
	// for one grid of it (Grant.Grid): they reach that grid only, never
	// the village's other grids or its register.
	GridLeader Role = "gridleader" // 网格长: their grid, its linkage net and its contact logs
	GridWorker Role = "gridworker" // 网格员: their grid's households and contact logs
	// UnitStaff (单位组织人事干部) is granted at a unit (Grant.Unit): its
	// own cadres in post, their training files, nominations to classes
	// within the unit's quota and its enrolment notices; nothing else.
	UnitStaff Role = "unitstaff"
)

// Roles lists every role in the order pages show them.
var Roles = []Role{SysAdmin, SecAdmin, AuditAdmin, Leader, Reviewer, Operator, OrgStaff, Secretary, GridLeader, GridWorker, UnitStaff, Clerk, Trainer, Station, Villager}

// Permission is one thing a role may do.
type Permission string

// The permissions.
const (
	RegistryRead   Permission = "registry.read"
	RegistryWrite  Permission = "registry.write"
	RegionManage   Permission = "region.manage"
	PersonalReveal Permission = "personal.reveal" // see a full ID number or phone, with a reason
	ExportFull     Permission = "export.full"     // export without masks, with a reason
	UserManage     Permission = "user.manage"
	RoleManage     Permission = "role.manage"
	AuditRead      Permission = "audit.read"
	OwnHousehold   Permission = "household.own"
	PointsWrite    Permission = "points.write"   // award and deduct points, reverse entries
	PointsSpend    Permission = "points.spend"   // spend points at the counter
	PointsApprove  Permission = "points.approve" // approve awards and resolve objections to them
	MarketManage   Permission = "market.manage"  // open stores, keep goods and stock, assign clerks, read reports
	MarketSell     Permission = "market.sell"    // redeem at the counter of a store one is assigned to (or manages)
	TalentWrite    Permission = "talent.write"   // enter rural-leader applications and leaders' measures
	TalentReview   Permission = "talent.review"  // score and decide applications at one's own level
	TalentManage   Permission = "talent.manage"  // set up programme rounds and quotas
	SchemeManage   Permission = "scheme.manage"  // draft and publish the Moral Bank's scoring scheme (积分评价方案)
	OrgRead        Permission = "org.read"       // read units, party organisations, members and rosters
	OrgManage      Permission = "org.manage"     // keep units, party organisations, members and their transfers
	GridManage     Permission = "grid.manage"    // divide villages into grids and assign their households
	SurveyRead     Permission = "survey.read"    // read questionnaires, their answers and figures
	SurveyManage   Permission = "survey.manage"  // build, publish and close questionnaires and set their quotas
	SurveyEnter    Permission = "survey.enter"   // enter answers gathered by phone, in interviews and on visits
	GridRead       Permission = "grid.read"      // read a grid: its households, linkage net, contact cards and logs
	GridLink       Permission = "grid.link"      // build a grid's linkage net (全网通): leader, central households, links
	GridContact    Permission = "grid.contact"   // log contacts with households and carry the issues raised up the chain
	HonourManage   Permission = "honour.manage"  // keep honour boards, nominations, fundraising ledgers and privileges
	CreditExport   Permission = "credit.export"  // export a consenting household's credit summary for a rural bank
)

// The cadre-training programme's permissions (精准滴灌).
const (
	TrainingRead   Permission = "training.read"   // read lists, courses, classes and cadres' training files
	TrainingManage Permission = "training.manage" // keep the 紧缺能力清单, courses, teachers and classes
	// TrainingAttend keeps a class's attendance: its screen, roll and
	// leaves. The store grants it only for the classes the actor is the
	// 班主任 of, or manages the programme at.
	TrainingAttend Permission = "training.attend"
	// UnitCadres is a unit's own: its cadres and their training files,
	// nominations within its quota, its enrolment notices. Only a grant
	// at a unit carries it, for that unit.
	UnitCadres Permission = "unit.cadres"
)

// rolePerms is the one table of what each role may do.
var rolePerms = map[Role][]Permission{
	SysAdmin:   {UserManage},
	SecAdmin:   {RoleManage},
	AuditAdmin: {AuditRead},
	Leader:     {RegistryRead, RegionManage, PersonalReveal, ExportFull, PointsApprove, MarketManage, TalentReview, TalentManage, SchemeManage, OrgRead, GridRead, SurveyRead, TrainingRead, CreditExport},
	Reviewer:   {RegistryRead, PointsApprove, TalentReview, GridRead},
	Operator:   {RegistryRead, RegistryWrite, PersonalReveal, PointsWrite, PointsSpend, MarketManage, MarketSell, TalentWrite, GridManage, GridRead, GridLink, GridContact, HonourManage},
	// The organisation department keeps its own register; it reads the
	// household register it links members and grids to, but writes
	// neither households nor points. It runs the surveys of its region
	// and enters the answers its staff gather by phone, interview and visit.
	OrgStaff:   {RegistryRead, OrgRead, OrgManage, GridManage, GridRead, GridLink, GridContact, SurveyRead, SurveyManage, SurveyEnter, TrainingRead, TrainingManage, TrainingAttend},
	Secretary:  {RegistryRead, OrgRead, GridManage, GridRead, GridLink, GridContact},
	GridLeader: {GridRead, GridLink, GridContact},
	GridWorker: {GridRead, GridContact},
	UnitStaff:  {UnitCadres},
	Clerk:      {PointsSpend, MarketSell},
	Trainer:    {TrainingAttend},
	Station:    {},
	Villager:   {OwnHousehold},
}

// Admin reports whether r is one of the three administrator roles, which
// get a shorter idle timeout and always need a second factor.
func (r Role) Admin() bool { return r == SysAdmin || r == SecAdmin || r == AuditAdmin }

// Grant is a role held at a region, named by its 12-digit code. A
// villager's grant also names their household; a grid leader's or grid
// worker's names their grid, which lies in the grant's village. A
// secretary's may name their party organisation (Org), whose home region
// is the grant's; a unit staff's names their unit (Unit), which sits in
// the grant's region.
type Grant struct {
	Role      Role
	Region    string
	Household int64
	Grid      int64
	Org       int64
	Unit      int64
}

// GridScoped reports whether r is held for one grid rather than a region.
func (r Role) GridScoped() bool { return r == GridLeader || r == GridWorker }

// UnitScoped reports whether r is held for one unit rather than a region.
func (r Role) UnitScoped() bool { return r == UnitStaff }

// OrgScopable reports whether r may be held for one party organisation:
// a secretary's grant names their branch, or (as before) their village.
func (r Role) OrgScopable() bool { return r == Secretary }

// orgScopedPerms are what a grant for one organisation carries: it reads
// that organisation, the organisations below it, their members and flows,
// and reads and closes the issues their members' households raise up the
// net to it (grid.read and grid.contact reach those contacts only, never a
// grid); nothing village-wide.
var orgScopedPerms = []Permission{OrgRead, GridRead, GridContact}

// Narrow reports whether g is held for one grid, organisation or unit
// rather than a whole region: such a grant counts in no region-wide check.
func (g Grant) Narrow() bool { return g.Grid != 0 || g.Org != 0 || g.Unit != 0 }

// Carries reports whether grant g carries p: its role's permission, of
// which a grant for one organisation keeps only the reading of it.
func (g Grant) Carries(p Permission) bool {
	if !Has(g.Role, p) {
		return false
	}
	if g.Org != 0 {
		for _, q := range orgScopedPerms {
			if q == p {
				return true
			}
		}
		return false
	}
	return true
}

// Actor is the user a request acts for. Services take it explicitly on
// every call so that no method can forget whose rights apply.
type Actor struct {
	UserID   int64
	Username string
	Grants   []Grant
}

// Can reports whether the actor holds p at a region that covers code.
// A grant for one grid reaches nothing region-wide: it counts only in
// CanGrid, so no village-wide check can be passed by a grid worker.
func (a *Actor) Can(p Permission, code string) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if !g.Narrow() && covers(g.Region, code) && Has(g.Role, p) {
			return true
		}
	}
	return false
}

// CanGrid reports whether the actor holds p for grid, which lies in
// village: by a grant at a region covering the village, or by a grant for
// that very grid.
func (a *Actor) CanGrid(p Permission, village string, grid int64) bool {
	if a.Can(p, village) {
		return true
	}
	for _, g := range a.gridGrants(p) {
		if g.Grid == grid && g.Region == village {
			return true
		}
	}
	return false
}

// GridGrants returns the grids the actor holds p for by a grant for one
// grid at a region that covers region ("" for all of them): a grant is
// for its village, not for the township above it.
func (a *Actor) GridGrants(p Permission, region string) []int64 {
	var out []int64
	for _, g := range a.gridGrants(p) {
		if region == "" || covers(g.Region, region) {
			out = append(out, g.Grid)
		}
	}
	return out
}

func (a *Actor) gridGrants(p Permission) []Grant {
	if a == nil {
		return nil
	}
	var out []Grant
	for _, g := range a.Grants {
		if g.Grid != 0 && Has(g.Role, p) {
			out = append(out, g)
		}
	}
	return out
}

// CanAnywhere reports whether the actor holds p at any region or for any
// grid, organisation or unit, for deciding which menu entries to show.
func (a *Actor) CanAnywhere(p Permission) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Carries(p) {
			return true
		}
	}
	return false
}

// CanOrg reports whether the actor holds p for the organisation whose
// home region is home and whose chain is its own id followed by the ids
// of the organisations above it: region-wide at home, or by a grant for
// that organisation or one above it.
func (a *Actor) CanOrg(p Permission, home string, chain []int64) bool {
	if a.Can(p, home) {
		return true
	}
	for _, g := range a.OrgGrantsFor(p) {
		for _, id := range chain {
			if id == g {
				return true
			}
		}
	}
	return false
}

// OrgGrantsFor returns the organisations the actor holds p for by a grant
// for one organisation.
func (a *Actor) OrgGrantsFor(p Permission) []int64 {
	if a == nil {
		return nil
	}
	var out []int64
	for _, g := range a.Grants {
		if g.Org != 0 && g.Carries(p) {
			out = append(out, g.Org)
		}
	}
	return out
}

// CanUnit reports whether the actor holds p for unit, which sits in
// region: region-wide there, or by a grant for that very unit.
func (a *Actor) CanUnit(p Permission, region string, unit int64) bool {
	if a.Can(p, region) {
		return true
	}
	for _, u := range a.UnitGrantsFor(p) {
		if u == unit {
			return true
		}
	}
	return false
}

// UnitGrantsFor returns the units the actor holds p for by a grant for
// one unit.
func (a *Actor) UnitGrantsFor(p Permission) []int64 {
	if a == nil {
		return nil
	}
	var out []int64
	for _, g := range a.Grants {
		if g.Unit != 0 && g.Carries(p) {
			out = append(out, g.Unit)
		}
	}
	return out
}

// Scopes returns the region codes at which the actor holds p region-wide;
// list queries restrict themselves to these subtrees.
func (a *Actor) Scopes(p Permission) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, g := range a.Grants {
		if !g.Narrow() && Has(g.Role, p) {
			out = append(out, g.Region)
		}
	}
	return out
}

// Household returns the household of a villager's grant, or 0.
func (a *Actor) Household() int64 {
	if a == nil {
		return 0
	}
	for _, g := range a.Grants {
		if g.Role == Villager {
			return g.Household
		}
	}
	return 0
}

// NeedsSecondFactor reports whether the actor must pass a TOTP check: every
// administrator, and every official whose grant is at a township or above.
func (a *Actor) NeedsSecondFactor() bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Role.Admin() {
			return true
		}
		if g.Role != Villager && regioncode.LevelOf(g.Region) != 0 && regioncode.LevelOf(g.Region) <= regioncode.Township {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor holds an administrator role.
func (a *Actor) IsAdmin() bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Role.Admin() {
			return true
		}
	}
	return false
}

// Has reports whether role r carries permission p.
func Has(r Role, p Permission) bool {
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	_, ok := rolePerms[r]
	return ok
}

func covers(grant, code string) bool {
	return regioncode.LevelOf(grant) != 0 && regioncode.Covers(grant, code)
}
