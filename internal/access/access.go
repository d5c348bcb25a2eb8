// Package access decides what an acting user may do where. A user holds
// roles, each at a region; a role reaches that region and everything below
// it (本级及以下), never a sibling or a parent.
package access

import "shanzhi/internal/regioncode"

// Role is a named bundle of permissions.
type Role string

// The roles known so far. System administration is kept apart from the
// business roles so the three-way separation of duties can be added without
// reshaping grants.
const (
	Admin    Role = "admin"    // system administrator: regions and configuration
	Operator Role = "operator" // staff who keep the registers of their region
	Viewer   Role = "viewer"   // staff who only read
)

// Permission is one thing a role may do.
type Permission string

// The permissions.
const (
	RegistryRead  Permission = "registry.read"
	RegistryWrite Permission = "registry.write"
	RegionManage  Permission = "region.manage"
)

var rolePerms = map[Role][]Permission{
	Admin:    {RegistryRead, RegistryWrite, RegionManage},
	Operator: {RegistryRead, RegistryWrite},
	Viewer:   {RegistryRead},
}

// Grant is a role held at a region, named by its 12-digit code.
type Grant struct {
	Role   Role
	Region string
}

// Actor is the user a request acts for. Services take it explicitly on
// every call so that no method can forget whose rights apply.
type Actor struct {
	UserID   int64
	Username string
	Grants   []Grant
}

// Can reports whether the actor holds p at a region that covers code.
func (a *Actor) Can(p Permission, code string) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if covers(g.Region, code) && hasPerm(g.Role, p) {
			return true
		}
	}
	return false
}

// Scopes returns the region codes at which the actor holds p; list queries
// restrict themselves to these subtrees.
func (a *Actor) Scopes(p Permission) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, g := range a.Grants {
		if hasPerm(g.Role, p) {
			out = append(out, g.Region)
		}
	}
	return out
}

func hasPerm(r Role, p Permission) bool {
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}

func covers(grant, code string) bool {
	return regioncode.LevelOf(grant) != 0 && regioncode.Covers(grant, code)
}
