package honour

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// Privilege is one entry of a township's catalogue of what points open
// (积分权益): priority in 评优, a free health check, a fee waiver.
type Privilege struct {
	PrivilegeInput
	ID           int64
	TownshipName string
	CreatedBy    string
	Created      time.Time
}

// PrivilegeInput defines a privilege: the points balance that opens it,
// how long a grant lasts, and how many times a household may have it in a
// year.
type PrivilegeInput struct {
	Township  string
	Name      string
	Threshold int64
	ValidDays int
	Limit     int
}

// Normalize trims the name.
func (p *PrivilegeInput) Normalize() { p.Name = strings.TrimSpace(p.Name) }

// Validate checks a privilege's definition.
func (p PrivilegeInput) Validate() error {
	var fs fault.Fields
	if regioncode.LevelOf(p.Township) != regioncode.Township {
		fs.Add("township", "privilege.township")
	}
	if n := utf8.RuneCountInString(p.Name); n == 0 || n > MaxName {
		fs.Add("name", "privilege.name", MaxName)
	}
	if p.Threshold <= 0 {
		fs.Add("threshold", "privilege.threshold")
	}
	if p.ValidDays < 1 || p.ValidDays > 3660 {
		fs.Add("valid_days", "privilege.valid_days")
	}
	if p.Limit < 1 || p.Limit > 365 {
		fs.Add("limit", "privilege.limit")
	}
	return fs.Err()
}

// PrivilegeGrant is a privilege given to a household, on its statement.
type PrivilegeGrant struct {
	ID        int64
	Privilege int64
	Name      string
	Household int64
	Year      string
	Expires   string // YYYY-MM-DD, the last day it holds
	Note      string
	Actor     string
	Created   time.Time
}

// Offer is a privilege as one household's page shows it: whether its
// balance reaches the threshold and how many of the year's grants remain.
type Offer struct {
	Privilege
	Balance   int64
	Used      int
	Qualifies bool
}

// PrivilegeService keeps the catalogue and the grants. Errors: fault.Invalid
// for bad input, fault.NotFound outside the actor's regions, fault.Forbidden
// for readers, fault.Conflict for a household under the threshold or over
// the year's limit.
type PrivilegeService interface {
	CreatePrivilege(ctx context.Context, a *access.Actor, in PrivilegeInput) (*Privilege, error)
	// Privileges lists the catalogue that applies to region: its
	// township's.
	Privileges(ctx context.Context, a *access.Actor, region string) ([]Privilege, error)
	// Offers and Grants are a household's, for those who read its points
	// and for its own villager.
	Offers(ctx context.Context, a *access.Actor, household int64) ([]Offer, error)
	Grants(ctx context.Context, a *access.Actor, household int64) ([]PrivilegeGrant, error)
	Grant(ctx context.Context, a *access.Actor, household, privilege int64, note string) (*PrivilegeGrant, error)
}
