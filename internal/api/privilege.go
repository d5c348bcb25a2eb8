package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/photo"
	"shanzhi/internal/server"
)

// The privilege and credit endpoints: a township's catalogue, a
// household's offers and grants, its credit consents, and the export a
// rural bank receives.

func (a *API) privilegeRoutes(rt *server.Router) {
	manage := access.HonourManage
	points := server.Rule{Perm: access.RegistryRead, Or: access.PointsSpend, On: server.OnHousehold, Own: true}
	rt.HandleFunc("GET /api/v1/privileges", server.Rule{Perm: access.RegistryRead, Or: manage, On: server.OnQuery}, a.handle(a.privilegeList))
	rt.HandleFunc("POST /api/v1/privileges", server.Rule{Perm: manage, On: server.OnQuery}, a.handle(a.privilegeCreate))
	rt.HandleFunc("GET /api/v1/households/{id}/privileges", points, a.handle(a.householdPrivileges))
	rt.HandleFunc("POST /api/v1/households/{id}/privileges", server.Rule{Perm: manage, On: server.OnHousehold}, a.handle(a.privilegeGrant))
	rt.HandleFunc("GET /api/v1/households/{id}/credit", points, a.handle(a.creditConsents))
	consent := server.Rule{Perm: manage, On: server.OnHousehold, Own: true}
	rt.HandleFunc("POST /api/v1/households/{id}/credit/consents", consent, a.handle(a.creditConsent))
	rt.HandleFunc("POST /api/v1/households/{id}/credit/revoke", consent, a.handle(a.creditRevoke))
	rt.HandleFunc("GET /api/v1/households/{id}/credit/scans/{scan}", server.Rule{Perm: access.RegistryRead, On: server.OnHousehold, Own: true}, a.creditScan)
	rt.HandleFunc("GET /api/v1/households/{id}/credit/summary", server.Rule{Perm: access.CreditExport, On: server.OnHousehold}, a.handle(a.creditSummary))
}

type privilegeJSON struct {
	ID        int64  `json:"id"`
	Township  string `json:"township"`
	Name      string `json:"name"`
	Threshold int64  `json:"threshold"`
	ValidDays int    `json:"valid_days"`
	Limit     int    `json:"yearly_limit"`
}

func toPrivilege(p honour.Privilege) privilegeJSON {
	return privilegeJSON{ID: p.ID, Township: p.Township, Name: p.Name, Threshold: p.Threshold, ValidDays: p.ValidDays, Limit: p.Limit}
}

func (a *API) privilegeList(r *http.Request, act *access.Actor) (int, any, error) {
	region := r.URL.Query().Get("region")
	if region == "" {
		if s := act.Scopes(access.RegistryRead); len(s) > 0 {
			region = s[0]
		}
	}
	ps, err := a.Privileges.Privileges(r.Context(), act, region)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, itemsOf(ps, toPrivilege), nil
}

func (a *API) privilegeCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b privilegeJSON
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	p, err := a.Privileges.CreatePrivilege(r.Context(), act, honour.PrivilegeInput{Township: b.Township, Name: b.Name, Threshold: b.Threshold, ValidDays: b.ValidDays, Limit: b.Limit})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toPrivilege(*p), nil
}

type grantJSON struct {
	ID        int64  `json:"id"`
	Privilege int64  `json:"privilege"`
	Name      string `json:"name"`
	Year      string `json:"year"`
	Expires   string `json:"expires"`
	Note      string `json:"note"`
	Actor     string `json:"actor"`
}

func toGrant(g honour.PrivilegeGrant) grantJSON {
	return grantJSON{ID: g.ID, Privilege: g.Privilege, Name: g.Name, Year: g.Year, Expires: g.Expires, Note: g.Note, Actor: g.Actor}
}

func (a *API) householdPrivileges(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	offers, err := a.Privileges.Offers(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	grants, err := a.Privileges.Grants(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	type offerJSON struct {
		privilegeJSON
		Balance   int64 `json:"balance"`
		Used      int   `json:"used_this_year"`
		Qualifies bool  `json:"qualifies"`
	}
	return http.StatusOK, struct {
		Offers []offerJSON `json:"offers"`
		Grants []grantJSON `json:"grants"`
	}{itemsOf(offers, func(o honour.Offer) offerJSON {
		return offerJSON{toPrivilege(o.Privilege), o.Balance, o.Used, o.Qualifies}
	}).Items, itemsOf(grants, toGrant).Items}, nil
}

func (a *API) privilegeGrant(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Privilege int64  `json:"privilege"`
		Note      string `json:"note"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	g, err := a.Privileges.Grant(r.Context(), act, id, b.Privilege, b.Note)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toGrant(*g), nil
}

type consentJSON struct {
	ID            int64      `json:"id"`
	Purpose       string     `json:"purpose"`
	Recipient     string     `json:"recipient"`
	RetentionDays int        `json:"retention_days"`
	Method        string     `json:"method"`
	Reference     string     `json:"reference,omitempty"`
	GivenBy       string     `json:"given_by"`
	Given         time.Time  `json:"given"`
	Revoked       *time.Time `json:"revoked,omitempty"`
	// Scan is a paper consent's scan when it is recorded (JPEG, PNG or
	// PDF, base64); Scans lists the stored ones, fetched from
	// /api/v1/households/{id}/credit/scans/{scan}.
	Scan  []byte     `json:"scan,omitempty"`
	Scans []scanJSON `json:"scans,omitempty"`
}

type scanJSON struct {
	ID          int64     `json:"id"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

func toConsent(c honour.CreditConsent) consentJSON {
	out := consentJSON{ID: c.ID, Purpose: c.Purpose, Recipient: c.Recipient, RetentionDays: c.RetentionDays, Method: string(c.Method), Reference: c.Reference, GivenBy: c.GivenBy, Given: c.Given}
	if !c.Revoked.IsZero() {
		out.Revoked = &c.Revoked
	}
	out.Scans = toScans(c.Scans)
	return out
}

// toScans lists a consent's stored scans, without their bytes.
func toScans(scans []honour.ConsentScan) []scanJSON {
	var out []scanJSON
	for _, sc := range scans {
		out = append(out, scanJSON{ID: sc.ID, ContentType: sc.ContentType, Size: sc.Size, SHA256: sc.SHA256, By: sc.Actor, At: sc.At})
	}
	return out
}

func (a *API) creditConsents(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	cs, es, err := a.Credit.Consents(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	type exportJSON struct {
		ID        int64     `json:"id"`
		Consent   int64     `json:"consent"`
		Recipient string    `json:"recipient"`
		Format    string    `json:"format"`
		Actor     string    `json:"actor"`
		At        time.Time `json:"at"`
	}
	return http.StatusOK, struct {
		Consents []consentJSON `json:"consents"`
		Exports  []exportJSON  `json:"exports"`
	}{itemsOf(cs, toConsent).Items, itemsOf(es, func(e honour.CreditExportRecord) exportJSON {
		return exportJSON{e.ID, e.Consent, e.Recipient, e.Format, e.Actor, e.At}
	}).Items}, nil
}

// maxScanBody bounds a body that carries a consent's scan (and a
// nomination's photos beside it): the scan's own bound in base64, and
// room for the rest. The default 1 MB refused a scan of more than about
// 750 KB that the store takes up to 8 MB.
const maxScanBody = honour.MaxScanBytes*4/3 + 64<<10

func (a *API) creditConsent(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var b consentJSON
	if err := decodeMax(r, &b, maxScanBody); err != nil {
		return 0, nil, err
	}
	c, err := a.Credit.Consent(r.Context(), act, id, honour.ConsentInput{Purpose: b.Purpose, Recipient: b.Recipient, RetentionDays: b.RetentionDays,
		Method: honour.ConsentMethod(b.Method), Reference: b.Reference, Scan: b.Scan})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toConsent(*c), nil
}

func (a *API) creditRevoke(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Consent int64 `json:"consent"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Credit.Revoke(r.Context(), act, id, b.Consent); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]bool{"revoked": true}, nil
}

func (a *API) creditSummary(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	s, err := a.Credit.Export(r.Context(), act, id, "json")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s, nil
}

// creditScan sends a paper consent's stored scan as it is kept, audited
// by the store like the page's view.
func (a *API) creditScan(w http.ResponseWriter, r *http.Request) { a.serveScan(w, r, a.Credit.Scan) }

// fundScan sends a scan of a drive's consent, as creditScan a credit
// consent's.
func (a *API) fundScan(w http.ResponseWriter, r *http.Request) { a.serveScan(w, r, a.Funds.Scan) }

// nominationScan sends a scan of a nominee's consent.
func (a *API) nominationScan(w http.ResponseWriter, r *http.Request) {
	a.serveScan(w, r, a.Honours.NominationScan)
}

// serveScan sends the scan the path names of the consent's owner (a
// household, a drive) the path's id names, read by open.
func (a *API) serveScan(w http.ResponseWriter, r *http.Request, open func(ctx context.Context, a *access.Actor, id, scan int64) (string, []byte, error)) {
	act, err := a.actor(r)
	var id, scan int64
	if err == nil {
		id, err = pathID(r)
	}
	if err == nil {
		scan, err = strconv.ParseInt(r.PathValue("scan"), 10, 64)
		if err != nil {
			err = fault.E(fault.NotFound, "error.not_found")
		}
	}
	var ctype string
	var data []byte
	if err == nil {
		ctype, data, err = open(r.Context(), act, id, scan)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox")
	photo.Serve(w, ctype, data, "private, no-store")
}
