package api

import (
	"net/http"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/server"
)

// The honours module's endpoints: boards, their editions and
// nominations, and a household's honours.

// honourRoutes registers them; the rules match the pages'.
func (a *API) honourRoutes(rt *server.Router) {
	manage := access.HonourManage
	read := func(t server.Target) server.Rule { return server.Rule{Perm: access.RegistryRead, Or: manage, On: t} }
	on := func(t server.Target) server.Rule { return server.Rule{Perm: manage, On: t} }
	rt.HandleFunc("GET /api/v1/honours/boards", read(server.OnQuery), a.handle(a.honourBoards))
	rt.HandleFunc("POST /api/v1/honours/boards", on(server.OnQuery), a.handle(a.honourBoardCreate))
	rt.HandleFunc("GET /api/v1/honours/boards/{id}", read(server.OnBoard), a.handle(a.honourEdition))
	rt.HandleFunc("POST /api/v1/honours/boards/{id}/publish", on(server.OnBoard), a.handle(a.honourPublish))
	rt.HandleFunc("GET /api/v1/honours/boards/{id}/nominations", read(server.OnBoard), a.handle(a.honourNominations))
	rt.HandleFunc("GET /api/v1/honours/boards/{id}/poster.pdf", read(server.OnBoard), a.pdf(a.posterPDF))
	rt.HandleFunc("POST /api/v1/honours/boards/{id}/nominations", server.Rule{Perm: manage, Or: access.OwnHousehold, On: server.OnBoard}, a.handle(a.honourNominate))
	rt.HandleFunc("GET /api/v1/honours/boards/{id}/scans/{scan}", server.Rule{Perm: access.RegistryRead, On: server.OnBoard}, a.nominationScan)
	// The public channel, for a villager without an account: a delay
	// token first, then the nomination under it (see web's public page).
	rt.HandleFunc("GET /api/v1/public/boards/{id}/nomination-token", server.Rule{On: server.Public}, a.publicNominationToken)
	rt.HandleFunc("POST /api/v1/public/boards/{id}/nominations", server.Rule{On: server.Public}, a.publicNominate)
	rt.HandleFunc("GET /api/v1/households/{id}/honours", server.Rule{Perm: access.RegistryRead, Or: access.PointsSpend, On: server.OnHousehold, Own: true}, a.handle(a.householdHonours))
}

type boardJSON struct {
	ID         int64  `json:"id"`
	Region     string `json:"region"`
	RegionName string `json:"region_name"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Period     string `json:"period"`
	Aspect     string `json:"aspect"`
	MinPoints  int64  `json:"min_points"`
	Size       int    `json:"size"`
	Item       string `json:"item,omitempty"`
}

func toBoard(b honour.Board) boardJSON {
	return boardJSON{ID: b.ID, Region: b.Region, RegionName: b.RegionName, Name: b.Name, Kind: string(b.Kind), Period: string(b.Period), Aspect: b.Aspect, MinPoints: b.MinPoints, Size: b.Size, Item: b.Item}
}

type honourJSON struct {
	Board      int64  `json:"board"`
	BoardName  string `json:"board_name"`
	Period     string `json:"period"`
	Household  int64  `json:"household"`
	Person     string `json:"person"`
	Place      int    `json:"place"`
	Points     int64  `json:"points"`
	Citation   string `json:"citation"`
	Nomination int64  `json:"nomination,omitempty"`
}

func toHonour(h honour.Honour) honourJSON {
	return honourJSON{Board: h.Board, BoardName: h.BoardName, Period: h.Period, Household: h.Household, Person: h.Person, Place: h.Place, Points: h.Points, Citation: h.Citation, Nomination: h.Nomination}
}

// itemsOf is a list's body made from the service's values.
func itemsOf[T, J any](xs []T, conv func(T) J) items[J] {
	out := items[J]{Items: []J{}}
	for _, x := range xs {
		out.Items = append(out.Items, conv(x))
	}
	return out
}

func (a *API) honourBoards(r *http.Request, act *access.Actor) (int, any, error) {
	region := r.URL.Query().Get("region")
	if region == "" {
		if s := act.Scopes(access.RegistryRead); len(s) > 0 {
			region = s[0]
		} else if s := act.Scopes(access.HonourManage); len(s) > 0 {
			region = s[0]
		}
	}
	bs, err := a.Honours.Boards(r.Context(), act, region)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, itemsOf(bs, toBoard), nil
}

type boardBody struct {
	Region    string `json:"region"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Period    string `json:"period"`
	Aspect    string `json:"aspect"`
	MinPoints int64  `json:"min_points"`
	Size      int    `json:"size"`
	Item      string `json:"item"`
}

func (a *API) honourBoardCreate(r *http.Request, act *access.Actor) (int, any, error) {
	var b boardBody
	if err := decode(r, &b); err != nil {
		return 0, nil, err
	}
	bd, err := a.Honours.CreateBoard(r.Context(), act, honour.BoardInput{Region: b.Region, Name: b.Name, Kind: honour.Kind(b.Kind), Period: honour.PeriodKind(b.Period),
		Aspect: b.Aspect, MinPoints: b.MinPoints, Size: b.Size, Item: b.Item})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toBoard(*bd), nil
}

type editionJSON struct {
	Board     boardJSON    `json:"board"`
	Period    string       `json:"period"`
	Published *time.Time   `json:"published,omitempty"`
	Honours   []honourJSON `json:"honours"`
	Periods   []string     `json:"periods"`
}

func (a *API) honourEdition(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	b, err := a.Honours.Board(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = honour.CurrentPeriod(b.Period, time.Now())
	}
	e, err := a.Honours.Edition(r.Context(), act, id, period)
	if err != nil {
		return 0, nil, err
	}
	ps, err := a.Honours.Periods(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, editionOut(e, ps), nil
}

func editionOut(e *honour.Edition, periods []string) editionJSON {
	out := editionJSON{Board: toBoard(e.Board), Period: e.Period, Honours: itemsOf(e.Honours, toHonour).Items, Periods: periods}
	if !e.Published.IsZero() {
		out.Published = &e.Published
	}
	if out.Periods == nil {
		out.Periods = []string{}
	}
	return out
}

func (a *API) honourPublish(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Period string `json:"period"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	e, err := a.Honours.Publish(r.Context(), act, id, b.Period)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, editionOut(e, nil), nil
}

type nominationJSON struct {
	ID            int64   `json:"id"`
	Board         int64   `json:"board"`
	Period        string  `json:"period"`
	Household     int64   `json:"household"`
	Nominee       string  `json:"nominee"`
	Deed          string  `json:"deed"`
	Citation      string  `json:"citation"`
	NominatorKind string  `json:"nominator_kind"`
	Nominator     string  `json:"nominator"`
	Consent       string  `json:"consent"`
	ConsentDate   string  `json:"consent_date"`
	Status        string  `json:"status"`
	Review        int64   `json:"review"`
	Photos        []int64 `json:"photos"`
	PhotosPublic  bool    `json:"photos_public"`
	// Scans are the stored scans of the nominee's signed consent, for the
	// register's readers, fetched from
	// /api/v1/honours/boards/{id}/scans/{scan}.
	Scans []scanJSON `json:"scans,omitempty"`
}

func toNomination(n honour.Nomination) nominationJSON {
	return nominationJSON{ID: n.ID, Board: n.Board, Period: n.Period, Household: n.Household, Nominee: n.Nominee, Deed: n.Deed, Citation: n.Citation,
		NominatorKind: string(n.NominatorKind), Nominator: n.Nominator, Consent: string(n.Consent), ConsentDate: n.ConsentDate, Status: string(n.Status), Review: n.ReviewID,
		Photos: n.PhotoIDs, PhotosPublic: n.PhotosPublic, Scans: toScans(n.Scans)}
}

func (a *API) honourNominations(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	ns, err := a.Honours.Nominations(r.Context(), act, id, r.URL.Query().Get("period"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, itemsOf(ns, toNomination), nil
}

type nominationBody struct {
	Period        string `json:"period"`
	Household     int64  `json:"household"`
	Number        string `json:"number"`
	Nominee       string `json:"nominee"`
	Deed          string `json:"deed"`
	Citation      string `json:"citation"`
	NominatorKind string `json:"nominator_kind"`
	Nominator     string `json:"nominator"`
	Consent       string `json:"consent"`
	ConsentDate   string `json:"consent_date"`
	// Photos are the deed's images, base64 in JSON; the store checks,
	// strips and re-encodes them like a page's uploads.
	Photos       [][]byte `json:"photos"`
	PhotosPublic bool     `json:"photos_public"`
	// Scan is the nominee's signed consent as scanned (JPEG, PNG or PDF,
	// base64).
	Scan []byte `json:"scan,omitempty"`
}

func (a *API) honourNominate(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var b nominationBody
	if err := decodeMax(r, &b, maxScanBody); err != nil {
		return 0, nil, err
	}
	n, err := a.Honours.Nominate(r.Context(), act, honour.NominationInput{Board: id, Period: b.Period, Household: b.Household, Number: b.Number, Nominee: b.Nominee,
		Deed: b.Deed, Citation: b.Citation, NominatorKind: honour.NominatorKind(b.NominatorKind), Nominator: b.Nominator, Consent: honour.Consent(b.Consent), ConsentDate: b.ConsentDate,
		Photos: b.Photos, PhotosPublic: b.PhotosPublic, Scan: b.Scan})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toNomination(*n), nil
}

func (a *API) householdHonours(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	hs, err := a.Honours.HouseholdHonours(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, itemsOf(hs, toHonour), nil
}

func (a *API) publicNominationToken(rw http.ResponseWriter, r *http.Request) {
	write(rw, http.StatusOK, map[string]string{"token": a.Honours.PublicFormToken(r.Context())})
}

type publicNominationBody struct {
	Token          string   `json:"token"`
	Number         string   `json:"number"`
	Nominee        string   `json:"nominee"`
	Deed           string   `json:"deed"`
	NominatorName  string   `json:"nominator"`
	NominatorPhone string   `json:"phone"`
	NomineeAgreed  bool     `json:"nominee_agreed"`
	Photos         [][]byte `json:"photos"`
	PhotosPublic   bool     `json:"photos_public"`
	Website        string   `json:"website"` // the honeypot: empty
}

// publicNominate takes a nomination from the public channel, under the
// same limits as the page; the answer names no household.
func (a *API) publicNominate(rw http.ResponseWriter, r *http.Request) {
	a.anonymous(func(r *http.Request) (int, any, error) {
		id, b, err := idAndBody[publicNominationBody](r)
		if err != nil {
			return 0, nil, err
		}
		if err := a.Limits.PublicNomination(r.Context(), b.NominatorPhone, b.Website); err != nil {
			return 0, nil, err
		}
		n, err := a.Honours.NominatePublic(r.Context(), honour.PublicNomination{Board: id, Number: b.Number, Nominee: b.Nominee, Deed: b.Deed,
			NominatorName: b.NominatorName, NominatorPhone: b.NominatorPhone, NomineeAgreed: b.NomineeAgreed, Photos: b.Photos, PhotosPublic: b.PhotosPublic, Token: b.Token})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, map[string]any{"id": n.ID, "board": n.Board, "period": n.Period, "status": string(n.Status)}, nil
	})(rw, r)
}

// anonymous runs fn for a public endpoint that acts for nobody's account
// and writes its answer or its error.
func (a *API) anonymous(fn func(r *http.Request) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, body, err := fn(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		write(w, status, body)
	}
}
