package org

import (
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// Kind is the kind of a party organisation.
type Kind string

// The kinds, from the top of a tree down.
const (
	Committee     Kind = "committee" // 党委
	WorkCommittee Kind = "working"   // 党工委
	General       Kind = "general"   // 党总支
	Branch        Kind = "branch"    // 党支部
	JointBranch   Kind = "joint"     // 联合党支部
	Group         Kind = "group"     // 党小组
)

// Kinds lists the kinds in the order forms show them.
var Kinds = []Kind{Committee, WorkCommittee, General, Branch, JointBranch, Group}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// rank orders the kinds: an organisation sits under one of lower rank.
func (k Kind) rank() int {
	switch k {
	case Committee, WorkCommittee:
		return 1
	case General:
		return 2
	case Branch, JointBranch:
		return 3
	case Group:
		return 4
	}
	return 0
}

// CanParent reports whether an organisation of kind k may sit under one of
// kind parent: committees over general branches over branches over party
// groups, a committee also under a committee (a township's under the
// banner's), a branch directly under a committee.
func (k Kind) CanParent(parent Kind) bool {
	if k == Group {
		return parent == Branch || parent == JointBranch || parent == General
	}
	return parent.rank() != 0 && parent.rank() <= k.rank() && parent != Group && !(parent.rank() == 3 && k.rank() == 3)
}

// HoldsMembers reports whether members belong to organisations of kind k:
// every kind but the party group, which is a subdivision of a branch.
func (k Kind) HoldsMembers() bool { return k.Valid() && k != Group }

// Status is where an organisation stands.
type Status string

// The statuses.
const (
	Active    Status = "active"
	Dissolved Status = "dissolved"
)

// OrgInput is what a user gives for a new organisation.
type OrgInput struct {
	Parent int64 // 0 for the top of a tree
	// Region is the region the organisation is attached to (the 平安村
	// branch); empty for one attached to units only, whose home region is
	// its parent's.
	Region  string
	Units   []int64
	Kind    Kind
	Name    string
	Founded string // 成立日期, YYYY-MM-DD
	Brand   string // 党建品牌, e.g. 孝亲敬老
}

// Normalize trims the texts.
func (in *OrgInput) Normalize() {
	in.Name, in.Region, in.Brand, in.Founded = strings.TrimSpace(in.Name), strings.TrimSpace(in.Region), strings.TrimSpace(in.Brand), strings.TrimSpace(in.Founded)
}

// Validate checks an organisation on its own; the store checks it against
// its parent (CanParent, Home).
func (in OrgInput) Validate(now time.Time) error {
	var fs fault.Fields
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > MaxName {
		fs.Add("name", "org.name_invalid", MaxName)
	}
	if !in.Kind.Valid() {
		fs.Add("kind", "org.kind_invalid")
	}
	switch {
	case in.Region == "" && in.Parent == 0:
		fs.Add("region", "org.org.attach_required")
	case in.Region != "" && !regioncode.ValidCode(in.Region):
		fs.Add("region", "org.unit.region_invalid")
	case in.Region == "" && len(in.Units) == 0:
		fs.Add("units", "org.org.attach_required")
	}
	if !validDate(in.Founded, now) {
		fs.Add("founded", "org.date_invalid")
	}
	if utf8.RuneCountInString(in.Brand) > MaxName {
		fs.Add("brand", "org.too_long", MaxName)
	}
	return fs.Err()
}

// Home returns the home region of an organisation: the region it is
// attached to, else its parent's home. One attached to a region under a
// parent must lie within the parent's home, so the parent's officials
// still see it.
func (in OrgInput) Home(parentHome string) (string, error) {
	if in.Region == "" {
		return parentHome, nil
	}
	if parentHome != "" && !regioncode.Covers(parentHome, in.Region) {
		return "", fault.OnField(fault.Invalid, "region", "org.org.outside_parent")
	}
	return in.Region, nil
}

// Cycle reports whether putting id under parent closes a cycle, given the
// chain of parent's ancestors (parent first, up to the root).
func Cycle(id int64, chain []int64) bool {
	for _, c := range chain {
		if c == id {
			return true
		}
	}
	return false
}

// Post is a committee post.
type Post string

// The posts of a party committee and of a party group.
const (
	Secretary    Post = "secretary"    // 书记
	Deputy       Post = "deputy"       // 副书记
	Organisation Post = "organisation" // 组织委员
	Propaganda   Post = "propaganda"   // 宣传委员
	Discipline   Post = "discipline"   // 纪检委员
	GroupLeader  Post = "group_leader" // 党小组组长
)

// Posts lists the posts in the order pages show them.
var Posts = []Post{Secretary, Deputy, Organisation, Propaganda, Discipline, GroupLeader}

// ValidFor reports whether an organisation of kind k has post p: a party
// group has only its leader, every other kind the committee posts.
func (p Post) ValidFor(k Kind) bool {
	if k == Group {
		return p == GroupLeader
	}
	for _, q := range Posts[:5] {
		if p == q {
			return true
		}
	}
	return false
}

// PostInput names who takes a post from a date; the holder before them
// leaves it that day. An empty name leaves the post vacant.
type PostInput struct {
	Post   Post
	Name   string
	Member int64 // the party member holding it, when recorded
	From   string
}

// Validate checks a post change for an organisation of kind k.
func (in PostInput) Validate(k Kind, now time.Time) error {
	var fs fault.Fields
	if !in.Post.ValidFor(k) {
		fs.Add("post", "org.post_invalid")
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.Name)) > 30 {
		fs.Add("name", "org.too_long", 30)
	}
	if !PastDate(in.From, now) {
		fs.Add("from", "org.date_invalid")
	}
	return fs.Err()
}

// Holder is a post's holder over a span.
type Holder struct {
	Post   Post
	Name   string
	Member int64
	From   string
	To     string // "" while in post
}

// Event is one change in an organisation's history.
type Event struct {
	Kind   string // created, renamed, moved, post, dissolved
	Date   string
	Detail string
	Actor  string
	At     time.Time
}

// Org is a stored organisation.
type Org struct {
	ID         int64
	Parent     int64
	ParentName string
	Home       string // the home region, which decides who sees it
	HomeName   string
	Attached   string // the region it is attached to, "" if to units only
	Units      []Unit
	Kind       Kind
	Name       string
	Founded    string
	Brand      string
	Status     Status
	Dissolved  string
	Members    int // active members, for lists
	// Filled by Service.Org only.
	Children []Org
	Holders  []Holder // current and past post holders
	History  []Event
}

// OrgFilter narrows a list of organisations.
type OrgFilter struct {
	Region string // a subtree of home regions; "" for all the actor may read
	Parent int64  // only the direct children of this one
	Query  string
	All    bool // dissolved ones too
	// After and Limit page by id, the API's cursor; a Limit of 0 lists
	// by home region, kind and name, as pages do, up to MaxOrgList.
	After int64
	Limit int
}

// MaxOrgList bounds an unpaged list of organisations (a page's); the API
// pages through any number by cursor.
const MaxOrgList = 1000
