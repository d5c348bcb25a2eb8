package api

import (
	"io"
	"net/http"
	"strconv"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/talent"
)

// leaderJSON is a leader with what followed selection.
type leaderJSON struct {
	ID           int64                      `json:"id"`
	Name         string                     `json:"name"`
	Village      string                     `json:"village_code"`
	VillageName  string                     `json:"village_name"`
	Tier         string                     `json:"tier"`
	Stage        string                     `json:"stage"`
	StageDay     string                     `json:"stage_day"`
	Recognitions []talent.RecognitionRecord `json:"recognitions"`
	Plan         []talent.PlanEntry         `json:"plan"`
	Support      []talent.SupportEntry      `json:"support"`
	Showcase     talent.Showcase            `json:"showcase"`
	Photos       []int64                    `json:"photos"`
}

func (a *API) talentLeader(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	l, err := a.Talent.Leader(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, leaderJSON{ID: l.ID, Name: l.Name, Village: l.Village, VillageName: l.VillageName, Tier: string(l.Tier), Stage: string(l.Stage),
		StageDay: l.StageDay, Recognitions: l.Recognitions, Plan: l.Plan, Support: l.Support, Showcase: l.Showcase, Photos: l.Photos}, nil
}

// talentRecognise records a judgement on a target's cultivation.
func (a *API) talentRecognise(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Decision string `json:"decision"`
		Day      string `json:"day"`
		Reason   string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Talent.Recognise(r.Context(), act, id, talent.RecognitionInput{Decision: talent.Recognition(in.Decision), Day: in.Day, Reason: in.Reason}); err != nil {
		return 0, nil, err
	}
	return a.talentLeader(r, act)
}

// talentPlan adds an entry to a target's cultivation plan.
func (a *API) talentPlan(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Kind     string `json:"kind"`
		Title    string `json:"title"`
		Provider string `json:"provider"`
		Day      string `json:"day"`
		Hours    int    `json:"hours"`
		Note     string `json:"note"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Talent.AddPlan(r.Context(), act, id, talent.PlanInput{Kind: talent.PlanKind(in.Kind), Title: in.Title, Provider: in.Provider, Day: in.Day,
		Hours: in.Hours, Note: in.Note}); err != nil {
		return 0, nil, err
	}
	return a.talentLeader(r, act)
}

// talentSupport appends an entry to a target's policy-support ledger.
func (a *API) talentSupport(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Kind   string `json:"kind"`
		Amount int64  `json:"amount"`
		Source string `json:"source"`
		Day    string `json:"day"`
		Note   string `json:"note"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Talent.AddSupport(r.Context(), act, id, talent.SupportInput{Kind: talent.SupportKind(in.Kind), Amount: in.Amount, Source: in.Source, Day: in.Day,
		Note: in.Note}); err != nil {
		return 0, nil, err
	}
	return a.talentLeader(r, act)
}

// talentShowcaseSet records what a recognised leader agreed to show.
func (a *API) talentShowcaseSet(r *http.Request, act *access.Actor) (int, any, error) {
	id, in, err := idAndBody[struct {
		Published    bool   `json:"published"`
		ConsentDay   string `json:"consent_day"`
		LiveChannels string `json:"live_channels"`
		Cities       string `json:"cities"`
		Fairs        string `json:"fairs"`
		People       int    `json:"people"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.Talent.SetShowcase(r.Context(), act, id, talent.Showcase{Published: in.Published, ConsentDay: in.ConsentDay, LiveChannels: in.LiveChannels,
		Cities: in.Cities, Fairs: in.Fairs, People: in.People}); err != nil {
		return 0, nil, err
	}
	return a.talentLeader(r, act)
}

// talentShowcasePhoto takes a product photo as the raw request body,
// bounded before it is read.
func (a *API) talentShowcasePhoto(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, talent.MaxAttachmentBytes+1))
	if err != nil {
		return 0, nil, err
	}
	if len(data) > talent.MaxAttachmentBytes {
		return 0, nil, fault.OnField(fault.TooLarge, "file", "talent.attachment.size", talent.MaxAttachmentBytes>>20)
	}
	if _, err := a.Talent.AddShowcasePhoto(r.Context(), act, id, r.URL.Query().Get("caption"), data); err != nil {
		return 0, nil, err
	}
	return a.talentLeader(r, act)
}

// talentSupportSums is the support ledger summed per area and tier.
func (a *API) talentSupportSums(r *http.Request, act *access.Actor) (int, any, error) {
	code, err := talentRegion(r, act, access.RegistryRead)
	if err != nil {
		return 0, nil, err
	}
	sums, err := a.Talent.SupportSums(r.Context(), act, code)
	if err != nil {
		return 0, nil, err
	}
	if sums == nil {
		sums = []talent.SupportSum{}
	}
	return http.StatusOK, sums, nil
}

// showcase is the public list of recognised leaders who agreed to it,
// by ?banner= and ?industry=.
func (a *API) showcase(w http.ResponseWriter, r *http.Request) {
	list, err := a.Talent.Showcase(r.Context(), r.URL.Query().Get("banner"), r.URL.Query().Get("industry"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type entry struct {
		Leader       int64    `json:"leader"`
		Name         string   `json:"name"`
		Village      string   `json:"village_name"`
		Banner       string   `json:"banner_name"`
		Tier         string   `json:"tier"`
		EntityName   string   `json:"entity_name"`
		Industry     string   `json:"industry"`
		Products     string   `json:"products"`
		LiveChannels string   `json:"live_channels"`
		Cities       string   `json:"cities"`
		Fairs        string   `json:"fairs"`
		People       int      `json:"people"`
		Households   int      `json:"households"`
		Photos       []string `json:"photos"`
	}
	out := []entry{}
	for _, e := range list {
		x := entry{e.Leader, e.Name, e.VillageName, e.BannerName, string(e.Tier), e.EntityName, e.Industry, e.Products, e.LiveChannels, e.Cities, e.Fairs,
			e.People, e.Households, []string{}}
		for _, p := range e.Photos {
			x.Photos = append(x.Photos, "/showcase/photos/"+strconv.FormatInt(p, 10))
		}
		out = append(out, x)
	}
	write(w, http.StatusOK, out)
}
