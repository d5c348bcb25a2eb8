package api

import (
	"net/http"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/server"
)

// The fundraising endpoints: drives, their ledgers, and the entries the
// two officials append.

func (a *API) fundRoutes(rt *server.Router) {
	manage := access.HonourManage
	read := func(t server.Target) server.Rule { return server.Rule{Perm: access.RegistryRead, Or: manage, On: t} }
	on := func(t server.Target) server.Rule { return server.Rule{Perm: manage, On: t} }
	rt.HandleFunc("GET /api/v1/funds", read(server.OnQuery), a.handle(a.funds))
	rt.HandleFunc("POST /api/v1/funds", on(server.OnQuery), a.handle(a.fundOpen))
	rt.HandleFunc("GET /api/v1/funds/{id}", read(server.OnCampaign), a.handle(a.fund))
	rt.HandleFunc("POST /api/v1/funds/{id}/entries", on(server.OnCampaign), a.handle(a.fundPost))
	// The household's signed consent, as a credit consent's scan: the
	// register's readers only.
	rt.HandleFunc("GET /api/v1/funds/{id}/scans/{scan}", server.Rule{Perm: access.RegistryRead, On: server.OnCampaign}, a.fundScan)
}

type campaignJSON struct {
	ID          int64  `json:"id"`
	Village     string `json:"village"`
	VillageName string `json:"village_name"`
	Household   int64  `json:"household"`
	Head        string `json:"head"`
	Title       string `json:"title"`
	Reason      string `json:"reason"`
	Partner     string `json:"partner"`
	Target      int64  `json:"target_fen"`
	Starts      string `json:"starts"`
	Ends        string `json:"ends"`
	Consent     string `json:"consent"`
	ConsentDate string `json:"consent_date"`
	Status      string `json:"status"`
	Raised      int64  `json:"raised_fen"`
	Spent       int64  `json:"spent_fen"`
	Moved       int64  `json:"transferred_fen"`
	Balance     int64  `json:"balance_fen"`
	Pending     int    `json:"pending_confirmations"`
	// Scans are the stored scans of the household's signed consent, for
	// the register's readers, fetched from /api/v1/funds/{id}/scans/{scan}.
	Scans []scanJSON `json:"scans,omitempty"`
}

func toCampaign(c honour.Campaign) campaignJSON {
	return campaignJSON{ID: c.ID, Village: c.Village, VillageName: c.VillageName, Household: c.Household, Head: c.Head, Title: c.Title, Reason: string(c.Reason),
		Partner: c.Partner, Target: c.Target, Starts: c.Starts, Ends: c.Ends, Consent: string(c.Consent), ConsentDate: c.ConsentDate, Status: string(c.Status),
		Raised: c.Raised, Spent: c.Spent, Moved: c.Moved, Balance: c.Balance, Pending: c.Pending, Scans: toScans(c.Scans)}
}

type fundEntryJSON struct {
	ID          int64  `json:"id"`
	Seq         int64  `json:"seq"`
	Kind        string `json:"kind"`
	Donation    int64  `json:"donation,omitempty"`
	Party       string `json:"party"`
	Named       bool   `json:"named"`
	Amount      int64  `json:"amount_fen"`
	Method      string `json:"method,omitempty"`
	Day         string `json:"day"`
	Receipt     string `json:"receipt,omitempty"`
	Evidence    string `json:"evidence,omitempty"`
	Key         string `json:"key"`
	Actor       string `json:"actor"`
	ConfirmedBy string `json:"confirmed_by,omitempty"`
	Hash        string `json:"hash"`
}

func toFundEntry(e honour.Entry) fundEntryJSON {
	return fundEntryJSON{ID: e.ID, Seq: e.Seq, Kind: string(e.Kind), Donation: e.Ref, Party: e.Party, Named: e.Named, Amount: e.Amount, Method: string(e.Method),
		Day: e.Day, Receipt: e.Receipt, Evidence: e.Evidence, Key: e.Key, Actor: e.Actor, ConfirmedBy: e.ConfirmedBy, Hash: e.Hash}
}

func (a *API) funds(r *http.Request, act *access.Actor) (int, any, error) {
	region := r.URL.Query().Get("region")
	if region == "" {
		if s := act.Scopes(access.RegistryRead); len(s) > 0 {
			region = s[0]
		}
	}
	cs, err := a.Funds.Campaigns(r.Context(), act, region)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, itemsOf(cs, toCampaign), nil
}

type campaignBody struct {
	Household   int64  `json:"household"`
	Title       string `json:"title"`
	Reason      string `json:"reason"`
	Partner     string `json:"partner"`
	Target      int64  `json:"target_fen"`
	Starts      string `json:"starts"`
	Ends        string `json:"ends"`
	Consent     string `json:"consent"`
	ConsentDate string `json:"consent_date"`
	// Scan is the signed consent as scanned (JPEG, PNG or PDF, base64).
	Scan []byte `json:"scan,omitempty"`
}

func (a *API) fundOpen(r *http.Request, act *access.Actor) (int, any, error) {
	var b campaignBody
	if err := decodeMax(r, &b, maxScanBody); err != nil {
		return 0, nil, err
	}
	c, err := a.Funds.Open(r.Context(), act, honour.CampaignInput{Household: b.Household, Title: b.Title, Reason: honour.Reason(b.Reason), Partner: b.Partner,
		Target: b.Target, Starts: b.Starts, Ends: b.Ends, Consent: honour.Consent(b.Consent), ConsentDate: b.ConsentDate, Scan: b.Scan})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toCampaign(*c), nil
}

func (a *API) fund(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	c, err := a.Funds.Campaign(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	es, err := a.Funds.Entries(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, struct {
		campaignJSON
		Entries []fundEntryJSON `json:"entries"`
	}{toCampaign(*c), itemsOf(es, toFundEntry).Items}, nil
}

type fundEntryBody struct {
	Key      string `json:"key"`
	Kind     string `json:"kind"`
	Donation int64  `json:"donation"`
	Party    string `json:"party"`
	Named    bool   `json:"named"`
	Amount   int64  `json:"amount_fen"`
	Method   string `json:"method"`
	Day      string `json:"day"`
	Receipt  string `json:"receipt"`
	Evidence string `json:"evidence"`
}

func (a *API) fundPost(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[fundEntryBody](r)
	if err != nil {
		return 0, nil, err
	}
	e, err := a.Funds.Post(r.Context(), act, honour.Posting{Key: b.Key, Campaign: id, Kind: honour.EntryKind(b.Kind), Ref: b.Donation, Party: b.Party, Named: b.Named,
		Amount: b.Amount, Method: honour.Method(b.Method), Day: b.Day, Receipt: b.Receipt, Evidence: b.Evidence})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toFundEntry(*e), nil
}
