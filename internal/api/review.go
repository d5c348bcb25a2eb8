package api

import (
	"net/http"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/server"
)

type objectionJSON struct {
	ID      int64  `json:"id"`
	Reason  string `json:"reason"`
	Created string `json:"created"`
}

type queueJSON struct {
	Review     int64           `json:"review"`
	Flow       string          `json:"flow"`
	State      string          `json:"state"`
	WindowEnd  string          `json:"window_end,omitempty"`
	Number     string          `json:"number"`
	Head       string          `json:"head"`
	Evidence   string          `json:"evidence"`
	Witness    string          `json:"witness,omitempty"`
	ProxyFor   string          `json:"proxy_for,omitempty"`
	Statement  string          `json:"statement,omitempty"` // an appeal's
	Submitter  string          `json:"submitter"`
	Submitted  string          `json:"submitted"`
	Award      awardJSON       `json:"award"`
	Recent     []awardJSON     `json:"recent"`
	Objections []objectionJSON `json:"objections,omitempty"`
}

// reviewQueue is the committee's queue: awards, corrections and appeals
// in the state asked for (pending by default), with what they are decided
// on; names are whole for the village's own committee only.
func (a *API) reviewQueue(r *http.Request, act *access.Actor) (int, any, error) {
	if !act.CanAnywhere(access.PointsApprove) {
		return 0, nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	items, err := a.Awards.Queue(r.Context(), act, review.State(r.URL.Query().Get("state")))
	if err != nil {
		return 0, nil, err
	}
	out := make([]queueJSON, len(items))
	for i, q := range items {
		j := queueJSON{Review: q.Item.ID, Flow: q.Item.Flow, State: string(q.Item.State), Number: q.Number, Head: q.Head, Evidence: q.Evidence,
			Witness: q.Witness, ProxyFor: q.ProxyFor, Submitter: q.Item.Submitter, Submitted: q.Item.Created.Format(time.RFC3339),
			Award: toAward(q.Award), Recent: []awardJSON{}}
		if q.Item.Flow == points.AppealFlow {
			j.Statement = q.Item.Summary.Note
		}
		if !q.Item.WindowEnd.IsZero() {
			j.WindowEnd = q.Item.WindowEnd.Format(time.RFC3339)
		}
		for _, w := range q.Recent {
			j.Recent = append(j.Recent, toAward(w))
		}
		for _, o := range q.Objection {
			j.Objections = append(j.Objections, objectionJSON{ID: o.ID, Reason: o.Reason, Created: o.Created.Format(time.RFC3339)})
		}
		out[i] = j
	}
	return http.StatusOK, out, nil
}

type itemJSON struct {
	ID    int64  `json:"id"`
	Step  int    `json:"step"`
	State string `json:"state"`
}

// reviewResolve upholds (the item is cancelled) or dismisses an objection
// lodged against the review item in the path, with the reason the public
// notice shows.
func (a *API) reviewResolve(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Objection int64  `json:"objection"`
		Uphold    bool   `json:"uphold"`
		Reason    string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	it, err := a.Review.Item(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	for _, o := range it.Objections {
		if o.ID == b.Objection {
			got, err := a.Review.ResolveObjection(r.Context(), act, o.ID, b.Uphold, b.Reason)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, itemJSON{got.ID, got.Step, string(got.State)}, nil
		}
	}
	return 0, nil, fault.OnField(fault.Invalid, "objection", "review.objection.not_found")
}

// reviewWithdraw takes an open item back, with a reason.
func (a *API) reviewWithdraw(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	it, err := a.Review.Withdraw(r.Context(), act, id, b.Reason)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, itemJSON{it.ID, it.Step, string(it.State)}, nil
}

// awardCorrect puts a correction of a posted award of the household in
// the path under review: a linked reversal, posted once it is approved
// and its notice closes.
func (a *API) awardCorrect(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Award  int64  `json:"award"`
		Reason string `json:"reason"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return 0, nil, err
	}
	w, err := a.Awards.Correct(r.Context(), act, points.Correction{Key: key, Household: id, Award: b.Award, Reason: b.Reason})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toAward(*w), nil
}

type appealJSON struct {
	Review    int64  `json:"review"`
	Award     int64  `json:"award"`
	ItemName  string `json:"item_name"`
	Points    int64  `json:"points"`
	Statement string `json:"statement"`
	State     string `json:"state"`
	Answer    string `json:"answer,omitempty"`
	Created   string `json:"created"`
}

func toAppeal(p points.Appeal) appealJSON {
	return appealJSON{Review: p.ID, Award: p.Award, ItemName: p.ItemName, Points: p.Points, Statement: p.Statement, State: string(p.State),
		Answer: p.Answer, Created: p.Created.Format(time.RFC3339)}
}

// awardAppeal brings the household's appeal (申诉) against one of its
// awards to the committee, by its villager or a clerk.
func (a *API) awardAppeal(r *http.Request, act *access.Actor) (int, any, error) {
	id, b, err := idAndBody[struct {
		Award     int64  `json:"award"`
		Statement string `json:"statement"`
	}](r)
	if err != nil {
		return 0, nil, err
	}
	p, err := a.Awards.Appeal(r.Context(), act, id, b.Award, b.Statement)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, toAppeal(*p), nil
}

// appealList lists the household's appeals with their answers.
func (a *API) appealList(r *http.Request, act *access.Actor) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	ps, err := a.Awards.Appeals(r.Context(), act, id)
	if err != nil {
		return 0, nil, err
	}
	out := []appealJSON{}
	for _, p := range ps {
		out = append(out, toAppeal(p))
	}
	return http.StatusOK, out, nil
}

// noticeObject lodges an objection to an item on a village's public
// notice, anonymously, or as the villager whose token is sent; the answer
// carries the reference number to look the outcome up with.
func (a *API) noticeObject(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &b); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := server.Limited(a.Limits.Card, "object:"+access.RequestFrom(r.Context()).ClientKey()); err != nil {
		a.fail(w, r, err)
		return
	}
	var act *access.Actor
	if _, ok := r.Header["Authorization"]; ok {
		var err error
		if act, err = a.actor(r); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.fail(w, r, fault.E(fault.NotFound, "error.not_found"))
		return
	}
	o, err := a.Review.Object(r.Context(), act, r.PathValue("code"), id, b.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	write(w, http.StatusCreated, map[string]string{"ref": o.Ref})
}

// objectionOutcome answers a reference number with the objection's
// outcome, naming nobody; rate-limited with the objections themselves.
func (a *API) objectionOutcome(w http.ResponseWriter, r *http.Request) {
	if err := server.Limited(a.Limits.Card, "object:"+access.RequestFrom(r.Context()).ClientKey()); err != nil {
		a.fail(w, r, err)
		return
	}
	o, err := a.Review.ObjectionOutcome(r.Context(), r.PathValue("ref"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := map[string]string{"ref": o.Ref, "village": o.Region, "title": o.Title, "person": o.Person, "item_state": string(o.ItemState),
		"state": string(o.State), "resolution": o.Resolution, "created": o.Created.Format(time.RFC3339)}
	if !o.Resolved.IsZero() {
		out["resolved"] = o.Resolved.Format(time.RFC3339)
	}
	write(w, http.StatusOK, out)
}
